"""Helpers for the /manifest stories: texts in Vietnamese, a chat linked to one of the parties,
a new manifest driven to its first waste line, one waste line, and a watch that every draft a
chat leaves in user_data is plain JSON (the bot's persistence may store it as JSON)."""
from __future__ import annotations

import json

from bot.flows.manifest import fmt_date, today
from bot.texts import t
from tests.bot.manifest_fixtures import ROLES, Parties

LAMPS = "Bóng đèn huỳnh quang và các loại thủy tinh hoạt tính thải"      # 16 01 06 in the shipped catalogue
ENGINE_OIL = "Dầu động cơ, hộp số và bôi trơn tổng hợp thải"             # 17 02 03
CATALOGUE_VERSION = "2022-partial-1"


def T(key: str, **args) -> str:  # type: ignore[no-untyped-def]
    return t("vi", key, **args)


def creates(w) -> int:  # type: ignore[no-untyped-def]
    return w.cluster.calls.count(("manifests", "create_manifest"))


async def linked(w, user_id: int, p: Parties, who: str, lang: str = "vi"):  # type: ignore[no-untyped-def]
    chat = w.chat(user_id)
    if lang != "vi":
        await chat.send("/start")
        await chat.press(f"lang:{lang}")
    assert await chat.send(f"/link {p.link_code(who)}") == [
        t(lang, "link-done", role=t(lang, f"role-{ROLES[who]}"), name=p.names[who])]
    return chat


async def route(chat, p: Parties) -> None:  # type: ignore[no-untyped-def]
    """[New manifest] → one transporter (by code) → [Done] → the facility (by code) → [No] second facility."""
    assert await chat.press("mf:new") == [T("mf-ask-transporter")]
    assert await chat.send(p.codes["transporter"]) == [T("mf-transporter-pick", query=p.codes["transporter"])]
    assert await chat.press(f"mft:{p.ids['transporter']}") == [
        T("mf-transporter-added", position=1, name=p.names["transporter"])]
    assert await chat.press("mftm:done") == [T("mf-ask-facility", name=p.names["transporter"])]
    assert await chat.send(p.codes["facility"]) == [T("mf-facility-pick", query=p.codes["facility"])]
    assert await chat.press(f"mff:{p.ids['facility']}") == [T("mf-ask-facility2", name=p.names["facility"])]
    assert await chat.press("mff2:no") == [T("mf-ask-plate", name=p.names["facility"])]


async def to_lines(chat, p: Parties) -> None:  # type: ignore[no-untyped-def]
    """A business chat from /manifest to the first waste line (transporter, facility, plate, today)."""
    assert await chat.send("/manifest") == [T("mf-menu", name=p.names["generator"], role=T("role-business"))]
    await route(chat, p)
    assert await chat.send("29C-123.45") == [T("mf-ask-date", example=fmt_date(today()))]
    assert await chat.press("mfd:today") == [T("mf-ask-code", line=1)]


async def one_line(chat, kg: str = "12,5", code: str = "16 01 06") -> None:  # type: ignore[no-untyped-def]
    """A code, kg, solid, the default packaging, solidification: then the [Add/Review] step."""
    await chat.send(code)
    await chat.send(kg)
    await chat.press("mfs:solid")
    await chat.press("mfpk:default")
    replies = await chat.send("Hoá rắn")
    assert replies[0].startswith(T("mf-line-added", line=1, summary="").split("\n")[0]), replies


def plain_json(value) -> bool:  # type: ignore[no-untyped-def]
    """Only dicts (str keys), lists, str, int, float, bool, None — and unchanged through JSON."""
    def plain(v) -> bool:  # type: ignore[no-untyped-def]
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return v is None or isinstance(v, (str, int, float, bool))

    return plain(value) and json.loads(json.dumps(value)) == value


class DraftWatch:
    """Every /manifest draft (and awaiting list) seen in a chat's user_data after a step."""

    KEYS = ("manifest", "mf_awaiting")

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.seen: list[dict] = []
        self.modes: set[str] = set()

    def look(self, user_id: int) -> None:
        data = self.app.user_data.get(user_id) or {}
        for key in self.KEYS:
            if key in data:
                self.seen.append({key: data[key]})
                if key == "manifest" and isinstance(data[key], dict):
                    self.modes.add(data[key].get("mode"))

    def wrap(self, chat):  # type: ignore[no-untyped-def]
        """The same chat; each send/press is followed by a look at its drafts."""
        send, press = chat.send, chat.press
        uid = chat.user["id"]

        async def watched_send(text):  # type: ignore[no-untyped-def]
            out = await send(text)
            self.look(uid)
            return out

        async def watched_press(label_or_data):  # type: ignore[no-untyped-def]
            out = await press(label_or_data)
            self.look(uid)
            return out

        chat.send, chat.press = watched_send, watched_press
        return chat


async def forged(chat, data: str) -> list[str]:  # type: ignore[no-untyped-def]
    """A button press with callback data the bot never sent (a hostile client can send any)."""
    update = chat.update(callback_query={"id": "forged", "from": chat.user, "chat_instance": "ci", "data": data,
                                         "message": {"message_id": 1, "date": 0, "chat": chat.chat, "text": "old"}})
    return await chat.feed(update)
