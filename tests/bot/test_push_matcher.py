"""The e2e chat driver keeps the bot's pushes apart from its replies by their catalogue text
(tests/botapi/pushes.py): every push key is recognised, and no reply the bot can send is."""
from __future__ import annotations

from bot.texts import message_ids, t
from tests.botapi.pushes import PUSH_KEYS, push_matcher, variables


def rendered(key: str) -> str:
    return t("vi", key, **{name: f"v{i}x" for i, name in enumerate(variables("vi", key))})


def test_every_push_is_recognised():
    is_push = push_matcher("vi")
    for key in PUSH_KEYS:
        assert is_push(rendered(key)), key


def test_no_reply_of_the_bot_is_taken_for_a_push():
    is_push = push_matcher("vi")
    replies = sorted(k for k in message_ids("vi") if k not in PUSH_KEYS)
    assert len(replies) > 300
    taken = [k for k in replies if is_push(rendered(k))]
    assert taken == []
