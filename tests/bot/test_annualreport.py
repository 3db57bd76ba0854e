"""/annualreport (issue 16): a linked establishment's annual environmental protection report sent as
a Telegram document, against the four services in-process. The file's size is judged from Telegram's
metadata before any download; the service judges its bytes; a second filing is a correction; a
resident or an unlinked account is refused."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone

from bot.errors import describe
from bot.flows import annualreport as ar
from services.inspections import documents as docs
from shared.contracts.inspections_answers import ReportingYear
from bot.texts import t
from shared.kit.calendar import local_date
from tests.application.reports_world import office, pdf
from tests.bot.manifest_chat import T, linked
from tests.bot.manifest_fixtures import Parties, parties  # noqa: F401  (the fixture)

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def truth(p: Parties, year: int) -> dict:
    """The reporting year as the inspections service has it (the establishment's own account asks)."""
    return p.cluster.call_sync(p.actor("plain"), "inspections", "reporting_year",
                               establishment_id=p.ids["plain"], year=year)


def dmy(iso: str) -> str:
    """A local day the service gives (ISO) as residents read it."""
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def local_dmy(instant: str) -> str:
    """A UTC instant the service gives (ISO) as the Hanoi day it fell on."""
    return local_date(datetime.fromisoformat(instant)).strftime("%d/%m/%Y")


def stores(w) -> int:  # type: ignore[no-untyped-def]
    return w.cluster.calls.count(("inspections", "store_report_document"))


def test_a_report_filed_at_18_30_utc_reads_the_next_day_in_hanoi_and_its_days_read_dd_mm_yyyy():
    answer = ReportingYear.model_validate({
        "year": 2025, "due_before": "2026-01-15", "corrections": [{"filed_at": "2026-12-02T01:00:00+00:00"}],
        "annual": {"filed_at": datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc).isoformat(), "late": True}})
    assert ar.status_text("vi", answer) == T("ar-status-filed", year=2025, due="15/01/2026", filed="02/12/2026",
                                             late="yes", corrections=1)
    assert ar.status_text("vi", ReportingYear(year=2026, due_before=date(2027, 1, 15))) == T(
        "ar-status-open", year=2026, due="15/01/2027")


def test_a_year_reads_as_a_year_not_a_grouped_number():
    """Fluent groups an integer's thousands (2.025 in Vietnamese): a reporting year is written plain."""
    assert t("vi", "btn-ar-send", year=2025) == "Gửi báo cáo năm 2025"
    assert "năm 2025:" in t("vi", "ar-status-open", year=2025, due="15/01/2026")
    assert t("en", "btn-ar-send", year=2025) == "Send the 2025 report"


def test_the_bot_cap_is_the_services_cap():
    assert ar.MAX_BYTES == docs.MAX_BYTES


def test_a_business_files_its_annual_report_as_a_pdf_and_a_second_filing_is_a_correction(world, parties):
    p, year = parties, ar.default_year()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6101, p, "plain")
        before = truth(p, year)
        assert before["annual"] is None and ReportingYear.model_validate(before).annual is None
        # the status of the year just ended, the other recent years as buttons
        status = T("ar-status-overdue" if before["annual_overdue"] else "ar-status-open", year=year,
                   due=dmy(before["due_before"]))
        assert await biz.send("/annualreport") == [status]
        assert biz.buttons() == [(T("btn-ar-send", year=year), "ar:send"),
                                 *[(str(y), f"ar:year:{y}") for y in (year - 1, year - 2) if y >= 2022],
                                 (T("btn-cancel"), "ar:cancel")]
        assert await biz.press("ar:send") == [T("ar-send-document", year=year, mb=10)]

        report = pdf(b"1 0 obj << /Title (Bao cao BVMT) >> endobj\n")
        replies = await biz.document(report, "baocao.pdf", PDF_TYPE)
        after = truth(p, year)
        annual = after["annual"]
        assert ReportingYear.model_validate(after).annual.filed_at.tzinfo is not None
        assert annual["document"]["sha256"] == hashlib.sha256(report).hexdigest()
        assert replies == [T("ar-filed", year=year, due=dmy(after["due_before"]), late="yes" if annual["late"] else "no",
                             kind=T("ar-kind-pdf"), kb=1)]
        assert await biz.send("/cancel") == [T("cancel-nothing")]  # the conversation is over, no draft left

        # the status now says filed; a second document is a correction, the first filing stays
        assert await biz.send("/annualreport") == [T(
            "ar-status-filed", year=year, due=dmy(after["due_before"]), filed=local_dmy(annual["filed_at"]),
            late="yes" if annual["late"] else "no", corrections=0)]
        assert biz.buttons()[0] == (T("btn-ar-correct", year=year), "ar:send")
        await biz.press("ar:send")
        fixed = office("docx")
        assert await biz.document(fixed, "baocao-sua.docx", DOCX_TYPE) == [T(
            "ar-corrected", year=year, due=dmy(after["due_before"]), late="yes" if annual["late"] else "no",
            kind=T("ar-kind-docx"), kb=max(1, round(len(fixed) / 1000)))]
        corrected = truth(p, year)
        assert corrected["annual"]["document"]["sha256"] == annual["document"]["sha256"]
        assert [c["document"]["sha256"] for c in corrected["corrections"]] == [hashlib.sha256(fixed).hexdigest()]

    world.run(story)


def test_a_file_over_the_cap_is_refused_from_telegrams_metadata_before_any_download(world, parties):
    p, year = parties, ar.default_year()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6102, p, "plain")
        await biz.send("/annualreport")
        await biz.press("ar:send")
        w.request.downloads.clear()
        stored_before = stores(w)
        # Telegram says 10 MB + 1 byte: nothing is fetched, nothing stored, the user stays at the step
        assert await biz.document(pdf(), "big.pdf", PDF_TYPE, file_size=docs.MAX_BYTES + 1) == [
            T("ar-too-big", mb=10)]
        assert w.request.downloads == [] and stores(w) == stored_before
        assert truth(p, year)["annual"] is None
        # the message's metadata understates it: getFile's size refuses it, the file itself is never fetched
        big = pdf(b"0" * docs.MAX_BYTES)
        assert await biz.document(big, "big.pdf", PDF_TYPE, file_size=1000) == [T("ar-too-big", mb=10)]
        assert [d for d in w.request.downloads if not d.startswith("getFile:")] == [] and len(w.request.downloads) == 1
        assert stores(w) == stored_before
        # a file within the cap at the same step is filed
        replies = await biz.document(pdf(), "ok.pdf", PDF_TYPE)
        annual = truth(p, year)["annual"]
        assert replies == [T("ar-filed", year=year, due=dmy(annual["due_before"]), late="yes" if annual["late"] else "no",
                             kind=T("ar-kind-pdf"), kb=1)]

    world.run(story)


def test_a_wrong_type_or_a_message_that_is_no_document_is_refused_and_nothing_is_filed(world, parties):
    p, year = parties, ar.default_year()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6103, p, "plain")
        await biz.send("/annualreport")
        await biz.press("ar:send")
        w.request.downloads.clear()
        # a photo, a sticker, text: not a document, nothing downloaded
        assert await biz.photo(b"\xff\xd8\xff" + b"\0" * 64) == [T("ar-document-expected")]
        assert await biz.sticker() == [T("ar-document-expected")]
        assert await biz.send("đây là báo cáo") == [T("ar-document-expected")]
        assert w.request.downloads == []
        # an image renamed .pdf: the service judges the bytes; the bot's own text, not the service's English
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
        assert await biz.document(png, "baocao.pdf", PDF_TYPE) == [describe("vi", "invalid_input", "document",
                                                                            "file_type")]
        # a macro-enabled Word file
        macro = office("docx", content_types=b'<Types><Override ContentType="application/'
                                             b'vnd.ms-word.document.macroEnabled.main+xml"/></Types>')
        assert await biz.document(macro, "baocao.docx", DOCX_TYPE) == [T("err-at-document--macros")]
        assert truth(p, year)["annual"] is None

    world.run(story)


def test_a_resident_or_an_unlinked_account_is_refused_and_no_conversation_opens(world, parties):
    async def story(w):  # type: ignore[no-untyped-def]
        resident = w.chat(6104)
        asked = w.cluster.calls.count(("inspections", "reporting_year"))
        assert await resident.send("/annualreport") == [T("ar-not-linked")]
        assert resident.buttons() == []
        assert await resident.send("hello") == [T("free-text")]  # no step is waiting for a document
        assert w.cluster.calls.count(("inspections", "reporting_year")) == asked

    world.run(story)


def test_another_year_by_argument_or_button_and_a_bad_argument(world, parties):
    p, year = parties, ar.default_year()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6105, p, "plain")
        assert await biz.send("/annualreport hai") == [T("ar-usage")]
        earlier = truth(p, year - 1)
        assert await biz.send(f"/annualreport {year - 1}") == [
            T("ar-status-overdue", year=year - 1, due=dmy(earlier["due_before"]))]
        assert await biz.press(f"ar:year:{year}") == [T(
            "ar-status-overdue" if truth(p, year)["annual_overdue"] else "ar-status-open", year=year,
            due=dmy(truth(p, year)["due_before"]))]
        assert await biz.send("/annualreport 2019") == [describe("vi", "invalid_input", "year", "greater_than_equal")]
        assert await biz.send("/cancel") == [T("cancel-nothing")]  # a refused command leaves nothing open
        await biz.send("/annualreport")
        assert await biz.press(T("btn-cancel")) == [T("ar-cancelled")]
        assert await biz.send("/report") != [T("busy", flow="/annualreport")]

    world.run(story)
