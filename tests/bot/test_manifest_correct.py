"""/manifest, the generator's correction (a new version; the parties who had signed are named and
must sign again) with its refusals kept at their step, a correction nobody has to re-sign, and
copy 4 returned (cancel, confirm, a stale button)."""
from __future__ import annotations

from datetime import timedelta

from bot.flows.manifest import fmt_date, today
from tests.bot.manifest_chat import T, forged, linked
from tests.bot.manifest_fixtures import Parties, parties  # noqa: F401  (the fixture)


async def open_card(chat, number: str) -> str:  # type: ignore[no-untyped-def]
    await chat.send("/manifest")
    await chat.press("mf:list")
    [card] = await chat.press(number)
    return card


def test_a_correction_after_pickup_opens_version_2_and_names_who_must_sign_again(world, parties):
    p: Parties = parties
    mid = p.file("CT-401", 10, 20)
    p.manifests("transporter", "sign_pickup", manifest_id=mid)

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5041, p, "generator")
        await open_card(biz, "CT-401")
        assert await biz.press(f"mfcorr:{mid}") == [T("mf-corr-what", number="CT-401", changes=T("mf-corr-no-change"))]
        assert await biz.press("mfcw:done") == [T("mf-corr-nothing")]
        assert await biz.send("đổi") == [T("mf-corr-what-again")]
        assert await biz.press(T("mf-btn-corr-date")) == [
            T("mf-corr-ask-date", current=fmt_date("2025-01-01"), example=fmt_date(today()))]
        assert await biz.send("31/02/2025") == [T("mf-date-bad", text="31/02/2025", example=fmt_date(today()))]
        start, end = fmt_date(today() - timedelta(days=30)), fmt_date(today() + timedelta(days=365))
        assert await biz.send(fmt_date(today() + timedelta(days=400))) == [T("mf-date-range", start=start, end=end)]
        new_date = today() + timedelta(days=3)
        date_change = T("mf-corr-change-date", old=fmt_date("2025-01-01"), new=fmt_date(new_date))
        assert await biz.send(fmt_date(new_date)) == [T("mf-corr-what", number="CT-401", changes=date_change)]
        await biz.press(T("mf-btn-corr-kg"))
        assert await biz.press("mfck:2") == [T("mf-corr-ask-kg", line=2, code="17 02 03", current="20")]
        assert await biz.send("abc") == [T("mf-kg-bad", text="abc")]
        assert await biz.send("0") == [T("mf-kg-positive")]
        kg_change = T("mf-corr-change-kg", line=2, code="17 02 03", old="20", new="25,5")
        assert await biz.send("25,5") == [T("mf-corr-what", number="CT-401", changes=f"{date_change}\n{kg_change}")]
        await biz.press(T("mf-btn-corr-plate"))
        assert await biz.send("!!") == [T("mf-plate-bad", min=4, max=15)]
        await biz.send("30a-555.66")
        assert await biz.press(T("mf-btn-corr-transporters")) == [T("mf-corr-ask-transporter", position=1)]
        await biz.send(p.codes["transporter"])
        await biz.press(f"mfct:{p.ids['transporter']}")
        await biz.press(T("mf-btn-add-transporter"))
        await biz.send(p.codes["transporter2"])
        await biz.press(f"mfct:{p.ids['transporter2']}")
        [what] = await biz.press(T("mf-btn-done"))
        assert T("mf-corr-change-transporters", old=p.names["transporter"],
                 new=f"1. {p.names['transporter']} → 2. {p.names['transporter2']}") in what
        assert T("mf-corr-change-plate", old="29C-123.45", new="30A-555.66") in what
        assert await biz.press("mfcw:done") == [T("mf-corr-ask-code")]
        assert await biz.send("sai") == [T("mf-corr-code-again")]
        assert await biz.press(T("mf-ccode-data-error")) == [T("mf-corr-ask-reason")]
        [review] = await biz.send("Cân lại tại kho, thêm chặng đường sông")
        assert review.startswith(T("mf-corr-review", number="CT-401", version=2, changes="", code="",
                                   reason="").split("\n")[0])
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["manifest_version"] == 1   # not yet
        who = (f"{T('mf-party-generator')} ({p.names['generator']}), "
               f"{T('mf-party-transporter', position='1')} ({p.names['transporter']})")
        assert await biz.press(T("mf-btn-confirm-correct")) == [
            T("mf-corrected", number="CT-401", version=2, parties=who)]
        doc = p.manifests("generator", "get_manifest", manifest_id=mid)
        assert (doc["manifest_version"], doc["planned_date"], doc["vehicle_plate"]) == (
            2, new_date.isoformat(), "30A-555.66")
        assert [x["quantity_kg"] for x in doc["lines"]] == [10.0, 25.5]
        assert doc["transporters"] == [p.ids["transporter"], p.ids["transporter2"]]
        assert doc["resign"] == ["generator", "transporter1"]
        card = await open_card(biz, "CT-401")
        assert T("mf-show-resign", parties=who) in card
        assert biz.buttons() == [(T("mf-btn-sign-again", number="CT-401"), f"mfsa:{mid}")]
        assert "manifest" not in w.app.user_data[5041]

    world.run(story)


def test_a_draft_corrected_before_any_signature_needs_no_one_to_sign_again(world, parties):
    p: Parties = parties
    mid = p.file("CT-402", 10, sign=False)

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5042, p, "generator")
        await open_card(biz, "CT-402")
        assert [d for _, d in biz.buttons()] == [f"mfhand:{mid}", f"mfcorr:{mid}"]
        await biz.press(f"mfcorr:{mid}")
        await biz.press("mfcw:plate")
        await biz.send("29C-000.01")
        assert await forged(biz, "mfcw:facility_1") == [T("mf-corr-what-again")]   # not offered: stays
        assert await forged(biz, "mfcc:bribe") == [T("mf-corr-what-again")]
        await biz.press("mfcw:done")
        assert await forged(biz, "mfcc:bribe") == [T("mf-corr-code-again")]
        await biz.press("mfcc:vehicle_change")
        await biz.send("Đổi xe")
        assert await forged(biz, "mfcy:maybe") == [T("mf-confirm-pick")]
        assert await biz.press("mfcy:no") == [T("mf-cancelled-action")]
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["manifest_version"] == 1
        await biz.press(f"mfcorr:{mid}")
        await biz.press("mfcw:plate")
        await biz.send("29C-000.01")
        await biz.press("mfcw:done")
        await biz.press("mfcc:vehicle_change")
        await biz.send("Đổi xe")
        assert await biz.press("mfcy:yes") == [T("mf-corrected-none", number="CT-402", version=2)]
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["resign"] == []

    world.run(story)


def test_copy_4_is_confirmed_by_the_generator_once_the_waste_is_treated(world, parties):
    p: Parties = parties
    mid = p.file("CT-403", 10)
    p.manifests("transporter", "sign_pickup", manifest_id=mid)
    p.manifests("facility", "receive", manifest_id=mid, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 10}])

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5043, p, "generator")
        await open_card(biz, "CT-403")
        assert f"mfc4:{mid}" not in [d for _, d in biz.buttons()]                  # not treated yet
        p.manifests("facility", "treat", manifest_id=mid, method="Hoá rắn", treated_on=today().isoformat())
        card = await open_card(biz, "CT-403")
        assert T("mf-show-treated", method="Hoá rắn", date=fmt_date(today())) in card
        assert await biz.press(T("mf-btn-copy4", number="CT-403")) == [T("mf-ask-copy4", number="CT-403")]
        assert await biz.press("mfc4n:") == [T("mf-cancelled-action")]
        assert p.manifests("generator", "get_manifest", manifest_id=mid)["state"] == "treated"
        assert await biz.press(f"mfc4y:{mid}") == [
            T("mf-copy4-returned", number="CT-403", state=T("mf-state-copy4_returned"))]
        assert await biz.press(f"mfc4y:{mid}") == [                                  # acts once
            T("mf-copy4-returned", number="CT-403", state=T("mf-state-copy4_returned"))]
        assert await biz.press(f"mfc4:{mid}") == [
            T("mf-not-copy4", number="CT-403", state=T("mf-state-copy4_returned"))]
        assert await biz.press(f"mfcorr:{mid}") == [                                 # an old [Correct] button
            T("mf-not-correctable", number="CT-403", state=T("mf-state-copy4_returned"))]
        card = await open_card(biz, "CT-403")
        assert T("mf-show-copy4", date=fmt_date(today())) in card and biz.mine()[-1].buttons == []
        doc = p.manifests("generator", "get_manifest", manifest_id=mid)
        assert doc["state"] == "copy4_returned" and doc["custody"]["copy4"] == "generator"

    world.run(story)
