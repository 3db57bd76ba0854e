"""A small Bot API server for the tests: real HTTP on loopback (stdlib ThreadingHTTPServer).

What `langxanh bot` calls: getMe, getUpdates (a long poll with offset and timeout; 409 Conflict
when another client is polling, or while a webhook is set, as Telegram answers), setWebhook /
deleteWebhook / getWebhookInfo (with a webhook set, each update is POSTed to its URL with the
secret header, in order, retried until the bot answers 200, as Telegram does), sendMessage,
sendPhoto, editMessageText, editMessageReplyMarkup, answerCallbackQuery, setMyCommands, getFile
and file downloads (/file/bot<token>/<path>). Other methods answer True and are recorded.
Parameters come as JSON, form-urlencoded or multipart (PTB sends the last two).
"""
from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "Làng Xanh", "username": "langxanh_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
TEXT_METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup")


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def parse_params(content_type: str, body: bytes) -> dict[str, Any]:
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}
    if kind == "application/json":
        return json.loads(body)
    if kind == "application/x-www-form-urlencoded":
        return {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    if kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        out: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            out[name] = payload if part.get_filename() else payload.decode()
        return out
    raise ApiError(400, f"Bad Request: unsupported content type {kind}")


def _markup(params: dict) -> dict | None:
    markup = params.get("reply_markup")
    return json.loads(markup) if isinstance(markup, str) else markup


class FakeBotApi:
    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.lock = threading.Condition()
        self.pending: list[dict] = []  # updates not yet confirmed (polling) or delivered (webhook)
        self.sent: list[dict] = []  # what the bot sent: method, chat_id, text, buttons, message_id
        self.messages: dict[int, dict] = {}
        self.files: dict[str, bytes] = {}
        self.calls: list[str] = []
        self.conflicts = 0
        self.deliveries: list[int] = []  # webhook answers' statuses
        self.webhook: dict | None = None
        self._polling = 0
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(5000)
        self._httpd: ThreadingHTTPServer | None = None
        self._stop = threading.Event()

    # -- the tests' side -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> "FakeBotApi":
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                api.handle(self)

            def do_POST(self) -> None:
                api.handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True, name="fake-botapi").start()
        threading.Thread(target=self._deliver, daemon=True, name="fake-botapi-webhook").start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self.lock:
            self.lock.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def push(self, **kind: Any) -> int:
        """A user's update (message=..., callback_query=...): Telegram queues it for the bot."""
        with self.lock:
            update_id = next(self._update_ids)
            self.pending.append({"update_id": update_id, **kind})
            self.lock.notify_all()
        return update_id

    def sent_to(self, chat_id: int) -> list[dict]:
        with self.lock:
            return [s for s in self.sent if s["chat_id"] == chat_id]

    # -- HTTP ------------------------------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        path = unquote(request.path.split("?", 1)[0])
        if path.startswith(f"/file/bot{self.token}/"):
            data = self.files.get(path.split(f"/file/bot{self.token}/", 1)[1])
            return self._reply(request, 200 if data is not None else 404, data or b"", "application/octet-stream")
        if not path.startswith(f"/bot{self.token}/"):
            return self._json(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        method = path.rsplit("/", 1)[1]
        try:
            params = parse_params(request.headers.get("Content-Type", ""), body)
            result = self.answer(method, params)
        except ApiError as e:
            return self._json(request, e.code, {"ok": False, "error_code": e.code, "description": e.description})
        self._json(request, 200, {"ok": True, "result": result})

    def _json(self, request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        self._reply(request, status, json.dumps(payload).encode(), "application/json")

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str) -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Type", ctype)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except OSError:  # the client went away (a long poll cancelled at shutdown)
            pass

    # -- the methods -----------------------------------------------------------------------------
    def answer(self, method: str, params: dict) -> Any:
        with self.lock:
            self.calls.append(method)
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self.get_updates(params)
        if method == "setWebhook":
            with self.lock:
                self.webhook = {"url": params["url"], "secret": params.get("secret_token")}
                self.lock.notify_all()
            return True
        if method == "deleteWebhook":
            with self.lock:
                self.webhook = None
            return True
        if method == "getWebhookInfo":
            with self.lock:
                return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                        "pending_update_count": len(self.pending)}
        if method in TEXT_METHODS or method == "sendPhoto":
            return self.record(method, params)
        if method == "getFile":
            fid = params["file_id"]
            return {"file_id": fid, "file_unique_id": fid, "file_size": len(self.files.get(f"photos/{fid}", b"")),
                    "file_path": f"photos/{fid}"}
        with self.lock:
            self.sent.append({"method": method, "chat_id": _int(params.get("chat_id")), "text": None,
                              "buttons": [], "message_id": None})
        return True

    def get_updates(self, params: dict) -> list[dict]:
        offset, wait = int(params.get("offset") or 0), float(params.get("timeout") or 0)
        with self.lock:
            if self.webhook is not None:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                    "use deleteWebhook to delete the webhook first")
            if self._polling:
                self.conflicts += 1
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only "
                                    "one bot instance is running")
            self._polling += 1
            try:
                self.pending = [u for u in self.pending if u["update_id"] >= offset]  # confirmed by the offset
                deadline = time.monotonic() + wait
                while not self.pending and not self._stop.is_set() and time.monotonic() < deadline:
                    self.lock.wait(max(0.0, deadline - time.monotonic()))
                return list(self.pending[:100])
            finally:
                self._polling -= 1

    def record(self, method: str, params: dict) -> dict:
        markup = _markup(params)
        rows = [[(b["text"], b.get("callback_data", "")) for b in row] for row in (markup or {}).get("inline_keyboard", [])]
        with self.lock:
            message_id = int(params.get("message_id") or next(self._message_ids))
            chat_id = _int(params.get("chat_id"))
            if method == "editMessageReplyMarkup" and message_id in self.messages:
                chat_id = self.messages[message_id]["chat"]["id"]
                text = self.messages[message_id].get("text")
            else:
                text = params.get("text") if method != "sendPhoto" else None
            message = {"message_id": message_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                       "from": BOT_USER, "text": text}
            if method == "sendPhoto":
                message = {**message, "caption": params.get("caption"), "photo": [
                    {"file_id": f"out{message_id}", "file_unique_id": f"out{message_id}", "width": 64, "height": 64}]}
                message.pop("text")
            if markup:
                message["reply_markup"] = markup
            self.messages[message_id] = message
            self.sent.append({"method": method, "chat_id": chat_id, "text": text, "buttons": rows,
                              "message_id": message_id})
            self.lock.notify_all()
        return message

    # -- webhook delivery ------------------------------------------------------------------------
    def _deliver(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                while not self._stop.is_set() and not (self.webhook and self.pending):
                    self.lock.wait(0.5)
                if self._stop.is_set():
                    return
                hook, update = dict(self.webhook), self.pending[0]
            status = self._post(hook, update)
            with self.lock:
                self.deliveries.append(status)
                if status == 200 and self.pending and self.pending[0] is update:
                    self.pending.pop(0)
            if status != 200:
                time.sleep(0.3)  # Telegram retries a failed delivery later

    @staticmethod
    def _post(hook: dict, update: dict) -> int:
        headers = {"Content-Type": "application/json"}
        if hook.get("secret"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret"]
        request = urllib.request.Request(hook["url"], data=json.dumps(update).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return 0


def _int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)
