"""One Telegram user over the fake Bot API (tests/botapi/server.py), with the interface of
bot/offline.py's ChatDriver: `send`, `press`, `photo`, `location` (each waits until the bot has
answered: a first reply, then a short quiet period, within a timeout), `replies`, `buttons`.
With `is_push` (tests/botapi/pushes.py) the bot's own pushes, which may arrive at any moment, are
kept apart in `pushes()`: `replies` and `buttons` are only what answered this user."""
from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any, Callable

from tests.botapi.server import FakeBotApi


class BotApiChat:
    _message_ids = itertools.count(1)

    def __init__(self, api: FakeBotApi, user_id: int, first_name: str = "Lan", language_code: str = "vi",
                 quiet: float = 0.5, timeout: float = 20.0,
                 is_push: Callable[[str], bool] = lambda text: False) -> None:
        self.api = api
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}
        self.quiet, self.timeout, self.is_push = quiet, timeout, is_push
        self._seen = 0

    def _message(self, **content: Any) -> dict:
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": self.chat,
                "from": self.user, **content}

    def mine(self) -> list[dict]:
        """What the bot sent this chat in answer to it (its pushes left out)."""
        return [s for s in self.api.sent_to(self.chat["id"]) if s["text"] is not None and not self.is_push(s["text"])]

    def pushes(self) -> list[dict]:
        return [s for s in self.api.sent_to(self.chat["id"]) if s["text"] is not None and self.is_push(s["text"])]

    async def _answered(self, before: int) -> list[str]:
        """Wait for the first reply after `before` entries, then until nothing new for `quiet`."""
        deadline = time.monotonic() + self.timeout
        count, last_change = len(self.api.sent_to(self.chat["id"])), time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            now = len(self.api.sent_to(self.chat["id"]))
            if now != count:
                count, last_change = now, time.monotonic()
            if self._answers(count) > before and time.monotonic() - last_change >= self.quiet:
                break
        return self.replies()

    def _answers(self, upto: int) -> int:
        return sum(1 for s in self.api.sent_to(self.chat["id"])[:upto]
                   if s["text"] is None or not self.is_push(s["text"]))

    async def _act(self, **kind: Any) -> list[str]:
        before = self._answers(len(self.api.sent_to(self.chat["id"])))
        self.api.push(**kind)
        return await self._answered(before)

    async def send(self, text: str) -> list[str]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._act(message=self._message(**content))

    async def press(self, label_or_data: str) -> list[str]:
        for sent in [*reversed(self.mine()), *reversed(self.pushes())]:
            for row in sent["buttons"]:
                for label, data in row:
                    if label_or_data in (label, data):
                        message = self.api.messages[sent["message_id"]]
                        return await self._act(callback_query={
                            "id": f"cq{next(self._message_ids)}", "from": self.user, "chat_instance": "ci",
                            "data": data, "message": message})
        raise LookupError(f"no button {label_or_data!r} in the chat; buttons: {self.buttons()}")

    async def photo(self, data: bytes) -> list[str]:
        fid = f"f{self.chat['id']}-{next(self._message_ids)}"
        self.api.files[f"photos/{fid}"] = data
        return await self._act(message=self._message(photo=[{"file_id": fid, "file_unique_id": fid, "width": 64,
                                                             "height": 64, "file_size": len(data)}]))

    async def location(self, lat: float, lon: float) -> list[str]:
        return await self._act(message=self._message(location={"latitude": lat, "longitude": lon}))

    def replies(self) -> list[str]:
        """Texts the bot sent this chat since the last call."""
        mine = self.mine()
        new, self._seen = mine[self._seen:], len(mine)
        return [s["text"] for s in new]

    def buttons(self) -> list[tuple[str, str]]:
        for sent in reversed(self.mine()):
            if sent["buttons"]:
                return [b for row in sent["buttons"] for b in row]
        return []
