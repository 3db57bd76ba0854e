"""/manifest, signatures by list: bulk pickups and treatments, a service down, who may use the
command, and timeouts."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bot.flows.manifest import fmt_date, today
from shared.kit.actor import SYSTEM
from tests.bot.manifest_chat import (CATALOGUE_VERSION, ENGINE_OIL, LAMPS, T, creates, linked, one_line, route,
                                     to_lines)
from tests.bot.manifest_fixtures import Parties, parties  # noqa: F401  (the fixture)
from bot.texts import t


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
        assert labels == [T("mf-btn-receive", number="CT-003"), T("mf-btn-reject", number="CT-003"),
                          T("mf-btn-treat", number="CT-001"),
                          T("mf-btn-treat", number="CT-002"), T("mf-btn-treat-all", count=2)]
        assert await plant.press(T("mf-btn-treat-all", count=2)) == [
            T("mf-ask-treat-date", numbers="CT-001, CT-002", received=fmt_date(today()), example=fmt_date(today()))]
        assert await plant.send("abc") == [T("mf-date-bad", text="abc", example=fmt_date(today()))]
        assert await plant.send(fmt_date(today() + timedelta(days=1))) == [
            T("mf-treat-date-future", today=fmt_date(today()))]
        assert await plant.send(fmt_date(today() - timedelta(days=1))) == [
            T("mf-treat-date-before", received=fmt_date(today()))]
        assert await plant.send("hôm nay") == [
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


def test_a_receipt_refused_out_of_turn_is_explained_in_words(world, parties):
    p = parties
    mid = p.file("CT-020", 10)
    p.manifests("transporter", "sign_pickup", manifest_id=mid)

    async def story(w):  # type: ignore[no-untyped-def]
        plant = await linked(w, 5611, p, "facility")
        await plant.send("/manifest")
        await plant.press("mf:await")
        await plant.press(f"mfrecv:{mid}")
        await plant.send("10")
        # the generator corrects the manifest before the facility confirms: the signers must sign again first
        p.manifests("generator", "correct", manifest_id=mid, changes={"vehicle_plate": "29C-777.77"},
                    reason="đổi xe", reason_code="vehicle_change")
        assert await plant.press(T("mf-btn-confirm-receive")) == [
            T("mf-refused", number="CT-020", reason=T("mf-reason-resign"))]
        assert "manifest" not in w.app.user_data[5611]
        assert p.manifests("facility", "get_manifest", manifest_id=mid)["state"] == "in_transit"

    world.run(story)
