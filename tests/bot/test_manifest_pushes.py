"""Manifest pushes to the parties and their buttons, offline (bot/pushes/manifests.py,
bot/flows/manifest_signals.py).

Given a generator, a transporter and a facility registered at a seeded Hanoi site, each with a
chat linked by a one-time code (and a resident and an unrelated business beside them), manifests
are moved through the service as the parties; the bot's feed takes the public events
(`world.pushes()`), and the chats press the buttons it sent."""
from __future__ import annotations

import time

from bot.feed import BotFeed
from bot.flows.manifest_signals import command_id, parse
from bot.offline import BOT_USER
from bot.pushes.manifests import fmt_kg
from bot.texts import t
from shared.contracts import registry
from shared.kit.envelope import Received, decode
from shared.kit.follower import tracking_of
from tests.bot.manifest_fixtures import Parties, parties  # noqa: F401  (the fixture)
from tests.bot.manifest_chat import linked


def T(key: str, **args) -> str:  # type: ignore[no-untyped-def]
    return t("vi", key, **args)


def view(mid: str) -> tuple[str, str]:
    return (T("mfp-btn-view"), f"mfshow:{mid}")


def signatures(p: Parties, mid: str, party: str) -> list[dict]:
    return [s for s in p.manifests("generator", "get_manifest", manifest_id=mid)["signatures"] if s["party"] == party]


def correct_plate(p: Parties, mid: str) -> None:
    p.manifests("generator", "correct", manifest_id=mid, changes={"vehicle_plate": "30A-999.99"},
                reason="biển số ghi nhầm", reason_code="vehicle_change")


def picked_up(p: Parties, number: str, *kgs: float) -> str:
    mid = p.file(number, *kgs)
    p.manifests("transporter", "sign_pickup", manifest_id=mid)
    return mid


def received(p: Parties, number: str, declared: float, measured: float) -> str:
    mid = picked_up(p, number, declared)
    p.manifests("facility", "receive", manifest_id=mid,
                measured=[{"line": 1, "code": "16 01 06", "quantity_kg": measured}])
    return mid


async def chats(w, p: Parties):  # type: ignore[no-untyped-def]
    """The three parties' chats, a resident's and an unrelated business's; the feed caught up."""
    biz = await linked(w, 6101, p, "generator")
    truck = await linked(w, 6102, p, "transporter")
    plant = await linked(w, 6103, p, "facility")
    other = await linked(w, 6104, p, "plain")
    resident = w.chat(6105)
    await resident.send("/start")
    resident.replies()
    return biz, truck, plant, other, resident


def forwarded(chat, data: str):  # type: ignore[no-untyped-def]
    """A press of button `data` in this chat, on a copy of someone else's message."""
    message = {"message_id": 99_999, "date": int(time.time()), "chat": chat.chat, "from": BOT_USER, "text": "…"}
    return chat.update(callback_query={"id": "fwd", "from": chat.user, "chat_instance": "ci", "data": data,
                                       "message": message})


# -- correction: sign again --------------------------------------------------------------------
def test_a_correction_asks_exactly_the_parties_who_had_signed_and_sign_again_acts_once(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        mid = picked_up(p, f"CT-RS-{p.sfx}", 100)
        await w.pushes()
        for chat in (biz, truck, plant):
            chat.replies()

        # When the generator corrects the plate after the generator and the transporter signed
        correct_plate(p, mid)
        await w.pushes()

        # Then each of those two is asked to sign version 2 again; the facility, the resident and others are not
        number = f"CT-RS-{p.sfx}"
        for chat, party in ((biz, T("mfp-party-generator")), (truck, T("mfp-party-transporter", position=1))):
            assert chat.replies() == [T("mfp-resign", number=number, version=2, party=party,
                                        changed=T("mfp-field-vehicle_plate"),
                                        reason=T("mfp-correct-reason-vehicle_change"))]
            assert chat.buttons() == [(T("mfp-btn-sign-again"), f"mfa:s:{mid}:2"), view(mid)]
        for chat in (plant, other, resident):
            assert chat.replies() == []

        # When the transporter presses [Ký lại] twice
        first = await truck.press(f"mfa:s:{mid}:2")
        assert len(first) == 1 and first[0].endswith(T("mfp-signed-again", version=2))
        assert first[0].startswith(T("mfp-resign", number=number, version=2, party=T("mfp-party-transporter",
                                                                                     position=1),
                                     changed=T("mfp-field-vehicle_plate"),
                                     reason=T("mfp-correct-reason-vehicle_change")))
        assert truck.request.sent[-1].method == "editMessageText" and truck.request.sent[-1].buttons == []
        assert await truck.feed(truck.button_update(f"mfa:s:{mid}:2")) == []  # the same command: its same answer

        # Then it signed again once, and only for itself
        again = [s for s in signatures(p, mid, "transporter1") if s["version"] == 2]
        assert len(again) == 1
        doc = p.manifests("generator", "get_manifest", manifest_id=mid)
        assert doc["resign"] == ["generator"]
        assert w.cluster.calls.count(("manifests", "sign_again")) == 2  # the second press: the same command

        await biz.press(T("mfp-btn-sign-again"))
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["resign"] == []

    world.run(story)


def test_a_stranger_pressing_a_forwarded_sign_again_button_is_refused_and_nothing_changes(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        mid = picked_up(p, f"CT-FW-{p.sfx}", 100)
        correct_plate(p, mid)
        await w.pushes()
        truck.replies()
        before = p.manifests("generator", "get_manifest", manifest_id=mid)
        signs = w.cluster.calls.count(("manifests", "sign_again"))
        data = f"mfa:s:{mid}:2"
        for stranger, refusal in ((other, "mfp-refused-party"), (resident, "mfp-refused-role")):
            assert await stranger.feed(forwarded(stranger, data)) == [T(refusal)]
        after = p.manifests("generator", "get_manifest", manifest_id=mid)
        assert after["signatures"] == before["signatures"] and after["resign"] == ["generator", "transporter1"]
        assert w.cluster.calls.count(("manifests", "sign_again")) == signs

        # and a button of an older version than the manifest's signs nothing
        correct_plate(p, mid)  # version 3 (same plate again: still a new version)
        asked = T("mfp-resign", number=f"CT-FW-{p.sfx}", version=2, party=T("mfp-party-transporter", position=1),
                  changed=T("mfp-field-vehicle_plate"), reason=T("mfp-correct-reason-vehicle_change"))
        assert await truck.press(f"mfa:s:{mid}:2") == [f"{asked}\n\n{T('mfp-stale', pressed=2, current=3)}"]
        assert not [s for s in signatures(p, mid, "transporter1") if s["version"] >= 2]

    world.run(story)


def test_hostile_button_data_is_refused_before_any_call(world, parties):
    p = parties
    assert parse("mfa:s:0b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70:2") == ("s", "0b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70", 2)
    for bad in ("mfa:x:0b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70:2", "mfa:s:not-a-uuid-at-all-not-a-uuid-at-all0:2",
                "mfa:s:0B7C4A7E-1F7E-4F2A-9B1E-2D3C4B5A6F70:2", "mfa:s:0b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70:0",
                "mfa:s:0b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70:99999", "mfa:s:0b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70:2:x",
                "mfa:s:0b7c4a7e1f7e4f2a9b1e2d3c4b5a6f70----:2", None, 42, "mfa:" + "a" * 100):
        assert parse(bad) is None, bad
    assert command_id(b"k", 1, "s", "m", 2) == command_id(b"k", 1, "s", "m", 2) != command_id(b"k", 2, "s", "m", 2)

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6201, p, "generator")
        calls = len(w.cluster.calls)
        assert await biz.feed(forwarded(biz, "mfa:s:../../etc:2")) == [T("mfp-bad-button")]
        assert len(w.cluster.calls) == calls

    world.run(story)


# -- discrepancies: both sides ------------------------------------------------------------------
def test_a_discrepancy_reaches_both_sides_and_is_agreed_only_when_both_agree(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        number = f"CT-DC-{p.sfx}"
        mid = received(p, number, 100, 80)
        await w.pushes()

        # Then both sides see the figures, with [Đồng ý số liệu] and [Đề nghị cơ quan xử lý]
        lines = T("mfp-disc-weight", line=1, declared="100", measured="80", share="20")
        text = T("mfp-discrepancy", number=number, lines=lines)
        buttons = [(T("mfp-btn-agree"), f"mfa:a:{mid}:1"), (T("mfp-btn-escalate"), f"mfa:e:{mid}:1"), view(mid)]
        for chat in (biz, plant):
            assert text in chat.replies()
            assert chat.buttons() == buttons
        assert "100 kg" in text and "80 kg" in text
        assert truck.replies()[-1:] != [text] and other.replies() == [] and resident.replies() == []

        # When the generator agrees, it stays open and the facility is reminded
        assert await biz.press(T("mfp-btn-agree")) == [f"{text}\n\n{T('mfp-agreed-waiting')}"]
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["discrepancy"]["state"] == "open"
        await w.pushes()
        assert plant.replies() == [T("mfp-discrepancy-reminder", number=number, party=T("mfp-party-generator"),
                                     lines=lines)]
        assert biz.replies() == []

        # When the facility agrees too, it is agreed, and both are told
        assert (await plant.press(T("mfp-btn-agree")))[0].endswith(T("mfp-agreed-both"))
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["discrepancy"]["state"] == "agreed"
        await w.pushes()
        for chat in (biz, plant):
            assert chat.replies() == [T("mfp-discrepancy-agreed", number=number)]
        # and an [escalate] pressed afterwards on the old message changes nothing
        assert await biz.press(f"mfa:e:{mid}:1") == [T("mfp-refused-settled")]
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["discrepancy"]["state"] == "agreed"

    world.run(story)


def test_either_side_escalating_resolves_the_discrepancy_as_escalated(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        for who, chat in (("facility", plant), ("generator", biz)):
            number = f"CT-ES-{who[:3]}-{p.sfx}"
            mid = received(p, number, 50, 70.5)
            await w.pushes()
            biz.replies(), plant.replies(), truck.replies()
            # a transporter may not decide a discrepancy, even with the button in hand
            assert await truck.feed(forwarded(truck, f"mfa:e:{mid}:1")) == [T("mfp-refused-role")]
            assert (await chat.press(f"mfa:e:{mid}:1"))[0].endswith(T("mfp-escalated-done"))
            assert p.manifests("generator", "get_manifest", manifest_id=mid)["discrepancy"]["state"] == "escalated"
            await w.pushes()
            for side in (biz, plant):
                assert side.replies() == [T("mfp-discrepancy-escalated", number=number)]

    world.run(story)


# -- the next party's turn, a rejection ------------------------------------------------------------
def test_each_signature_tells_the_next_party_and_a_rejection_tells_the_generator(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        number = f"CT-TN-{p.sfx}"
        mid = p.file(number, 10, 20)
        await w.pushes()
        assert truck.replies() == [T("mfp-pickup-awaits", number=number)]
        assert truck.buttons() == [view(mid)]
        card = await truck.press(T("mfp-btn-view"))  # the manifest flow's card, with its own [sign] button
        assert len(card) == 1 and number in card[0] and card[0] != T("err-internal")
        p.manifests("transporter", "sign_pickup", manifest_id=mid)
        await w.pushes()
        assert plant.replies() == [T("mfp-arrival-awaits", number=number, previous=T("mfp-party-transporter",
                                                                                      position=1), leg=2)]
        p.manifests("facility", "reject", manifest_id=mid, lines=[2], reason="thùng rò rỉ", reason_code="packaging",
                    number=f"{number}-R")
        await w.pushes()
        assert T("mfp-rejected-part", number=number, lines="2", reason=T("mfp-reject-reason-packaging")) in biz.replies()
        assert other.replies() == [] and resident.replies() == []

    world.run(story)


# -- redelivery ---------------------------------------------------------------------------------------
def test_redelivered_events_queue_nothing_twice(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        mid = picked_up(p, f"CT-RD-{p.sfx}", 100)
        correct_plate(p, mid)
        assert await w.pushes() >= 3  # the pickup turn, the arrival turn… and two requests to sign again
        assert await w.pushes() == 0
        events = [e for e in w.cluster.kits["manifests"].mapper.events_since(0, 10_000) if e.get("subject") == mid]
        assert "vn.langxanh.manifests.manifest_corrected.v2" in [e["type"] for e in events]
        feed = BotFeed(w.store.db)
        assert not any(feed.process_event(e, tracking_of("manifests", e)) for e in events)  # the tracking has them all
        assert w.store.pending() == []

        # and the outbox row of one event and chat is queued once, even if the push runs twice
        from bot.pushes import manifests

        corrected = next(e for e in events if e["type"].endswith("manifest_corrected.v2"))
        with w.store.db.transaction() as cur:
            manifests.push(cur, decode(corrected))
            manifests.push(cur, decode(corrected))
        queued = w.store.pending()
        assert sorted(r["chat_id"] for r in queued) == [6101, 6102]
        assert all(r["id"].startswith(f"{corrected['id']}:") for r in queued)

    world.run(story)


def test_kilograms_read_as_the_language_writes_them():
    assert fmt_kg("vi", 1234.5) == "1.234,5" and fmt_kg("en", 1234.5) == "1,234.5" and fmt_kg("vi", 80.0) == "80"


def test_hostile_manifest_events_queue_nothing_and_break_nothing(tmp_path):
    from bot.pushes import manifests, parties as directory
    from bot.store import BotStore
    from shared.kit.config import Settings
    from shared.kit.store import plain_db

    store = BotStore(plain_db("bot", Settings(data_dir=tmp_path, database_url=None)), b"k")
    store.link(7001, 7001, "vi", "business", "0b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70")
    mid = "1b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70"
    drafted = {"id": "e0", "subject": mid, "data": {
        "id": mid, "number": "CT-1", "generator_id": "0b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70",
        "transporters": ["2b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70"], "facility_1": "3b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70"}}
    hostile = [
        ("manifest_drafted", {"id": "h1", "data": {"id": "x", "transporters": "all"}}),
        ("manifest_drafted", {"id": "h2", "data": {**drafted["data"], "id": "4b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70",
                                                    "transporters": ["'; DROP TABLE"]}}),
        ("manifest_received", {"id": "h3", "subject": mid, "data": {"facility": "generator", "discrepancies": "x"}}),
        ("manifest_received", {"id": "h4", "subject": mid, "data": {"facility": "facility1", "discrepancies": [
            {"line": "1", "kind": "weight", "declared_kg": 1, "measured_kg": 2},
            {"line": 1, "kind": "waste_type", "declared_code": "<b>", "measured_code": "16 01 06"}, 7]}}),
        ("manifest_signed_by_transporter", {"id": "h5", "subject": mid, "data": {"position": "0"}}),
        ("manifest_discrepancy_accepted", {"id": "h6", "subject": mid, "data": {"party": "transporter1"}}),
        ("manifest_discrepancy_resolved", {"id": "h7", "subject": mid, "data": {"outcome": "ignored"}}),
        ("manifest_corrected", {"id": "h8", "subject": "not-a-uuid", "data": []}),
        ("manifest_rejected", {"subject": mid, "data": {}}),  # no event id: no message id to keep it once
    ]
    with store.db.transaction() as cur:
        manifests.push(cur, unchecked("manifest_drafted", drafted))
        for name, event in hostile:
            manifests.push(cur, unchecked(name, event))
        row = directory.load(cur, mid)
        assert directory.load(cur, "4b7c4a7e-1f7e-4f2a-9b1e-2d3c4b5a6f70") is None
    assert store.pending() == []
    assert row["discrepancies"] == [] and row["signed"] == ["facility1"] and row["version"] == 1


def unchecked(name: str, event: dict) -> Received:
    """An event as a push module gets it, but with data its contract was never asked about (a push
    module stays careful with every field, whatever checked it before)."""
    contract = next(c for c in registry.EVENTS.values() if c.event == name)
    return Received(event=contract.model_construct(), type=registry.type_parts(contract), id=event.get("id", ""),
                    subject=event.get("subject") or "", time="", sequence=1, commune=None, data=event.get("data"))


def second_transporter(p: Parties) -> str:
    from shared.kit.actor import SYSTEM
    from tests.bot.manifest_fixtures import TRANSPORTER_CODES

    answer = p.cluster.call_sync(SYSTEM, "sites", "register_establishment", site_id=p.site_id,
                                 name=f"Vận tải Đông Anh {p.sfx}", form="enterprise", registration_code=f"VT2{p.sfx}",
                                 transporter=True, licence={"number": f"9-9-9.{p.sfx}.VX",
                                                            "waste_codes": TRANSPORTER_CODES})
    p.ids["transporter2"], p.names["transporter2"] = answer["id"], f"Vận tải Đông Anh {p.sfx}"
    return answer["id"]


def test_two_transporters_each_told_their_leg_and_a_new_route_asks_the_new_transporter(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        second = second_transporter(p)
        from tests.bot.manifest_fixtures import ADMIN

        code = p.cluster.call_sync(ADMIN, "sites", "issue_link_code", role="transporter", establishment_id=second)
        truck2 = w.chat(6106)
        await truck2.send("/start")
        await truck2.press("lang:en")
        await truck2.send(f"/link {code['code']}")
        truck2.replies()

        number = f"CT-2T-{p.sfx}"
        line = {"line": 1, "code": "16 01 06", "name": "bóng đèn", "state": "solid", "packaging": "thùng",
                "quantity_kg": 30, "method": "hoá rắn"}
        mid = p.manifests("generator", "create_manifest", generator_id=p.ids["generator"], number=number,
                          transporters=[p.ids["transporter"], second], facility_1=p.ids["facility"],
                          vehicle_plate="29C-123.45", lines=[line], planned_date="2025-01-01")["id"]
        p.manifests("generator", "sign_handover", manifest_id=mid)
        p.manifests("transporter", "sign_pickup", manifest_id=mid)
        await w.pushes()
        # Then transporter 2 (in English) is told its leg, and the facility nothing yet
        assert truck2.replies() == [t("en", "mfp-leg-awaits", number=number,
                                      previous=t("en", "mfp-party-transporter", position=1), leg=2)]
        assert plant.replies() == []
        truck.replies(), biz.replies()

        # When the generator swaps the two transporters before the second leg
        p.manifests("generator", "correct", manifest_id=mid, changes={"transporters": [second, p.ids["transporter"]]},
                    reason="đổi thứ tự", reason_code="route_change")
        await w.pushes()
        # Then "transporter 1" of version 2 (now the second company) and the generator are asked to sign again
        assert truck2.replies() == [t("en", "mfp-resign", number=number, version=2,
                                      party=t("en", "mfp-party-transporter", position=1),
                                      changed=t("en", "mfp-field-transporters"),
                                      reason=t("en", "mfp-correct-reason-route_change"))]
        assert truck2.buttons()[0] == (t("en", "mfp-btn-sign-again"), f"mfa:s:{mid}:2")
        assert len(biz.replies()) == 1 and truck.replies() == []
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["resign"] == ["generator", "transporter1"]
        reply = await truck2.press(f"mfa:s:{mid}:2")
        assert reply[0].endswith(t("en", "mfp-signed-again", version=2))
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["resign"] == ["generator"]

    world.run(story)


def test_a_long_discrepancy_is_cut_to_fit_a_message():
    from bot.pushes.manifests import SHOWN, figures

    many = [{"line": i, "kind": "weight", "declared_kg": 10.0, "measured_kg": 20.0} for i in range(1, 201)]
    text = figures("vi", many)
    assert len(text) < 3000 and text.count("\n") == SHOWN
    assert text.endswith(T("mfp-disc-more", count=200 - SHOWN))


def test_facility_2_is_told_its_turn_once_facility_1_has_received(world, parties):
    from shared.kit.actor import SYSTEM, Actor, Role
    from tests.bot.manifest_fixtures import ADMIN, FACILITY_CODES

    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        second = p.cluster.call_sync(SYSTEM, "sites", "register_establishment", site_id=p.site_id,
                                     name=f"Xử lý Sóc Sơn {p.sfx}", form="enterprise", registration_code=f"XL2{p.sfx}",
                                     treatment_facility=True, licence={"number": f"8-8-8.{p.sfx}.XL",
                                                                       "waste_codes": FACILITY_CODES})["id"]
        code = p.cluster.call_sync(ADMIN, "sites", "issue_link_code", role="treatment_facility",
                                   establishment_id=second)["code"]
        plant2 = w.chat(6107)
        await plant2.send(f"/link {code}")
        plant2.replies()
        number = f"CT-F2-{p.sfx}"
        line = {"line": 1, "code": "16 01 06", "name": "bóng đèn", "state": "solid", "packaging": "thùng",
                "quantity_kg": 30, "method": "hoá rắn"}
        mid = p.manifests("generator", "create_manifest", generator_id=p.ids["generator"], number=number,
                          transporters=[p.ids["transporter"]], facility_1=p.ids["facility"], facility_2=second,
                          vehicle_plate="29C-123.45", lines=[line], planned_date="2025-01-01")["id"]
        p.manifests("generator", "sign_handover", manifest_id=mid)
        p.manifests("transporter", "sign_pickup", manifest_id=mid)
        await w.pushes()
        assert plant2.replies() == []
        p.manifests("facility", "receive", manifest_id=mid, measured=[{"line": 1, "code": "16 01 06",
                                                                        "quantity_kg": 30}])
        await w.pushes()
        assert plant2.replies() == [T("mfp-facility2-turn", number=number)]
        assert plant2.buttons() == [view(mid)]
        # the second facility is a party: the card its [Xem chứng từ] opens is readable to it
        f2 = Actor(id=f"owner-f2-{p.sfx}", role=Role.TREATMENT_FACILITY, establishment=second)
        assert p.cluster.call_sync(f2, "manifests", "get_manifest", manifest_id=mid)["number"] == number

    world.run(story)


def test_a_correction_after_receipt_leaves_the_discrepancy_buttons_good(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        number = f"CT-DV-{p.sfx}"
        mid = received(p, number, 100, 80)
        correct_plate(p, mid)  # version 2: everyone who signed is asked again; the figures are the receipt's
        await w.pushes()
        assert (await biz.press(f"mfa:a:{mid}:1"))[-1].endswith(T("mfp-agreed-waiting"))
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["discrepancy"]["accepted_by"] == ["generator"]

    world.run(story)


def test_a_push_button_works_in_the_middle_of_a_manifest_conversation(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz, truck, plant, other, resident = await chats(w, p)
        mid = picked_up(p, f"CT-MC-{p.sfx}", 100)
        correct_plate(p, mid)
        await w.pushes()
        await biz.send("/manifest")
        assert await biz.press("mf:new") == [T("mf-ask-transporter")]  # a step whose catch-all takes buttons
        assert (await biz.press(f"mfa:s:{mid}:2"))[0].endswith(T("mfp-signed-again", version=2))
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["resign"] == ["transporter1"]

    world.run(story)
