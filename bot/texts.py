"""Every text the bot says, from Fluent message catalogues (bot/locales/<lang>/*.ftl).

Vietnamese is the default and the fallback; English on request. Handlers never hold literal
user-facing strings: they ask `t(lang, key, **args)`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fluent.runtime import FluentLocalization, FluentResourceLoader

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"


def resources() -> list[str]:
    """Every catalogue file (one per flow family); the same set in every language."""
    return sorted(p.name for p in (LOCALES_DIR / DEFAULT).glob("*.ftl"))


@lru_cache(maxsize=None)
def _localization(lang: str) -> FluentLocalization:
    chain = [lang] if lang == DEFAULT else [lang, DEFAULT]
    return FluentLocalization(chain, resources(), FluentResourceLoader(str(LOCALES_DIR / "{locale}")))


def norm(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT


def t(lang: str | None, key: str, **args: object) -> str:
    """The text `key` in `lang` (falling back to Vietnamese), with `args` filled in."""
    clean = {k: ("" if v is None else v) for k, v in args.items()}
    return _localization(norm(lang)).format_value(key, clean)


@lru_cache(maxsize=None)
def message_ids(lang: str) -> frozenset[str]:
    """Every message id of a language's catalogues."""
    from fluent.syntax import FluentParser, ast

    ids = set()
    for name in resources():
        path = LOCALES_DIR / lang / name
        if path.exists():
            for entry in FluentParser().parse(path.read_text("utf-8")).body:
                if isinstance(entry, ast.Message):
                    ids.add(entry.id.name)
    return frozenset(ids)


def has(lang: str, key: str) -> bool:
    return key in message_ids(norm(lang))
