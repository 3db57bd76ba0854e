"""The feed's push modules (bot/feed.py PUSH_MODULES) and outbox rows with buttons."""
from __future__ import annotations

import sys
import types

from datetime import datetime, timezone
from uuid import uuid4

from bot import feed
from shared.contracts.manifests import ManifestCorrected
from shared.kit.envelope import build
from bot.texts import t


def test_a_push_module_queues_rows_in_the_feeds_transaction(monkeypatch):
    seen = []
    module = types.ModuleType("tests_bot_push_probe")
    module.push = lambda cur, got: seen.append((cur, type(got.event), got.id))
    monkeypatch.setitem(sys.modules, "tests_bot_push_probe", module)
    monkeypatch.setattr(feed, "PUSH_MODULES", ("tests_bot_push_probe",))
    feed.pushes.cache_clear()
    try:
        class Cur:
            def execute(self, *a, **k):  # type: ignore[no-untyped-def]
                class R:
                    def one(self):  # type: ignore[no-untyped-def]
                        return None

                    def all(self):  # type: ignore[no-untyped-def]
                        return []
                return R()

        cur = Cur()
        corrected = ManifestCorrected(id=uuid4(), changed=["lines"], reason_code="data_error")
        envelope = build("manifests", 1, corrected, subject=str(corrected.id), time=datetime.now(timezone.utc))
        feed.BotFeed.project(feed.BotFeed.__new__(feed.BotFeed), cur, envelope)
        assert seen == [(cur, ManifestCorrected, "manifests-1")]
    finally:
        feed.pushes.cache_clear()


def test_an_outbox_row_with_a_catalogue_key_and_buttons_renders_in_its_language():
    row = {"lang": "en", "key": "cancelled", "args": {"text": {}, "buttons": [[["cmd-help", "x:1"], ["cmd-cancel", "x:2"]]]}}
    assert feed.render(row) == t("en", "cancelled")
    markup = feed.keyboard(row)
    assert [[(b.text, b.callback_data) for b in r] for r in markup.inline_keyboard] == [
        [(t("en", "cmd-help"), "x:1"), (t("en", "cmd-cancel"), "x:2")]]
    assert feed.keyboard({"lang": "vi", "key": "push-event", "args": {"event": "x"}}) is None
