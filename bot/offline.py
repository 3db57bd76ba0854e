"""Telegram without Telegram: a recording Bot API transport and a scripted chat.

`RecordingRequest` answers the Bot API calls the bot makes (sendMessage, getFile, ...) and
records them; `ChatDriver` builds real `Update` objects (text, commands, button presses,
locations, photos, documents, stickers) and feeds them through the application. Used by the
bot's tests and by `langxanh chat`.
"""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "Làng Xanh", "username": "langxanh_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Sent:
    method: str
    chat_id: int | None
    text: str | None
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    message_id: int | None = None
    params: dict = field(default_factory=dict)


class RecordingRequest(BaseRequest):
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.files: dict[str, bytes] = {}
        self._ids = itertools.count(1000)
        self.messages: dict[int, dict] = {}
        self.downloads: list[str] = []  # file paths the bot fetched (getFile, then the download)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        if "/file/bot" in url:
            path = url.split("/file/bot", 1)[1].split("/", 1)[1]
            self.downloads.append(path)
            data = self.files.get(path)
            return (200, data) if data is not None else (404, b"")
        api = url.rsplit("/", 1)[1]
        params = request_data.parameters if request_data is not None else {}
        result = self.answer(api, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def answer(self, api: str, params: dict) -> Any:
        if api == "getMe":
            return BOT_USER
        if api in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat_id = int(params["chat_id"]) if "chat_id" in params else None
            markup = params.get("reply_markup")
            if isinstance(markup, str):
                markup = json.loads(markup)
            rows = [[(b["text"], b.get("callback_data", "")) for b in row]
                    for row in (markup or {}).get("inline_keyboard", [])]
            message_id = int(params.get("message_id") or next(self._ids))
            if api == "editMessageReplyMarkup" and message_id in self.messages:
                base = dict(self.messages[message_id])
                chat_id = base["chat"]["id"]
                text = base.get("text")
            else:
                text = params.get("text")
            message = {"message_id": message_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                       "from": BOT_USER, "text": text}
            if markup:
                message["reply_markup"] = markup
            self.messages[message_id] = message
            self.sent.append(Sent(api, chat_id, text, rows, message_id, params))
            return message
        if api == "getFile":
            fid = params["file_id"]
            self.downloads.append(f"getFile:{fid}")
            return {"file_id": fid, "file_unique_id": fid, "file_size": len(self.files.get(f"photos/{fid}", b"")),
                    "file_path": f"photos/{fid}"}
        if api == "getUpdates":
            return []
        self.sent.append(Sent(api, int(params["chat_id"]) if "chat_id" in params else None, None, params=params))
        return True


class ChatDriver:
    """One Telegram user in a private chat with the bot."""

    _update_ids = itertools.count(1)
    _message_ids = itertools.count(1)

    def __init__(self, app: Any, request: RecordingRequest, user_id: int, first_name: str = "Lan",
                 language_code: str = "vi") -> None:
        self.app = app
        self.request = request
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._seen = 0

    # -- what the user sends ---------------------------------------------------------------------
    def _message(self, **content: Any) -> dict:
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": self.chat,
                "from": self.user, **content}

    def update(self, **kind: Any) -> Update:
        return Update.de_json({"update_id": next(self._update_ids), **kind}, self.app.bot)

    def text_update(self, text: str) -> Update:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.update(message=self._message(**content))

    def button_update(self, label_or_data: str) -> Update:
        for sent in reversed(self.mine()):
            for row in sent.buttons:
                for label, data in row:
                    if label_or_data in (label, data):
                        message = self.request.messages[sent.message_id]
                        return self.update(callback_query={
                            "id": str(next(self._update_ids)), "from": self.user, "chat_instance": "ci",
                            "data": data, "message": message})
        raise LookupError(f"no button {label_or_data!r} in the chat; buttons: {self.buttons()}")

    def photo_update(self, data: bytes, as_document: str | None = None) -> Update:
        fid = f"f{next(self._message_ids)}"
        self.request.files[f"photos/{fid}"] = data
        if as_document:
            return self.update(message=self._message(document={
                "file_id": fid, "file_unique_id": fid, "file_name": "photo", "mime_type": as_document,
                "file_size": len(data)}))
        return self.update(message=self._message(photo=[{"file_id": fid, "file_unique_id": fid, "width": 64,
                                                           "height": 64, "file_size": len(data)}]))

    def document_update(self, data: bytes, file_name: str, mime_type: str, file_size: int | None = None) -> Update:
        """A file sent as a document; `file_size` is what Telegram's metadata claims (default: the real size)."""
        fid = f"f{next(self._message_ids)}"
        self.request.files[f"photos/{fid}"] = data
        return self.update(message=self._message(document={
            "file_id": fid, "file_unique_id": fid, "file_name": file_name, "mime_type": mime_type,
            "file_size": len(data) if file_size is None else file_size}))

    def location_update(self, lat: float, lon: float) -> Update:
        return self.update(message=self._message(location={"latitude": lat, "longitude": lon}))

    def sticker_update(self) -> Update:
        return self.update(message=self._message(sticker={
            "file_id": "stk", "file_unique_id": "stk", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "type": "regular"}))

    async def feed(self, update: Update) -> list[str]:
        await self.app.process_update(update)
        return self.replies()

    async def send(self, text: str) -> list[str]:
        return await self.feed(self.text_update(text))

    async def press(self, label_or_data: str) -> list[str]:
        return await self.feed(self.button_update(label_or_data))

    async def photo(self, data: bytes, as_document: str | None = None) -> list[str]:
        return await self.feed(self.photo_update(data, as_document))

    async def document(self, data: bytes, file_name: str, mime_type: str, file_size: int | None = None) -> list[str]:
        return await self.feed(self.document_update(data, file_name, mime_type, file_size))

    async def location(self, lat: float, lon: float) -> list[str]:
        return await self.feed(self.location_update(lat, lon))

    async def sticker(self) -> list[str]:
        return await self.feed(self.sticker_update())

    # -- what the bot said -----------------------------------------------------------------------
    def mine(self) -> list[Sent]:
        return [s for s in self.request.sent if s.chat_id == self.chat["id"] and s.text is not None]

    def replies(self) -> list[str]:
        """Texts the bot sent this chat since the last call."""
        mine = self.mine()
        new, self._seen = mine[self._seen:], len(mine)
        return [s.text for s in new]

    def buttons(self) -> list[tuple[str, str]]:
        for sent in reversed(self.mine()):
            if sent.buttons:
                return [b for row in sent.buttons for b in row]
        return []
