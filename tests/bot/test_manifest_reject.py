"""/manifest, rejection by a facility: the whole load to an alternate licensed facility (the
facility itself and an unlicensed one refused at that step), chosen lines back to the
generator, bad input kept at its step, a manifest no longer in transit, and a cancel that
signs nothing."""
from __future__ import annotations

import re

from tests.bot.manifest_chat import T, forged, linked
from tests.bot.manifest_fixtures import Parties, parties  # noqa: F401  (the fixture)


async def to_reason(plant, mid: str, number: str) -> None:  # type: ignore[no-untyped-def]
    await plant.send("/manifest")
    await plant.press("mf:await")
    assert await plant.press(f"mfrej:{mid}") == [T("mf-ask-reject-which", number=number)]


def test_the_whole_load_goes_to_an_alternate_licensed_facility(world, parties):
    p: Parties = parties
    mid = p.file("CT-301", 10, 20)
    p.manifests("transporter", "sign_pickup", manifest_id=mid)

    async def story(w):  # type: ignore[no-untyped-def]
        plant = await linked(w, 5031, p, "facility")
        await to_reason(plant, mid, "CT-301")
        assert await plant.send("cả lô") == [T("mf-reject-which-again")]
        assert await plant.press(T("mf-btn-reject-all")) == [T("mf-ask-reject-code")]
        assert await plant.send("khác") == [T("mf-reject-code-again")]
        assert await plant.press(T("mf-rcode-capacity")) == [T("mf-ask-reject-reason")]
        assert await plant.send("x") == [T("mf-text-length", min=2, max=200)]
        assert await plant.send("Lò đốt đang bảo trì") == [T("mf-ask-reject-dest")]
        assert await plant.press(T("mf-btn-alternate")) == [T("mf-ask-alternate")]
        await plant.send(p.codes["facility"])
        assert await plant.press(f"mfra:{p.ids['facility']}") == [T("mf-alternate-self")]
        await plant.send(p.codes["narrow"])
        assert await plant.press(f"mfra:{p.ids['narrow']}") == [
            T("mf-alternate-not-licensed", name=p.names["narrow"], codes="16 01 06")]
        await plant.send(p.codes["facility2"])
        [review] = await plant.press(f"mfra:{p.ids['facility2']}")
        new_number = re.search(r"BOT-\d{8}-[0-9A-F]{6}", review).group(0)
        assert review == T("mf-reject-review", number="CT-301", lines=T("mf-reject-whole"),
                           code=T("mf-rcode-capacity"), reason="Lò đốt đang bảo trì", dest=p.names["facility2"],
                           new_number=new_number)
        assert p.manifests("facility", "get_manifest", manifest_id=mid)["state"] == "in_transit"   # not yet
        assert await plant.press(T("mf-btn-confirm-reject")) == [
            T("mf-rejected", number="CT-301", state=T("mf-state-rejected"), new_number=new_number,
              dest=p.names["facility2"])]
        doc = p.manifests("facility", "get_manifest", manifest_id=mid)
        assert doc["state"] == "rejected" and all(x["rejected"] for x in doc["lines"])
        [link] = doc["links"]
        moved = p.manifests("generator", "get_manifest", manifest_id=link)
        assert (moved["number"], moved["facility_1"], moved["state"]) == (new_number, p.ids["facility2"], "draft")
        assert [x["quantity_kg"] for x in moved["lines"]] == [10.0, 20.0]
        # the rejected manifest offers no more receipt
        assert await plant.press("mf:await") == [T("mf-await-none")]
        assert "manifest" not in w.app.user_data[5031]

    world.run(story)


def test_chosen_lines_go_back_to_the_generator_and_the_rest_is_received(world, parties):
    p: Parties = parties
    mid = p.file("CT-302", 10, 20, 30)
    p.manifests("transporter", "sign_pickup", manifest_id=mid)

    async def story(w):  # type: ignore[no-untyped-def]
        plant = await linked(w, 5032, p, "facility")
        biz = await linked(w, 5033, p, "generator")
        await to_reason(plant, mid, "CT-302")
        assert await plant.press(T("mf-btn-reject-some")) == [T("mf-ask-reject-lines", number="CT-302")]
        labels = [label for label, _ in plant.buttons()]
        assert labels[0].startswith("☐ 1. 16 01 06 · 10 kg") and labels[-1] == T("mf-btn-done")
        assert await plant.send("2") == [T("mf-reject-lines-again")]
        await plant.press("mfrl:1")
        await plant.press("mfrl:3")
        assert await plant.press("mfrl:1") == [T("mf-reject-chosen", lines="3")]          # toggled off again
        assert plant.buttons()[2][0].startswith("☑ 3.")
        await plant.press("mfrl:done")
        await plant.press("mfrr:packaging")
        await plant.send("Thùng phuy thủng")
        [review] = await plant.press(T("mf-btn-back-generator"))
        assert "3. 16 01 06 · 30 kg" in review and T("mf-reject-to-generator") in review
        new_number = re.search(r"BOT-\d{8}-[0-9A-F]{6}", review).group(0)
        await plant.press(T("mf-btn-confirm-reject"))
        doc = p.manifests("facility", "get_manifest", manifest_id=mid)
        assert doc["state"] == "in_transit" and [x.get("rejected", False) for x in doc["lines"]] == [False, False, True]
        moved = p.manifests("generator", "get_manifest", manifest_id=doc["links"][0])
        assert (moved["number"], moved["facility_1"]) == (new_number, p.ids["generator"])
        # the rest is received: two lines asked, not three
        await plant.press("mf:await")
        replies = await plant.press(f"mfrecv:{mid}")
        assert replies[0].startswith(T("mf-ask-measured", number="CT-302", line=1, count=2, code="16 01 06",
                                       name="", declared="10")[:45])
        await plant.press("mfsame:all")
        await plant.press(T("mf-btn-confirm-receive"))
        assert p.manifests("facility", "get_manifest", manifest_id=mid)["state"] == "received"
        # the generator's card shows the rejected line and its linked manifest
        await biz.send("/manifest")
        await biz.press("mf:list")
        [card] = await biz.press("CT-302")
        assert T("mf-show-rejected", lines="3", kg="30", count=1) in card

    world.run(story)


def test_a_manifest_not_in_transit_cannot_be_rejected_and_cancel_signs_nothing(world, parties):
    p: Parties = parties
    mid = p.file("CT-303", 10)
    p.manifests("transporter", "sign_pickup", manifest_id=mid)

    async def story(w):  # type: ignore[no-untyped-def]
        plant = await linked(w, 5034, p, "facility")
        await to_reason(plant, mid, "CT-303")
        assert await forged(plant, "mfrw:half") == [T("mf-reject-which-again")]
        await plant.press(T("mf-btn-reject-some"))
        assert await forged(plant, "mfrl:99") == [T("mf-reject-lines-again")]    # not a line of it
        assert await plant.press("mfrl:done") == [T("mf-reject-none-chosen")]
        await plant.press("mfrl:1")
        await plant.press("mfrl:done")
        await plant.press("mfrr:other")
        await plant.send("Không rõ nguồn gốc")
        assert await forged(plant, "mfrd:sea") == [T("mf-reject-dest-again")]
        await plant.press("mfrd:generator")
        assert await plant.press("mfrj:no") == [T("mf-cancelled-action")]
        assert p.manifests("facility", "get_manifest", manifest_id=mid)["links"] == []
        # received elsewhere meanwhile: the old [Reject] button is refused in words
        await plant.press("mf:await")
        p.manifests("facility", "receive", manifest_id=mid, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 10}])
        assert await plant.press(f"mfrej:{mid}") == [
            T("mf-not-rejectable", number="CT-303", state=T("mf-state-received"))]
        assert "manifest" not in w.app.user_data[5034]

    world.run(story)
