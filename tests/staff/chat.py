"""The resident's side in a browser story: the bot's real handlers and feed (tests/e2e's
`real_bot`, fed through the Bot API seam) on an event loop of their own thread, so the story's
synchronous Playwright calls and the bot's push feed run side by side."""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from tests.e2e.test_bot_e2e import real_bot


class ChatThread:
    def __init__(self, env: dict) -> None:
        self.env = env
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="staff-bot", daemon=True)

    def run(self, coro, timeout: float = 60) -> Any:  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> "ChatThread":
        self.thread.start()
        self._bot = real_bot(self.env)
        self.app, self.request = self.run(self._bot.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.run(self._bot.__aexit__(None, None, None))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(30)

    def resident(self, chat_id: int) -> "Resident":
        from bot.offline import ChatDriver

        return Resident(self, self.run(_make(ChatDriver, self.app, self.request, chat_id)))


async def _make(cls, *args):  # type: ignore[no-untyped-def]
    return cls(*args)


class Resident:
    """One chat: send, press, and what the bot said to it (read on the bot's loop)."""

    def __init__(self, chat: ChatThread, driver) -> None:  # type: ignore[no-untyped-def]
        self.chat, self.driver = chat, driver
        self.heard: list[str] = []

    def send(self, text: str) -> list[str]:
        said = self.chat.run(self.driver.send(text))
        self.heard += said
        return said

    def press(self, data: str) -> list[str]:
        said = self.chat.run(self.driver.press(data))
        self.heard += said
        return said

    def new_replies(self) -> list[str]:
        async def read() -> list[str]:
            return self.driver.replies()

        got = self.chat.run(read())
        self.heard += got
        return got

    def wait_for(self, text: str, timeout: float = 30) -> list[str]:
        """Wait until the bot pushes a message starting with `text` to this chat; all it heard."""
        deadline = time.monotonic() + timeout
        while not any(said.startswith(text) for said in self.heard):
            self.new_replies()
            assert time.monotonic() < deadline, f"the chat never heard {text!r}; it heard {self.heard}"
            time.sleep(0.2)
        return self.heard
