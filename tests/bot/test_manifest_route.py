"""/manifest, the route of a new manifest: transporters in order (none twice, at most five),
facility 1 and an optional facility 2 (licence-checked, not facility 1, not a transporter), code
suggestions every named facility may take, and the review and card showing the route in order;
then transporters sign in turn (the second sees its pickup only after the first, and a stale
button pressed out of turn is explained)."""
from __future__ import annotations

import re

from bot.flows.manifest import fmt_date, today
from shared.kit.actor import SYSTEM
from tests.bot.manifest_chat import ENGINE_OIL, T, linked
from tests.bot.manifest_fixtures import TRANSPORTER_CODES, Parties, parties  # noqa: F401  (the fixture)


async def add_transporter(chat, p: Parties, who: str, position: int) -> None:  # type: ignore[no-untyped-def]
    await chat.send(p.codes[who])
    assert await chat.press(f"mft:{p.ids[who]}") == [T("mf-transporter-added", position=position, name=p.names[who])]


def test_two_transporters_and_two_facilities_in_order_with_every_refusal_at_its_step(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5011, p, "generator")
        await biz.send("/manifest")
        await biz.press("mf:new")
        await add_transporter(biz, p, "transporter", 1)
        assert await biz.send("hello") == [T("mf-transporter-more-pick")]            # buttons, not text
        assert await biz.press(T("mf-btn-add-transporter")) == [T("mf-ask-transporter-next", position=2)]
        await biz.send(p.codes["transporter"])
        assert await biz.press(f"mft:{p.ids['transporter']}") == [
            T("mf-transporter-twice", name=p.names["transporter"])]                    # the same one twice
        await add_transporter(biz, p, "transporter2", 2)
        route = f"1. {p.names['transporter']} → 2. {p.names['transporter2']}"
        assert await biz.press(T("mf-btn-done")) == [T("mf-ask-facility", name=route)]

        assert await biz.send(p.codes["bare"]) == [T("mf-facility-pick", query=p.codes["bare"])]
        assert await biz.press(f"mff:{p.ids['bare']}") == [T("mf-facility-unlicensed", name=p.names["bare"])]
        await biz.send(p.codes["facility"])
        assert await biz.press(f"mff:{p.ids['facility']}") == [T("mf-ask-facility2", name=p.names["facility"])]
        assert await biz.send("ok") == [T("mf-facility2-pick")]
        assert await biz.press(T("mf-btn-add-facility2")) == [
            T("mf-ask-facility2-search", name=p.names["facility"])]
        assert await biz.send(p.codes["transporter2"]) == [
            T("mf-facility-not-treatment", name=p.names["transporter2"])]               # a transporter, not a facility
        await biz.send(p.codes["facility"])
        assert await biz.press(f"mfg:{p.ids['facility']}") == [T("mf-facility2-same", name=p.names["facility"])]
        await biz.send(p.codes["narrow"])
        both = f"1. {p.names['facility']} → 2. {p.names['narrow']}"
        assert await biz.press(f"mfg:{p.ids['narrow']}") == [T("mf-ask-plate", name=both)]
        await biz.send("29C-123.45")
        await biz.press("mfd:today")

        # codes: only what both facilities may take (the narrow one takes engine oil only)
        assert await biz.send("16 01 06") == [T("mf-code-not-licensed", code="16 01 06", facility=p.names["narrow"])]
        assert await biz.send("bong den") == [T("mf-code-none-licensed", query="bong den", facility=p.names["narrow"],
                                                codes="16 01 06")]
        assert await biz.send("17 02 03") == [T("mf-ask-kg", code="17 02 03", name=ENGINE_OIL)]
        await biz.send("40")
        await biz.press("mfs:liquid")
        await biz.press("mfpk:default")
        await biz.send("Tái chế dầu")
        [review] = await biz.press("mfl:review")
        assert T("mf-review", number="N", generator=p.names["generator"], transporter=route, facility=both,
                 plate="29C-123.45", date=fmt_date(today()), lines="L", total="40").split("\n")[2] in review
        assert both in review
        number = re.search(r"BOT-\d{8}-[0-9A-F]{6}", review).group(0)
        assert await biz.press("mfr:send") == [T("mf-filed", number=number, state=T("mf-state-handed_over"))]
        [row] = p.mine()
        doc = p.manifests("generator", "get_manifest", manifest_id=row["id"])
        assert doc["transporters"] == [p.ids["transporter"], p.ids["transporter2"]]
        assert (doc["facility_1"], doc["facility_2"]) == (p.ids["facility"], p.ids["narrow"])

    world.run(story)


def test_at_most_five_transporters(world, parties):
    p = parties
    extra = []
    for i in range(3):
        made = p.cluster.call_sync(SYSTEM, "sites", "register_establishment", site_id=p.site_id,
                                   name=f"Vận tải Phụ {i} {p.sfx}", form="enterprise", registration_code=f"VP{i}{p.sfx}",
                                   transporter=True, licence={"number": f"9.{i}.{p.sfx}", "waste_codes": TRANSPORTER_CODES})
        p.ids[f"extra{i}"], p.names[f"extra{i}"], p.codes[f"extra{i}"] = made["id"], f"Vận tải Phụ {i} {p.sfx}", f"VP{i}{p.sfx}"
        extra.append(f"extra{i}")

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5012, p, "generator")
        await biz.send("/manifest")
        await biz.press("mf:new")
        for position, who in enumerate(["transporter", "transporter2", *extra[:2]], start=1):
            await add_transporter(biz, p, who, position)
            await biz.press(T("mf-btn-add-transporter"))
        await biz.send(p.codes[extra[2]])
        names = [p.names[x] for x in ["transporter", "transporter2", *extra]]
        assert await biz.press(f"mft:{p.ids[extra[2]]}") == [
            T("mf-transporters-full", max=5),
            T("mf-ask-facility", name=" → ".join(f"{i + 1}. {n}" for i, n in enumerate(names)))]
        await biz.send("/cancel")

    world.run(story)


def test_the_second_transporter_signs_after_the_first_and_an_out_of_turn_press_is_explained(world, parties):
    p = parties
    mid = p.file("CT-201", 10, transporters=("transporter", "transporter2"))

    async def story(w):  # type: ignore[no-untyped-def]
        first = await linked(w, 5021, p, "transporter")
        second = await linked(w, 5022, p, "transporter2")
        biz = await linked(w, 5023, p, "generator")
        await second.send("/manifest")
        assert await second.press("mf:await") == [T("mf-await-none")]                 # not its turn yet
        await second.press("mf:list")
        [card] = await second.press("CT-201")
        assert T("mf-show-wait-turn") in card and second.mine()[-1].buttons == []        # no [Sign pickup]
        await first.send("/manifest")
        await first.press("mf:await")
        assert await first.press("mfpick:" + mid) == [T("mf-picked-up", number="CT-201", state=T("mf-state-in_transit"))]
        assert await first.press("mfpick:" + mid) == [T("mf-picked-up", number="CT-201", state=T("mf-state-in_transit"))]
        await second.press("mf:await")
        assert second.buttons() == [(T("mf-btn-pickup", number="CT-201"), f"mfpick:{mid}")]
        # the generator corrects the plate meanwhile: both who signed must sign again first
        p.manifests("generator", "correct", manifest_id=mid, changes={"vehicle_plate": "29C-999.99"},
                    reason="đổi xe", reason_code="vehicle_change")
        assert await second.press(T("mf-btn-pickup", number="CT-201")) == [
            T("mf-refused", number="CT-201", reason=T("mf-reason-resign"))]
        await first.press("mf:list")
        [card] = await first.press("CT-201")
        assert first.buttons() == [(T("mf-btn-sign-again", number="CT-201"), f"mfsa:{mid}")]
        assert await first.press(f"mfsa:{mid}") == [
            T("mf-signed-again", number="CT-201", state=T("mf-state-in_transit"))]
        assert await first.press(f"mfsa:{mid}") == [                                    # acts once
            T("mf-signed-again", number="CT-201", state=T("mf-state-in_transit"))]
        await biz.send("/manifest")
        await biz.press("mf:list")
        await biz.press("CT-201")
        await biz.press(f"mfsa:{mid}")
        assert await second.press(T("mf-btn-pickup", number="CT-201")) == [
            T("mf-picked-up", number="CT-201", state=T("mf-state-in_transit"))]
        doc = p.manifests("transporter", "get_manifest", manifest_id=mid)
        assert doc["resign"] == [] and [s["party"] for s in doc["signatures"]][-1] == "transporter2"

    world.run(story)


def test_facility_2_acts_after_facility_1_and_signs_its_own_treatment(world, parties):
    p = parties
    mid = p.file("CT-202", 10, facility_2="facility2")
    p.manifests("transporter", "sign_pickup", manifest_id=mid)

    async def story(w):  # type: ignore[no-untyped-def]
        second = await linked(w, 5031, p, "facility2")
        await second.send("/manifest")
        assert await second.press("mf:await") == [T("mf-await-none")]                 # facility 1 first
        await second.press("mf:list")
        [card] = await second.press("CT-202")
        assert f"1. {p.names['facility']} → 2. {p.names['facility2']}" in card
        assert second.mine()[-1].buttons == []                                        # nothing to press yet
        p.manifests("facility", "receive", manifest_id=mid, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 10}])
        await second.press("mf:await")
        assert second.buttons() == [(T("mf-btn-treat", number="CT-202"), f"mftreat:{mid}")]
        await second.press(f"mftreat:{mid}")
        await second.press("mftd:today")
        await second.send("Tái chế thủy tinh")
        assert await second.press("mfrt:yes") == [T("mf-treated", number="CT-202", state=T("mf-state-treated"))]
        doc = p.manifests("facility2", "get_manifest", manifest_id=mid)
        assert doc["treatment"] == {"method": "Tái chế thủy tinh", "date": today().isoformat()}

    world.run(story)
