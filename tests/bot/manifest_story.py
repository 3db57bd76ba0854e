"""One whole manifest by chat, reusable over any chat transport: two transporters in order, a
second facility, a correction before pickup (the generator, who had signed, signs again from
the card), a partial rejection back to the generator, receipt of the rest, treatment by
facility 2 on a chosen date, and copy 4 returned; each step's visible outcome is asserted, and
at the end the manifest and its linked manifest as the service holds them.

It uses only this interface, so the same story runs offline (tests/bot/test_manifest_story.py)
and over a real HTTP Bot API:
- `world.chat(user_id)` → a chat with `async send(text)`, `async press(label_or_data)` (both →
  the texts the bot sent back), `replies()` and `buttons()` → [(label, data)];
- `await world.link(chat, role, establishment_id)` links the chat's account (by a link code);
- `await world.call(service, rpc, **kw)`: an admin call, for set-up and final checks;
- `world.establishments`: a dict the story fills in set-up (create_establishments);
- optionally `await world.checkpoint(step)` after each step (`filed`, `corrected`, …), where a
  transport may do something to itself (the e2e kills a bot replica there)."""
from __future__ import annotations

import re
import uuid
from typing import Any

from bot.flows.manifest.parse import fmt_date, today
from bot.texts import t

CODES = ["16 01 06", "17 02 03", "18 02 01"]
USERS = {"generator": 6101, "transporter1": 6102, "transporter2": 6103, "facility1": 6104, "facility2": 6105}
ROLES = {"generator": "business", "transporter1": "transporter", "transporter2": "transporter",
         "facility1": "treatment_facility", "facility2": "treatment_facility"}


def T(key: str, **args: Any) -> str:
    return t("vi", key, **args)


async def create_establishments(world: Any) -> dict[str, dict]:
    """A generator, two licensed transporters and two licensed facilities at a seeded site."""
    sfx = uuid.uuid4().hex[:6].upper()
    site = (await world.call("sites", "search_sites", query="bat trang", limit=1))[0]
    plan = {
        "generator": (f"Xưởng gốm Thanh Hà {sfx}", f"SG{sfx}", {"hw_generator": True}),
        "transporter1": (f"Vận tải Bắc Hà {sfx}", f"VA{sfx}", {"transporter": True}),
        "transporter2": (f"Vận tải Đông Anh {sfx}", f"VB{sfx}", {"transporter": True}),
        "facility1": (f"Xử lý Sóc Sơn {sfx}", f"XA{sfx}", {"treatment_facility": True}),
        "facility2": (f"Tái chế Phú Minh {sfx}", f"XB{sfx}", {"treatment_facility": True}),
    }
    for who, (name, code, flags) in plan.items():
        licence = {} if who == "generator" else {"licence": {"number": f"1-2-3.{code}", "waste_codes": CODES}}
        made = await world.call("sites", "register_establishment", site_id=site["id"], name=name, form="enterprise",
                                registration_code=code, **flags, **licence)
        world.establishments[who] = {"id": made["id"], "name": name, "code": code}
    return world.establishments


async def pick(chat: Any, who: dict, prefix: str, found_key: str) -> None:
    """Type an establishment's registration code, then press its button."""
    assert await chat.send(who["code"]) == [T(found_key, query=who["code"])]
    await chat.press(f"{prefix}:{who['id']}")


async def file_manifest(world: Any, gen: Any) -> tuple[str, str]:
    """The generator files it: T1 → T2, F1 → F2, two lines; returns (number, id)."""
    e = world.establishments
    await gen.send("/manifest")
    assert await gen.press("mf:new") == [T("mf-ask-transporter")]
    await pick(gen, e["transporter1"], "mft", "mf-transporter-pick")
    assert await gen.press(T("mf-btn-add-transporter")) == [T("mf-ask-transporter-next", position=2)]
    await pick(gen, e["transporter2"], "mft", "mf-transporter-pick")
    route = f"1. {e['transporter1']['name']} → 2. {e['transporter2']['name']}"
    assert await gen.press(T("mf-btn-done")) == [T("mf-ask-facility", name=route)]
    await pick(gen, e["facility1"], "mff", "mf-facility-pick")
    assert await gen.press(T("mf-btn-add-facility2")) == [T("mf-ask-facility2-search", name=e["facility1"]["name"])]
    await pick(gen, e["facility2"], "mfg", "mf-facility-pick")
    await gen.send("29C-111.11")
    await gen.press(T("mf-btn-today"))
    for i, (code, kg) in enumerate((("16 01 06", "12,5"), ("17 02 03", "40"))):
        if i:
            await gen.press(T("mf-btn-add-line"))
        await gen.send(code)
        await gen.send(kg)
        await gen.press("mfs:solid")
        await gen.press(T("mf-btn-packaging-default"))
        await gen.send("Hoá rắn")
    [review] = await gen.press(T("mf-btn-review"))
    assert f"1. {e['facility1']['name']} → 2. {e['facility2']['name']}" in review and route in review
    number = re.search(r"BOT-\d{8}-[0-9A-F]{6}", review).group(0)
    assert await gen.press(T("mf-btn-sign-send")) == [T("mf-filed", number=number, state=T("mf-state-handed_over"))]
    await gen.send("/manifest")
    listed = await gen.press(T("mf-btn-list"))
    mids = [data.split(":", 1)[1] for label, data in gen.buttons() if label == number]
    assert len(mids) == 1, (listed, gen.buttons())
    [mid] = mids
    return number, mid


async def correct_plate(world: Any, gen: Any, number: str, mid: str) -> None:
    """Before pickup the generator corrects the plate; it had signed, so it signs again from the card."""
    [card] = await gen.press(f"mfshow:{mid}")
    assert T("mf-btn-correct", number=number) in [label for label, _ in gen.buttons()]
    await gen.press(f"mfcorr:{mid}")
    await gen.press(T("mf-btn-corr-plate"))
    [what] = await gen.send("29C-222.22")
    assert T("mf-corr-change-plate", old="29C-111.11", new="29C-222.22") in what
    await gen.press(T("mf-btn-done"))
    await gen.press("mfcc:vehicle_change")
    [review] = await gen.send("Đổi xe do xe cũ hỏng")
    assert review.startswith(T("mf-corr-review", number=number, version=2, changes="", code="", reason="")[:30])
    who = f"{T('mf-party-generator')} ({world.establishments['generator']['name']})"
    assert await gen.press(T("mf-btn-confirm-correct")) == [T("mf-corrected", number=number, version=2, parties=who)]
    [card] = await gen.press(f"mfshow:{mid}")
    assert T("mf-show-resign", parties=who) in card
    assert gen.buttons() == [(T("mf-btn-sign-again", number=number), f"mfsa:{mid}")]
    assert await gen.press(T("mf-btn-sign-again", number=number)) == [
        T("mf-signed-again", number=number, state=T("mf-state-handed_over"))]


async def pickups(t1: Any, t2: Any, number: str) -> None:
    """Transporter 2 waits for transporter 1; each signs its own pickup."""
    await t2.send("/manifest")
    assert await t2.press("mf:await") == [T("mf-await-none")]
    await t1.send("/manifest")
    await t1.press("mf:await")
    assert await t1.press(T("mf-btn-pickup", number=number)) == [
        T("mf-picked-up", number=number, state=T("mf-state-in_transit"))]
    await t2.press("mf:await")
    assert await t2.press(T("mf-btn-pickup", number=number)) == [
        T("mf-picked-up", number=number, state=T("mf-state-in_transit"))]


async def reject_line_two(f1: Any, number: str, mid: str) -> str:
    """Facility 1 rejects line 2 (engine oil) back to the generator; returns the linked number."""
    await f1.send("/manifest")
    await f1.press("mf:await")
    assert await f1.press(T("mf-btn-reject", number=number)) == [T("mf-ask-reject-which", number=number)]
    await f1.press(T("mf-btn-reject-some"))
    assert await f1.press("mfrl:done") == [T("mf-reject-none-chosen")]       # nothing chosen yet: stays
    assert await f1.press("mfrl:2") == [T("mf-reject-chosen", lines="2")]
    assert await f1.press("mfrl:done") == [T("mf-ask-reject-code")]
    assert await f1.press("mfrr:quantity") == [T("mf-ask-reject-reason")]
    assert await f1.send("Can dầu bị rò rỉ, không nhận") == [T("mf-ask-reject-dest")]
    [review] = await f1.press(T("mf-btn-back-generator"))
    linked = re.search(r"BOT-\d{8}-[0-9A-F]{6}", review.split("\n")[-2]).group(0)
    assert linked != number and T("mf-reject-to-generator") in review
    assert await f1.press(T("mf-btn-confirm-reject")) == [
        T("mf-rejected", number=number, state=T("mf-state-in_transit"), new_number=linked,
          dest=T("mf-reject-to-generator"))]
    return linked


async def receive_rest(f1: Any, number: str) -> None:
    await f1.press("mf:await")
    assert (await f1.press(T("mf-btn-receive", number=number)))[0].startswith(
        T("mf-ask-measured", number=number, line=1, count=1, code="16 01 06", name="", declared="12,5")[:40])
    await f1.press(T("mf-btn-same", kg="12,5"))
    replies = await f1.press(T("mf-btn-confirm-receive"))
    assert replies[0] == T("mf-received", number=number, state=T("mf-state-received"))


async def treat_on_a_chosen_date(f2: Any, number: str) -> None:
    """Facility 2 treats it: yesterday is before the receipt, tomorrow is future; today typed."""
    await f2.send("/manifest")
    await f2.press("mf:await")
    assert await f2.press(T("mf-btn-treat", number=number)) == [
        T("mf-ask-treat-date", numbers=number, received=fmt_date(today()), example=fmt_date(today()))]
    assert await f2.send("hôm qua") == [T("mf-treat-date-before", received=fmt_date(today()))]
    assert await f2.send("31/12/2999") == [T("mf-treat-date-future", today=fmt_date(today()))]
    assert await f2.send(fmt_date(today())) == [T("mf-ask-treat-method", numbers=number, date=fmt_date(today()))]
    await f2.send("Đốt ở 1.100 °C")
    assert await f2.press(T("mf-btn-confirm-treat")) == [
        T("mf-treated", number=number, state=T("mf-state-treated"))]


async def copy4(gen: Any, number: str, mid: str) -> None:
    await gen.press(f"mfshow:{mid}")
    assert await gen.press(T("mf-btn-copy4", number=number)) == [T("mf-ask-copy4", number=number)]
    assert await gen.press(T("mf-btn-confirm-copy4")) == [
        T("mf-copy4-returned", number=number, state=T("mf-state-copy4_returned"))]


async def whole_manifest_story(world: Any) -> dict:
    """Drive it all; return the manifest as the service holds it."""
    if not world.establishments:
        await create_establishments(world)
    e = world.establishments
    chats = {who: world.chat(uid) for who, uid in USERS.items()}
    for who, chat in chats.items():
        await world.link(chat, ROLES[who], e[who]["id"])
    gen, t1, t2, f1, f2 = (chats[k] for k in USERS)
    checkpoint = getattr(world, "checkpoint", None)

    async def step(name: str, result: Any = None) -> Any:
        if checkpoint is not None:
            await checkpoint(name)
        return result

    number, mid = await step("filed", await file_manifest(world, gen))
    await step("corrected", await correct_plate(world, gen, number, mid))
    await step("picked-up", await pickups(t1, t2, number))
    linked = await step("rejected", await reject_line_two(f1, number, mid))
    await step("received", await receive_rest(f1, number))
    await step("treated", await treat_on_a_chosen_date(f2, number))
    await copy4(gen, number, mid)

    m = await world.call("manifests", "get_manifest", manifest_id=mid)
    assert (m["state"], m["manifest_version"], m["vehicle_plate"]) == ("copy4_returned", 2, "29C-222.22")
    assert m["transporters"] == [e["transporter1"]["id"], e["transporter2"]["id"]]
    assert (m["facility_1"], m["facility_2"]) == (e["facility1"]["id"], e["facility2"]["id"])
    assert [s["party"] for s in m["signatures"]] == ["generator", "generator", "transporter1", "transporter2",
                                                     "facility1", "facility1"]
    assert [x.get("rejected", False) for x in m["lines"]] == [False, True]
    assert m["received"]["lines"] == [{"line": 1, "code": "16 01 06", "quantity_kg": 12.5}]
    assert m["treatment"] == {"method": "Đốt ở 1.100 °C", "date": today().isoformat()}
    [link] = m["links"]
    back = await world.call("manifests", "get_manifest", manifest_id=link)
    assert (back["number"], back["facility_1"], back["linked_from"]) == (linked, e["generator"]["id"], mid)
    assert [(x["code"], x["quantity_kg"]) for x in back["lines"]] == [("17 02 03", 40.0)]
    return m
