"""Tell the bot's pushes (messages it sends on its own, from the outbox) from its replies, so a
chat driver over real HTTP can keep a story's replies exact while pushes arrive at any moment.
A push is recognised by its catalogue text: each push key's Fluent message rendered with
sentinels for its variables becomes a pattern (`.*?` where a value goes)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from bot.texts import LOCALES_DIR, t

# every key bot/pushes/*.py and bot/feed.py queue as a whole message (not the buttons or lines)
PUSH_KEYS = ("mfp-pickup-awaits", "mfp-leg-awaits", "mfp-arrival-awaits", "mfp-facility2-turn",
             "mfp-rejected-full", "mfp-rejected-part", "mfp-resign", "mfp-discrepancy",
             "mfp-discrepancy-reminder", "mfp-discrepancy-agreed", "mfp-discrepancy-escalated",
             "tasks-push", "push-incident", "push-event")
SENTINEL = "\x00{}\x00"


def variables(lang: str, key: str) -> list[str]:
    """The `$names` a message uses, read from its catalogue source."""
    for path in sorted((LOCALES_DIR / lang).glob("*.ftl")):
        lines = path.read_text("utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.startswith(f"{key} ="):
                body = [line] + [x for x in _continuation(lines[i + 1:])]
                return sorted(set(re.findall(r"\$([A-Za-z_][\w-]*)", "\n".join(body))))
    return []


def _continuation(lines: list[str]):  # type: ignore[no-untyped-def]
    for line in lines:
        if line and not line[0].isspace():
            return
        yield line


@lru_cache(maxsize=None)
def patterns(lang: str) -> tuple[re.Pattern, ...]:
    found = []
    for key in PUSH_KEYS:
        names = variables(lang, key)
        text = t(lang, key, **{n: SENTINEL.format(i) for i, n in enumerate(names)})
        if text == key:  # not in this catalogue
            continue
        pieces = re.split("\x00\\d+\x00", text)
        found.append(re.compile(".*?".join(re.escape(p) for p in pieces), re.DOTALL))
    return tuple(found)


def push_matcher(lang: str = "vi") -> Callable[[str], bool]:
    compiled = patterns(lang)
    return lambda text: any(p.match(text) for p in compiled)
