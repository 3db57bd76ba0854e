"""/manifest, a new manifest from the chat: the whole chain (file, pick up, receive, treat, list,
card) against the four services in-process."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bot.flows.manifest import fmt_date, today
from bot.flows.manifest.parse import fmt_instant
from shared.kit.actor import SYSTEM
from tests.bot.manifest_chat import (CATALOGUE_VERSION, ENGINE_OIL, LAMPS, T, creates, linked, one_line, route,
                                     to_lines)
from tests.bot.manifest_fixtures import Parties, parties  # noqa: F401  (the fixture)
from bot.texts import t


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
        assert await biz.press(f"mft:{p.ids['transporter']}") == [
            T("mf-transporter-added", position=1, name=p.names["transporter"])]
        assert await biz.press(T("mf-btn-done")) == [T("mf-ask-facility", name=p.names["transporter"])]
        assert await biz.send(p.codes["facility"].lower()) == [T("mf-facility-pick", query=p.codes["facility"].lower())]
        assert await biz.press(f"mff:{p.ids['facility']}") == [T("mf-ask-facility2", name=p.names["facility"])]
        assert await biz.press(T("mf-btn-no-facility2")) == [T("mf-ask-plate", name=p.names["facility"])]
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
        assert plant.buttons() == [(T("mf-btn-receive", number=number), f"mfrecv:{mid}"),
                                   (T("mf-btn-reject", number=number), f"mfrej:{mid}")]
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
                            T("mf-received-discrepancy", lines="2", due=fmt_instant(doc["discrepancy"]["due"])),
                            T("mf-next-treat", number=number)]
        assert await plant.press(T("mf-btn-treat", number=number)) == [
            T("mf-ask-treat-date", numbers=number, received=fmt_date(today()), example=fmt_date(today()))]
        assert [label for label, _ in plant.buttons()] == [T("mf-btn-today")]   # received today: no yesterday
        assert await plant.press(T("mf-btn-today")) == [
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
        assert T("mf-show-discrepancy", lines="2", due=fmt_instant(doc["discrepancy"]["due"])) in shown
        assert T("mf-show-discrepancy-kg", line=2, declared="40", measured="30", share="25") in shown   # the figures
        assert T("mf-show-treated", method="Đốt ở 1.100 °C", date=fmt_date(today())) in shown
        for uid in (5101, 5102, 5103):
            assert "manifest" not in w.app.user_data.get(uid, {})

    world.run(story)
