"""/manifest, a new manifest's refusals: bad input at every step is explained in the user's
language with nothing filed; /cancel files nothing; a refusal by the service keeps the review;
the English flow."""
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
        await biz.press("mftm:done")
        assert await biz.send(p.codes["generator"]) == [T("mf-facility-none", query=p.codes["generator"])]
        await biz.send(p.codes["facility"])
        assert await biz.send("hello") == [T("mf-facility-none", query="hello")]
        await biz.press(f"mff:{p.ids['facility']}")
        await biz.press("mff2:no")

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
        assert refusal == T("err-rule-licence")  # the bot's own words (bot/errors.py), not the service's
        assert p.mine() == []
        assert await biz.send("ok") == [T("mf-review-pick")]                 # still at the review
        assert await biz.press("mfr:cancel") == [T("mf-cancelled")]
        assert p.mine() == []

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
        await biz.press("mftm:done")
        await biz.send(p.codes["facility"])
        await biz.press(f"mff:{p.ids['facility']}")
        await biz.press("mff2:no")
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
