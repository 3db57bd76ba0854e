"""The workspace's texts (Fluent catalogues in locales/<lang>/*.ftl, Vietnamese first) and the
errors of forms as texts next to their fields."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentLocalization, FluentResourceLoader
from pydantic import ValidationError

from shared.kit.errors import LangXanhError
from shared.kit.rules import PYDANTIC_RULES

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"


def norm(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT


@lru_cache(maxsize=None)
def _localization(lang: str) -> FluentLocalization:
    files = sorted(p.name for p in (LOCALES / DEFAULT).glob("*.ftl"))
    chain = [lang] if lang == DEFAULT else [lang, DEFAULT]
    return FluentLocalization(chain, files, FluentResourceLoader(str(LOCALES / "{locale}")))


def t(lang: str | None, key: str, **args: Any) -> str:
    clean = {k: ("" if v is None else v) for k, v in args.items()}
    return _localization(norm(lang)).format_value(key, clean)


def has(lang: str | None, key: str) -> bool:
    return t(lang, key) != key


def rule_text(lang: str, rule: str | None, message: str, **args: Any) -> str:
    """The rule's sentence in `lang`; in English the service's own message says more. Vietnamese
    never carries an English detail: an unknown rule gets the generic sentence."""
    key = f"err-{rule}" if rule else "err-value"
    if norm(lang) == "en" and message:
        return message
    return t(lang, key, **args) if has(lang, key) else t(lang, "err-value")


def field_errors(exc: BaseException, lang: str | None) -> dict[str, str]:
    """{field or "_form": text}: from a kit error (as RPC raises it) or a pydantic ValidationError."""
    lang = norm(lang)
    if isinstance(exc, ValidationError):
        out: dict[str, str] = {}
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ()) if not isinstance(x, int)]
            name = loc[-1] if loc else "_form"
            rule = PYDANTIC_RULES.get(str(e.get("type")), "value")
            ctx = {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
            out.setdefault(name, rule_text(lang, rule, str(e.get("msg", "")), **ctx))
        return out or {"_form": t(lang, "err-value")}
    if isinstance(exc, LangXanhError):
        name = (exc.field or "_form").split(".")[-1]
        return {name: rule_text(lang, exc.rule, exc.message)}
    return {"_form": t(lang, "err-unexpected")}
