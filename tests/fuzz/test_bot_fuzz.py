"""The bot's flows fed by hypothesis: random sequences of what a Telegram user can send —
commands, text of any size, locations anywhere, photos and documents of any type and bytes,
stickers, presses of the buttons on screen and of stale or forged ones. Whatever happens: no
update reaches the global error handler (every step answers or guides), and without pressing a
final confirmation nothing is ever filed."""
from __future__ import annotations

import asyncio
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.conftest import BotWorld, jpeg
from tests.fuzz.conftest import EXAMPLES

FINAL = ("rconfirm:yes", "mfr:send", "mfrc:yes", "mfrt:yes", "mfpick:", "mfpickall:", "mftreatall:", "mfrj:yes",
         "mfcy:yes", "mfc4y:", "mfsa:", "mfhand:", "mon:confirm")
COMMANDS = ["/start", "/help", "/lang", "/report", "/mine", "/status", "/status bat trang", "/status zzz",
            "/link", "/link ABCDEFGH", "/link !!", "/manifest", "/subscribe", "/subscriptions", "/cancel",
            "/frobnicate", "/report@langxanh_bot", "/monitoring"]
ACTION = st.one_of(
    st.tuples(st.just("send"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("send"), st.text(max_size=300)),
    st.tuples(st.just("send"), st.text(min_size=4000, max_size=5200)),
    st.tuples(st.just("send"), st.sampled_from(["bat trang", "kim lan", "Số 5 ngõ 12", "nước thải đen", "1", "0"])),
    st.tuples(st.just("location"), st.tuples(st.floats(-90, 90), st.floats(-180, 180))),
    st.tuples(st.just("location"), st.tuples(st.floats(20.9, 21.1), st.floats(105.7, 105.95))),
    st.tuples(st.just("photo"), st.sampled_from(["jpeg", "garbage"])),
    st.tuples(st.just("document"), st.sampled_from(["application/pdf", "image/png", "text/plain", "image/jpeg"])),
    st.tuples(st.just("sticker"), st.none()),
    st.tuples(st.just("press"), st.integers(0, 20)),
    st.tuples(st.just("forged"), st.sampled_from(["cat:nope", "rsite:nope", "mine:x", "st:y", "unsub:z", "lang:xx",
                                                   "mft:1", "subt:next", "raddr", "rphotos:done", "mfl:review"])),
)


class Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


def test_random_conversations_never_fail_and_file_nothing_unconfirmed(cluster, tmp_path):
    world = BotWorld(cluster, tmp_path, bot_flood_per_minute=1000)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(world.start())
    failures = Failures()
    logging.getLogger("bot").addHandler(failures)
    users = iter(range(700_000, 800_000))
    seen = {"updates": 0, "replies": 0}

    async def play(chat, actions) -> None:  # type: ignore[no-untyped-def]
        for kind, value in actions:
            if kind == "send":
                replies = await chat.send(value or " ")
            elif kind == "location":
                replies = await chat.location(*value)
            elif kind == "photo":
                replies = await chat.photo(jpeg() if value == "jpeg" else b"\x00garbage" * 10)
            elif kind == "document":
                replies = await chat.photo(jpeg() if value.startswith("image/") else b"%PDF-1.4", as_document=value)
            elif kind == "sticker":
                replies = await chat.sticker()
            elif kind == "press":
                safe = [d for _, d in chat.buttons() if not d.startswith(FINAL)]
                if not safe:
                    continue
                replies = await chat.press(safe[value % len(safe)])
            else:
                update = chat.update(callback_query={"id": "1", "from": chat.user, "chat_instance": "c", "data": value,
                                                     "message": {"message_id": 1, "date": 0, "chat": chat.chat,
                                                                 "text": "old"}})
                replies = await chat.feed(update)
            seen["updates"] += 1
            seen["replies"] += len(replies)

    @given(actions=st.lists(ACTION, min_size=1, max_size=25))
    @settings(max_examples=EXAMPLES * 4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def conversation(actions) -> None:  # type: ignore[no-untyped-def]
        user = next(users)
        chat = world.chat(user)
        loop.run_until_complete(play(chat, actions))
        assert not failures.records, failures.records[:3]
        mine = cluster.call_sync(world.store.actor(user), "inspections", "my_incidents")
        assert mine == [], "a report was filed without its confirmation"

    try:
        conversation()
    finally:
        logging.getLogger("bot").removeHandler(failures)
        loop.run_until_complete(world.stop())
        loop.close()
    print(seen)
    assert seen["updates"] > EXAMPLES and seen["replies"] >= seen["updates"] // 2, seen
