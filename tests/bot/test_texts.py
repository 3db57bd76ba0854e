"""The message catalogues: both languages complete, every file parses, every key the code asks for exists."""
from __future__ import annotations

import re
from pathlib import Path

from fluent.syntax import FluentParser, ast

from bot.texts import LANGUAGES, LOCALES_DIR, message_ids, resources, t

BOT = Path(__file__).resolve().parents[2] / "bot"
# say(update, context, "key" ...), t(lng, "key" ...), Reject("key" ...), reprompt("key"), end_draft(..., "key")
KEY_USES = re.compile(r'(?:say\([^"\n)]*|\bt\((?:"[a-z]{2}"|[^"\n),]*), *|Reject\(|reprompt\(|end_draft\([^)\n]*, )'
                      r'"([a-z][a-z0-9_-]+)"')


def test_every_catalogue_file_parses_without_junk():
    for lang in LANGUAGES:
        for name in resources():
            body = FluentParser().parse((LOCALES_DIR / lang / name).read_text("utf-8")).body
            junk = [e.content[:80] for e in body if isinstance(e, ast.Junk)]
            assert not junk, f"{lang}/{name}: {junk}"


def test_english_has_every_vietnamese_message_and_no_other():
    assert message_ids("vi") == message_ids("en")


def test_every_key_the_code_uses_exists():
    used = set()
    for path in BOT.rglob("*.py"):
        used |= set(KEY_USES.findall(path.read_text("utf-8")))
    assert len(used) > 80
    ids = message_ids("vi")
    prefixes = {k for k in used if k.endswith("-")}  # "kind-" + kind: some message must carry the prefix
    missing = sorted(k for k in used - prefixes if k not in ids)
    missing += sorted(p for p in prefixes if not any(i.startswith(p) for i in ids))
    assert not missing


def test_placeables_are_filled_and_vietnamese_is_the_fallback():
    assert t("vi", "report-filed", ticket="PA-1", triage_due="2026-12-01").startswith("Đã gửi phản ánh. Mã số: PA-1.")
    assert t("xx", "cancelled") == t("vi", "cancelled")
    assert t(None, "cancelled") == t("vi", "cancelled")
