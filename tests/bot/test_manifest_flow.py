"""/manifest, offline through the chat driver against the four services in-process.

Given a generator, a licensed transporter and a licensed treatment facility registered at a
seeded Hanoi site and three chats linked to them with one-time codes, these stories file a
manifest step by step, sign it at pickup, receive it with weighed quantities and mark it
treated; bulk-sign; and check that bad input at every step is explained in the user's language
with nothing filed, that /cancel files nothing, and that residents are sent to /link."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import get_args

import pytest
from fluent.syntax import FluentParser, ast

from bot.flows.manifest import code_of, fmt_date, fmt_kg, parse_date, parse_kg, today
from bot.texts import LOCALES_DIR, t
from shared.contracts.manifests import ManifestState, PhysicalState
from shared.kit.actor import SYSTEM
from tests.bot.manifest_fixtures import ROLES, Parties, parties  # noqa: F401  (the fixture)

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


async def to_lines(chat, p: Parties) -> None:  # type: ignore[no-untyped-def]
    """A business chat from /manifest to the first waste line (transporter, facility, plate, today)."""
    assert await chat.send("/manifest") == [T("mf-menu", name=p.names["generator"], role=T("role-business"))]
    assert await chat.press("mf:new") == [T("mf-ask-transporter")]
    assert await chat.send(p.codes["transporter"]) == [T("mf-transporter-pick", query=p.codes["transporter"])]
    assert await chat.press(f"mft:{p.ids['transporter']}") == [T("mf-ask-facility", name=p.names["transporter"])]
    assert await chat.send(p.codes["facility"]) == [T("mf-facility-pick", query=p.codes["facility"])]
    assert await chat.press(f"mff:{p.ids['facility']}") == [T("mf-ask-plate", name=p.names["facility"])]
    assert await chat.send("29C-123.45") == [T("mf-ask-date", example=fmt_date(today()))]
    assert await chat.press("mfd:today") == [T("mf-ask-code", line=1)]


async def one_line(chat) -> None:  # type: ignore[no-untyped-def]
    """16 01 06, 12,5 kg, solid, the default packaging, solidification: then the [Add/Review] step."""
    await chat.send("16 01 06")
    await chat.send("12,5")
    await chat.press("mfs:solid")
    await chat.press("mfpk:default")
    replies = await chat.send("Hoá rắn")
    assert replies[0].startswith(T("mf-line-added", line=1, summary="").split("\n")[0])


# -- the whole chain -------------------------------------------------------------------------------
def test_a_business_files_a_manifest_the_transporter_picks_it_up_the_facility_receives_and_treats_it(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5101, p, "generator")
        truck = await linked(w, 5102, p, "transporter")
        plant = await linked(w, 5103, p, "facility")

        # Given the business has chosen its transporter by name (no diacritics) and its facility by code
        assert await biz.send("/manifest") == [T("mf-menu", name=p.names["generator"], role=T("role-business"))]
        assert [label for label, _ in biz.buttons()] == [T("mf-btn-new"), T("mf-btn-list")]
        assert await biz.press(T("mf-btn-new")) == [T("mf-ask-transporter")]
        query = f"song hong {p.sfx.lower()}"
        assert await biz.send(query) == [T("mf-transporter-pick", query=query)]
        assert biz.buttons() == [(f"{p.names['transporter']} · {p.codes['transporter']}",
                                  f"mft:{p.ids['transporter']}")]
        assert await biz.press(f"mft:{p.ids['transporter']}") == [T("mf-ask-facility", name=p.names["transporter"])]
        assert await biz.send(p.codes["facility"].lower()) == [T("mf-facility-pick", query=p.codes["facility"].lower())]
        assert await biz.press(f"mff:{p.ids['facility']}") == [T("mf-ask-plate", name=p.names["facility"])]
        assert await biz.send("29c-123.45") == [T("mf-ask-date", example=fmt_date(today()))]
        assert await biz.press(T("mf-btn-today")) == [T("mf-ask-code", line=1)]

        # When it types a code, then words that the catalogue suggests codes for
        assert await biz.send("16 01 06") == [T("mf-ask-kg", code="16 01 06", name=LAMPS)]
        assert await biz.send("12,5") == [T("mf-ask-state", kg="12,5", usual=T("mf-pstate-solid"))]
        assert await biz.press("mfs:solid") == [T("mf-ask-packaging", state=T("mf-pstate-solid"))]
        assert await biz.press(T("mf-btn-packaging-default")) == [
            T("mf-ask-method", packaging=T("mf-packaging-default"))]
        first = T("mf-line", line=1, code="16 01 06", name=LAMPS, kg="12,5", state=T("mf-pstate-solid"),
                  packaging=T("mf-packaging-default"), method="Hoá rắn")
        assert await biz.send("Hoá rắn") == [T("mf-line-added", line=1, summary=first)]
        assert await biz.press(T("mf-btn-add-line")) == [T("mf-ask-code", line=2)]
        assert await biz.send("dau dong co") == [T("mf-code-pick", count=1)]
        assert biz.buttons() == [(f"17 02 03 · {ENGINE_OIL}", "mfc:17 02 03")]  # 17 02 04 matches, not licensed
        assert await biz.press("mfc:17 02 03") == [T("mf-ask-kg", code="17 02 03", name=ENGINE_OIL)]
        assert await biz.send("40") == [T("mf-ask-state", kg="40", usual=T("mf-pstate-liquid"))]
        await biz.press("mfs:liquid")
        assert ("Như dòng trước: Thùng chứa kín có nắp", "mfpk:prev") in biz.buttons()
        assert await biz.send("Can nhựa 20 lít") == [T("mf-ask-method", packaging="Can nhựa 20 lít")]
        second = T("mf-line", line=2, code="17 02 03", name=ENGINE_OIL, kg="40", state=T("mf-pstate-liquid"),
                   packaging="Can nhựa 20 lít", method="Tái chế dầu")
        assert await biz.send("Tái chế dầu") == [T("mf-line-added", line=2, summary=second)]

        # Then the review shows everything, and nothing is filed before the signature
        review = await biz.press(T("mf-btn-review"))
        number = re.search(r"BOT-\d{8}-[0-9A-F]{6}", review[0]).group(0)
        assert number.startswith(f"BOT-{today():%Y%m%d}-")
        assert review == [T("mf-review", number=number, generator=p.names["generator"],
                            transporter=p.names["transporter"], facility=p.names["facility"], plate="29C-123.45",
                            date=fmt_date(today()), lines=f"{first}\n{second}", total="52,5")]
        assert p.mine() == []
        assert await biz.press(T("mf-btn-sign-send")) == [
            T("mf-filed", number=number, state=T("mf-state-handed_over"))]
        [row] = p.mine()
        mid = row["id"]
        doc = p.manifests("generator", "get_manifest", manifest_id=mid)
        assert (doc["number"], doc["state"], doc["vehicle_plate"], doc["planned_date"]) == (
            number, "handed_over", "29C-123.45", today().isoformat())
        assert doc["transporters"] == [p.ids["transporter"]] and doc["facility_1"] == p.ids["facility"]
        assert [(x["code"], x["quantity_kg"], x["state"], x["packaging"], x["method"]) for x in doc["lines"]] == [
            ("16 01 06", 12.5, "solid", "Thùng chứa kín có nắp", "Hoá rắn"),
            ("17 02 03", 40.0, "liquid", "Can nhựa 20 lít", "Tái chế dầu")]
        assert "manifest" not in w.app.user_data[5101]

        # The transporter sees it awaiting its signature and signs the pickup
        assert await truck.send("/manifest") == [T("mf-menu", name=p.names["transporter"], role=T("role-transporter"))]
        assert await truck.press(T("mf-btn-await")) == ["\n".join([
            T("mf-await-title", count=1),
            T("mf-list-line", number=number, state=T("mf-state-handed_over"), party=T("mf-party-transporter",
                                                                                       position="1"))])]
        assert truck.buttons() == [(T("mf-btn-pickup", number=number), f"mfpick:{mid}")]   # no [Sign all] for one
        assert await truck.press(T("mf-btn-pickup", number=number)) == [
            T("mf-picked-up", number=number, state=T("mf-state-in_transit"))]
        assert p.manifests("transporter", "get_manifest", manifest_id=mid)["state"] == "in_transit"
        assert await truck.press("mf:await") == [T("mf-await-none")]

        # The facility receives it with weighed quantities (line 2 is 25 % short) and marks it treated
        assert await plant.send("/manifest") == [T("mf-menu", name=p.names["facility"],
                                                   role=T("role-treatment_facility"))]
        await plant.press("mf:await")
        assert plant.buttons() == [(T("mf-btn-receive", number=number), f"mfrecv:{mid}")]
        assert await plant.press(f"mfrecv:{mid}") == [T("mf-ask-measured", number=number, line=1, count=2,
                                                        code="16 01 06", name=LAMPS, declared="12,5")]
        assert [label for label, _ in plant.buttons()] == [T("mf-btn-same", kg="12,5"), T("mf-btn-same-all")]
        assert await plant.send("12") == [T("mf-ask-measured", number=number, line=2, count=2, code="17 02 03",
                                             name=ENGINE_OIL, declared="40")]
        assert await plant.send("30") == [T("mf-receive-review", number=number, lines="\n".join([
            T("mf-measured-line", line=1, code="16 01 06", declared="12,5", measured="12"),
            T("mf-measured-line", line=2, code="17 02 03", declared="40", measured="30") + " "
            + T("mf-flag-discrepancy")]))]
        assert p.manifests("facility", "get_manifest", manifest_id=mid)["state"] == "in_transit"
        received = await plant.press(T("mf-btn-confirm-receive"))
        doc = p.manifests("facility", "get_manifest", manifest_id=mid)
        assert doc["state"] == "received"
        assert [(x["line"], x["quantity_kg"]) for x in doc["received"]["lines"]] == [(1, 12.0), (2, 30.0)]
        assert received == [T("mf-received", number=number, state=T("mf-state-received")),
                            T("mf-received-discrepancy", lines="2", due=fmt_date(doc["discrepancy"]["due"])),
                            T("mf-next-treat", number=number)]
        assert await plant.press(T("mf-btn-treat", number=number)) == [
            T("mf-ask-treat-method", numbers=number, date=fmt_date(today()))]
        assert await plant.send("Đốt ở 1.100 °C") == [
            T("mf-treat-review", numbers=number, method="Đốt ở 1.100 °C", date=fmt_date(today()))]
        assert await plant.press("mfrt:yes") == [T("mf-treated", number=number, state=T("mf-state-treated"))]
        doc = p.manifests("facility", "get_manifest", manifest_id=mid)
        assert doc["state"] == "treated"
        assert doc["treatment"]["method"] == "Đốt ở 1.100 °C" and doc["treatment"]["date"] == today().isoformat()

        # And the business lists its manifests and opens this one
        await biz.send("/manifest")
        assert await biz.press(T("mf-btn-list")) == ["\n".join([
            T("mf-list-title", count=1),
            T("mf-list-line", number=number, state=T("mf-state-treated"), party=T("mf-party-generator"))])]
        [shown] = await biz.press(number)
        assert shown.startswith(T("mf-show", number=number, version=1, state=T("mf-state-treated"),
                                  generator=p.names["generator"], transporters=p.names["transporter"],
                                  facility=p.names["facility"], plate="29C-123.45", date=fmt_date(today()),
                                  lines=f"{first}\n{second}", total="52,5"))
        assert T("mf-show-received", kg="42") in shown
        assert T("mf-show-discrepancy", lines="2", due=fmt_date(doc["discrepancy"]["due"])) in shown
        assert T("mf-show-treated", method="Đốt ở 1.100 °C", date=fmt_date(today())) in shown
        for uid in (5101, 5102, 5103):
            assert "manifest" not in w.app.user_data.get(uid, {})

    world.run(story)


# -- bulk signatures -------------------------------------------------------------------------------
def test_the_transporter_signs_two_pickups_at_once_and_the_facility_marks_two_treated(world, parties):
    p = parties
    one, two, three = p.file("CT-001", 10), p.file("CT-002", 20), p.file("CT-003", 5)

    async def story(w):  # type: ignore[no-untyped-def]
        truck = await linked(w, 5201, p, "transporter")
        plant = await linked(w, 5202, p, "facility")

        await truck.send("/manifest")
        listing = await truck.press("mf:await")
        assert listing[0].startswith(T("mf-await-title", count=3))
        assert truck.buttons()[-1][0] == T("mf-btn-pickup-all", count=3)
        # meanwhile CT-003 is signed elsewhere (another phone of the same transporter)
        p.manifests("transporter", "sign_pickup", manifest_id=three)
        result = await truck.press(T("mf-btn-pickup-all", count=3))
        assert result == ["\n".join([T("mf-bulk-result", signed=2, total=3),
                                     T("mf-bulk-signed-line", number="CT-001"),
                                     T("mf-bulk-signed-line", number="CT-002"),
                                     T("mf-bulk-failed-line", number="CT-003", reason=T("mf-reason-twice"))])]
        states = {r["number"]: r["state"] for r in p.mine("transporter")}
        assert states == {"CT-001": "in_transit", "CT-002": "in_transit", "CT-003": "in_transit"}
        # pressing again acts once: the same answer, no second signature
        assert await truck.press(T("mf-btn-pickup-all", count=3)) == result
        doc = p.manifests("transporter", "get_manifest", manifest_id=one)
        assert [s["party"] for s in doc["signatures"]] == ["generator", "transporter1"]

        for mid, kg in ((one, 10), (two, 20)):
            p.manifests("facility", "receive", manifest_id=mid,
                        measured=[{"line": 1, "code": "16 01 06", "quantity_kg": kg}])
        await plant.send("/manifest")
        await plant.press("mf:await")
        labels = [label for label, _ in plant.buttons()]
        assert labels == [T("mf-btn-receive", number="CT-003"), T("mf-btn-treat", number="CT-001"),
                          T("mf-btn-treat", number="CT-002"), T("mf-btn-treat-all", count=2)]
        assert await plant.press(T("mf-btn-treat-all", count=2)) == [
            T("mf-ask-treat-method", numbers="CT-001, CT-002", date=fmt_date(today()))]
        assert p.manifests("facility", "get_manifest", manifest_id=one)["state"] == "received"
        assert await plant.send("Hoá rắn") == [
            T("mf-treat-review", numbers="CT-001, CT-002", method="Hoá rắn", date=fmt_date(today()))]
        assert await plant.press(T("mf-btn-confirm-treat")) == ["\n".join([
            T("mf-bulk-result", signed=2, total=2), T("mf-bulk-signed-line", number="CT-001"),
            T("mf-bulk-signed-line", number="CT-002")])]
        for mid in (one, two):
            doc = p.manifests("facility", "get_manifest", manifest_id=mid)
            assert doc["state"] == "treated" and doc["treatment"]["method"] == "Hoá rắn"
        assert p.manifests("facility", "get_manifest", manifest_id=three)["state"] == "in_transit"

    world.run(story)


# -- bad input -------------------------------------------------------------------------------------
def test_bad_input_at_every_step_is_explained_and_nothing_is_filed(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5301, p, "generator")
        before = creates(w)
        await biz.send("/manifest")
        await biz.press("mf:new")
        assert await biz.send("x") == [T("mf-search-length", min=2, max=100)]
        assert await biz.send("zzzz qqqq") == [T("mf-transporter-none", query="zzzz qqqq")]
        assert await biz.send(p.codes["facility"]) == [T("mf-transporter-none", query=p.codes["facility"])]
        assert await biz.press("mf:new") == [T("mf-ask-transporter")]          # a fresh draft
        await biz.send(p.codes["transporter"])
        await biz.press(f"mft:{p.ids['transporter']}")
        assert await biz.send(p.codes["generator"]) == [T("mf-facility-none", query=p.codes["generator"])]
        await biz.send(p.codes["facility"])
        assert await biz.send("hello") == [T("mf-facility-none", query="hello")]
        await biz.press(f"mff:{p.ids['facility']}")

        for plate in ("AB", "29C-123.45.678.90", "!!!!!", "ABCDE", "12345"):
            assert await biz.send(plate) == [T("mf-plate-bad", min=4, max=15)], plate
        await biz.send("29LD-012.34")
        example = fmt_date(today())
        for text in ("31/02/2025", "hôm qua", "2025/13/01"):
            assert await biz.send(text) == [T("mf-date-bad", text=text, example=example)], text
        start, end = fmt_date(today() - timedelta(days=30)), fmt_date(today() + timedelta(days=365))
        for day in (today() + timedelta(days=400), today() - timedelta(days=31)):
            assert await biz.send(f"{day:%d/%m/%Y}") == [T("mf-date-range", start=start, end=end)]
        assert await biz.send("hôm nay") == [T("mf-ask-code", line=1)]

        assert await biz.send("99 99 99") == [T("mf-code-unknown", code="99 99 99", version=CATALOGUE_VERSION)]
        assert await biz.send("xyzxyz") == [T("mf-code-none", query="xyzxyz")]
        assert await biz.send("16 01 12") == [T("mf-code-not-licensed", code="16 01 12", facility=p.names["facility"])]
        assert await biz.send("ac quy") == [T("mf-code-none-licensed", query="ac quy", facility=p.names["facility"],
                                              codes="16 01 12, 19 06 01, 19 06 02")]
        assert await biz.send("x") == [T("mf-code-length", min=2, max=100)]
        assert await biz.send("160106") == [T("mf-ask-kg", code="16 01 06", name=LAMPS)]

        assert await biz.send("-5") == [T("mf-kg-positive")]
        assert await biz.send("0") == [T("mf-kg-positive")]
        assert await biz.send("0,0") == [T("mf-kg-positive")]
        assert await biz.send("abc") == [T("mf-kg-bad", text="abc")]
        assert await biz.send("12,5,3") == [T("mf-kg-bad", text="12,5,3")]
        assert await biz.send("2000000") == [T("mf-kg-too-big", max="1.000.000")]
        assert await biz.send("1.250,5") == [T("mf-ask-state", kg="1.250,5", usual=T("mf-pstate-solid"))]

        assert await biz.send("rắn") == [T("mf-state-pick")]                 # buttons, not text
        await biz.press("mfs:solid")
        assert await biz.send("x") == [T("mf-text-length", min=2, max=200)]
        await biz.press("mfpk:default")
        assert await biz.send("a") == [T("mf-text-length", min=2, max=200)]
        assert (await biz.send("Hoá rắn"))[0].startswith(T("mf-line-added", line=1, summary="").split("\n")[0])
        assert await biz.send("what now?") == [T("mf-more-pick")]
        await biz.press("mfl:review")
        assert await biz.send("ok") == [T("mf-review-pick")]
        assert await biz.press("mfd:today") == [T("mf-review-pick")]       # a stale button of an earlier step

        assert p.mine() == [] and creates(w) == before
        await biz.press("mfr:cancel")
        assert p.mine() == [] and creates(w) == before
        assert "manifest" not in w.app.user_data[5301]

    world.run(story)


def test_cancel_mid_draft_files_nothing_and_frees_the_chat(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5401, p, "generator")
        before = creates(w)

        # mid-line
        await to_lines(biz, p)
        await biz.send("16 01 06")
        assert await biz.send("/report") == [T("busy", flow="/manifest")]     # the draft holds the chat
        assert await biz.send("/cancel") == [T("mf-cancelled")]
        assert "manifest" not in w.app.user_data[5401]
        assert await biz.send("12,5") == [T("free-text")]                      # the conversation is over
        assert await biz.send("/report") == [T("report-category")]
        await biz.send("/cancel")

        # at the review, then the old [Sign and send] button
        await to_lines(biz, p)
        await one_line(biz)
        await biz.press("mfl:review")
        assert await biz.send("/cancel") == [T("mf-cancelled")]
        assert await biz.press("mfr:send") == [T("stale-button")]
        assert p.mine() == [] and creates(w) == before

        # /manifest again mid-draft starts afresh
        await to_lines(biz, p)
        assert await biz.send("/manifest") == [
            T("mf-draft-dropped"), T("mf-menu", name=p.names["generator"], role=T("role-business"))]
        assert await biz.send("16 01 06") == [T("free-text")]
        assert p.mine() == [] and creates(w) == before

        # a draft lost while its conversation stays open (e.g. persistence restored apart) ends it
        await to_lines(biz, p)
        w.app.user_data[5401].pop("manifest")
        await w.app.persistence.update_user_data(5401, w.app.user_data[5401])  # as stored (bot/runtime)
        assert await biz.send("16 01 06") == [T("mf-expired")]
        assert await biz.send("16 01 06") == [T("free-text")]
        assert p.mine() == [] and creates(w) == before

    world.run(story)


def test_a_refusal_by_the_service_is_explained_and_the_draft_stays_at_review(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5501, p, "generator")
        await to_lines(biz, p)
        await one_line(biz)
        await biz.press("mfl:review")
        # the facility's licence stops permitting 16 01 06 before the business signs
        w.cluster.call_sync(SYSTEM, "sites", "amend_establishment", establishment_id=p.ids["facility"],
                            changes={"licence": {"number": "1-2-3.X", "waste_codes": ["17 02 03"]}})
        [refusal] = await biz.press("mfr:send")
        assert refusal.startswith(T("err-invalid", field="facility_1", detail=""))
        assert "16 01 06" in refusal
        assert p.mine() == []
        assert await biz.send("ok") == [T("mf-review-pick")]                 # still at the review
        assert await biz.press("mfr:cancel") == [T("mf-cancelled")]
        assert p.mine() == []

    world.run(story)


def test_a_service_that_is_down_is_explained_and_the_list_works_once_it_is_back(world, parties):
    p = parties
    p.file("CT-009", 7)

    async def story(w):  # type: ignore[no-untyped-def]
        truck = await linked(w, 5601, p, "transporter")
        await truck.send("/manifest")
        w.services.down.add("manifests")
        assert await truck.press("mf:await") == [T("err-unavailable")]
        w.services.down.discard("manifests")
        assert (await truck.press("mf:await"))[0].startswith(T("mf-await-title", count=1))

    world.run(story)


# -- who may use /manifest -------------------------------------------------------------------------
def test_residents_are_sent_to_link_and_a_non_generator_cannot_file(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        resident = w.chat(5701)
        assert await resident.send("/manifest") == [T("mf-not-linked")]
        await resident.send("/start")
        assert await resident.send("/manifest") == [T("mf-not-linked")]
        assert await resident.send("hello") == [T("free-text")]       # no conversation was opened
        assert "manifest" not in w.app.user_data.get(5701, {})

        household = await linked(w, 5702, p, "plain")
        await household.send("/manifest")
        assert await household.press("mf:new") == [T("mf-not-generator", name=p.names["plain"])]
        assert "manifest" not in w.app.user_data[5702]
        assert await household.press("mf:list") == [T("mf-list-none")]

    world.run(story)


def test_an_english_speaking_business_gets_the_flow_in_english(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 5801, p, "generator", lang="en")
        assert await biz.send("/manifest") == [t("en", "mf-menu", name=p.names["generator"],
                                                  role=t("en", "role-business"))]
        assert [label for label, _ in biz.buttons()] == ["New manifest", "My manifests"]
        assert await biz.press("New manifest") == [t("en", "mf-ask-transporter")]
        await biz.send(p.codes["transporter"])
        await biz.press(f"mft:{p.ids['transporter']}")
        await biz.send(p.codes["facility"])
        await biz.press(f"mff:{p.ids['facility']}")
        assert await biz.send("AB") == [t("en", "mf-plate-bad", min=4, max=15)]
        await biz.send("29C-123.45")
        await biz.press("Today")
        assert await biz.send("fluorescent") == [t("en", "mf-code-pick", count=1)]
        [(label, data)] = biz.buttons()
        assert label.startswith("16 01 06 · Fluorescent tubes and other") and data == "mfc:16 01 06"
        await biz.press("mfc:16 01 06")
        assert await biz.send("1,250.5") == [t("en", "mf-ask-state", kg="1,250.5", usual="Solid")]
        await biz.send("/cancel")

    world.run(story)


# -- catalogues and parsing ------------------------------------------------------------------------
def ids_of(path) -> list[str]:  # type: ignore[no-untyped-def]
    body = FluentParser().parse(path.read_text("utf-8")).body
    assert not [e for e in body if isinstance(e, ast.Junk)], path
    return [e.id.name for e in body if isinstance(e, ast.Message)]


def test_the_english_catalogue_has_every_message_of_the_vietnamese_one():
    vi, en = ids_of(LOCALES_DIR / "vi" / "manifest.ftl"), ids_of(LOCALES_DIR / "en" / "manifest.ftl")
    assert len(vi) == len(set(vi)) and len(en) == len(set(en))
    assert set(vi) == set(en)
    assert all(i.startswith("mf-") for i in vi)
    others = set(ids_of(LOCALES_DIR / "vi" / "bot.ftl")) | set(ids_of(LOCALES_DIR / "en" / "bot.ftl"))
    assert not set(vi) & others
    source = (LOCALES_DIR.parent / "flows" / "manifest.py").read_text("utf-8")
    used = set(re.findall(r'"(mf-[a-z0-9-]+)"', source))
    used |= {f"mf-state-{s}" for s in get_args(ManifestState)} | {f"mf-pstate-{s}" for s in get_args(PhysicalState)}
    used |= {f"mf-{k}-{w}" for k in ("transporter", "facility") for w in ("none", "pick")}
    used |= {f"mf-reason-{r}" for r in ("twice", "turn", "own-signature")}
    assert used <= set(vi), used - set(vi)
    assert re.search(r"[ạảãàáâậầấẩẫăắằặẳẵđêếềệểễôốồộổỗơớờợởỡưứừựửữ]", (LOCALES_DIR / "vi" / "manifest.ftl").read_text())


@pytest.mark.parametrize("text, kg", [
    ("12,5", 12.5), ("12.5", 12.5), ("40", 40.0), ("40 kg", 40.0), ("1.250,5", 1250.5), ("1,250.5", 1250.5),
    ("1.234.567", 1234567.0), ("-5", -5.0), ("0", 0.0), ("abc", None), ("", None), ("12,5,3", None),
    ("1e5", None), ("nan", None), ("kg", None), ("1.2.3", None),
])
def test_quantities_are_read_as_people_type_them(text, kg):
    assert parse_kg(text) == kg


def test_dates_codes_and_kilograms_are_read_and_written_the_local_way():
    assert parse_date("05/03/2025") == parse_date("5/3/2025") == parse_date("2025-03-05") == date(2025, 3, 5)
    assert parse_date("31/02/2025") is None and parse_date("mai") is None
    assert parse_date("Hôm nay") == parse_date("today") == today()
    assert code_of("160106") == code_of("16-01-06") == code_of(" 16 01 06 ") == "16 01 06"
    assert code_of("16 01") is None and code_of("abcdef") is None
    assert fmt_kg("vi", 1250.5) == "1.250,5" and fmt_kg("en", 1250.5) == "1,250.5" and fmt_kg("vi", 40.0) == "40"
    assert fmt_date("2025-03-05") == "05/03/2025"


def test_a_timed_out_draft_is_dropped_and_menus_lists_and_refusals_leave_no_timer(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        resident = w.chat(5901)
        await resident.send("/manifest")
        biz = await linked(w, 5902, p, "generator")
        await biz.send("/manifest")
        await biz.press("mf:list")
        assert w.app.job_queue.jobs() == ()          # no conversation was opened, so nothing will time out

        await to_lines(biz, p)
        await biz.send("16 01 06")
        [timer] = w.app.job_queue.jobs()
        await timer.run(w.app)                        # the conversation's time is up
        assert biz.replies() == [T("conversation-timeout")]
        assert "manifest" not in w.app.user_data[5902]
        assert await biz.send("12,5") == [T("free-text")]
        assert p.mine() == []

    world.run(story)
