"""The Báo cáo BVMT page in the browser (issue 16): the year just ended, an establishment with an
environmental permit that has not filed its annual report listed OVERDUE, the monitoring rule
shown blocked; a PNG refused on the row's form and nothing filed; then the report handed in on
paper (a PDF) filed from its row, and the row says filed, late."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from shared.kit.calendar import local_date
from tests.staff.accounts import staff_member
from tests.staff.world import AGENCY, village

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LAST_YEAR = local_date(datetime.now(timezone.utc)).year - 1


def permitted_firm(system, site: dict) -> dict:  # type: ignore[no-untyped-def]
    """A firm with a GPMT, once the inspections service lists it as owing a report."""
    tag = uuid.uuid4().hex[:4]
    firm = system.call_sync(AGENCY, "sites", "register_establishment", site_id=site["id"], form="enterprise",
                            name=f"Công ty Gốm Sứ {tag}", registration_code=f"01{uuid.uuid4().int % 10**8}",
                            permit={"type": "GPMT", "number": f"{tag}/GPMT-UBND"})
    deadline = time.monotonic() + 30
    while True:  # inspections follows the sites stream
        owed = system.call_sync(AGENCY, "inspections", "owed_reports", year=LAST_YEAR)
        if any(r["establishment_id"] == firm["id"] for r in owed["rows"]):
            return firm
        assert time.monotonic() < deadline, "inspections never listed the establishment"
        time.sleep(0.3)


def annual(system, firm: dict) -> dict | None:  # type: ignore[no-untyped-def]
    return system.call_sync(AGENCY, "inspections", "reporting_year", establishment_id=firm["id"],
                            year=LAST_YEAR)["annual"]


def test_an_overdue_report_is_listed_and_a_paper_report_is_filed(story, tmp_path: Path):
    system = story.system
    firm = permitted_firm(system, village(system, "Bát Tràng"))
    staff_member(story, "agency")
    page = story.page

    story.goto("/staff", "home")
    with page.expect_navigation():
        page.locator('header nav a[href="/staff/reports"]').click()  # the workspace's navigation
    assert page.locator("#f-year").input_value() == str(LAST_YEAR)  # the year just ended
    row = page.locator(f"#row-{firm['id']}")
    assert row.get_attribute("data-overdue") == "yes" and "QUÁ HẠN" in row.locator("td.status").inner_text()
    assert "05.A" in row.locator("td.form").inner_text()
    assert page.locator("#monitoring-rule").get_attribute("data-status") == "blocked"
    story.snap("overdue-listed")

    # the overdue filter keeps it
    page.locator("#f-overdue").check()
    story.submit(page.locator("#rep-filter"), "overdue-only")
    assert page.locator(f"#row-{firm['id']}").get_attribute("data-overdue") == "yes"
    assert page.locator('tr.owed[data-overdue="no"]').count() == 0

    # a picture instead of the report: refused on the row's form, nothing filed
    row = page.locator(f"#row-{firm['id']}")
    row.locator("summary").click()
    form = row.locator("form.file-report-form")
    png = tmp_path / "anh-chup.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    form.locator('input[type="file"]').set_input_files(str(png))
    story.submit(form.locator('button[type="submit"]'), "png-refused")
    said = page.locator(f"#row-{firm['id']} #err-document").inner_text()
    assert "PDF, DOCX hoặc XLSX" in said, said
    assert annual(system, firm) is None
    assert page.locator("#f-overdue").is_checked()  # the list as it was: the filter kept

    # the PDF handed in on paper, scanned: filed, late (after 15 January)
    report = tmp_path / "bao-cao-bvmt.pdf"
    report.write_bytes(PDF)
    form = page.locator(f"#row-{firm['id']} form.file-report-form")
    form.locator('input[type="file"]').set_input_files(str(report))
    form.locator('[name="note"]').fill("Bản giấy nộp tại UBND xã")
    story.submit(form.locator('button[type="submit"]'), "filed")
    row = page.locator(f"#row-{firm['id']}")
    assert row.get_attribute("data-filed") == "yes" and row.get_attribute("data-overdue") == "no"
    assert "Nộp muộn" in row.locator("td.status").inner_text()
    assert page.locator("#filed-done").is_visible()
    assert annual(system, firm)["late"] is True
    assert [c for c in story.console if "status of 400" not in c] == []  # only the PNG's refusal
