"""The registry's Import/export page in the browser (issue 16): from the registry's search page to
Nhập/xuất tệp; the sites exported as CSV are downloaded and checked again (nothing would change,
the operator's command shown); a file with an unknown kind and an unknown district is reported row by
row; the sites template downloads as XLSX with the import's headers."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.staff.accounts import staff_member
from tests.staff.world import AGENCY


def test_the_sites_are_exported_checked_again_and_a_bad_file_is_reported(story, tmp_path: Path):
    system = story.system
    staff_member(story, "agency")
    page = story.page
    story.goto("/staff/registry", "registry")
    with page.expect_navigation():
        page.locator("#transfer-link").click()
    assert page.locator("h1").inner_text() == "Nhập/xuất tệp"
    story.snap("transfer-page")

    with page.expect_download() as got:
        page.locator("#export-sites-csv").click()
    exported = tmp_path / got.value.suggested_filename
    got.value.save_as(exported)
    assert exported.name.startswith("sites-") and exported.suffix == ".csv"
    total = system.call_sync(AGENCY, "sites", "staff_sites", limit=1)["total"]
    assert len(list(csv.reader(io.StringIO(exported.read_text("utf-8-sig"))))) == total + 1

    page.locator("#f-file").set_input_files(str(exported))
    story.submit(page.locator("#check-submit"), "export-checked")
    summary = page.locator("#report-summary")
    assert (summary.get_attribute("data-create"), summary.get_attribute("data-amend"),
            summary.get_attribute("data-unchanged")) == ("0", "0", str(total))
    assert page.locator("#apply-command").inner_text() == f"langxanh import sites {exported.name} --apply"

    header = next(csv.reader(io.StringIO(exported.read_text("utf-8-sig"))))
    bad = tmp_path / "lang-nghe-moi.csv"
    values = {"Mã tham chiếu": "lang-nghe-moi", "Loại": "nhà máy", "Tên": "Làng Mới", "Quận/huyện cũ": "gia-lam"}
    other = {"Mã tham chiếu": "lang-nghe-khac", "Loại": "làng nghề", "Tên": "Làng Khác", "Quận/huyện cũ": "khong-co"}
    with bad.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, [values.get(h, "") for h in header], [other.get(h, "") for h in header]])
    page.locator("#f-file").set_input_files(str(bad))
    story.submit(page.locator("#check-submit"), "bad-file-reported")
    assert page.locator("#report").get_attribute("data-valid") == "no"
    rules = {page.locator("tr.problem").nth(i).get_attribute("data-rule"): page.locator("tr.problem").nth(i)
             .get_attribute("data-row") for i in range(page.locator("tr.problem").count())}
    assert rules == {"literal_error": "2", "unknown_district": "3"}, rules
    assert "Không phải mã quận/huyện cũ của Hà Nội" in page.locator("#report-problems").inner_text()
    assert page.locator("#apply-command").count() == 0
    assert system.call_sync(AGENCY, "sites", "staff_sites", limit=1)["total"] == total  # nothing changed

    with page.expect_download() as got:
        page.locator("#template-sites-xlsx").click()
    template = tmp_path / "template.xlsx"
    got.value.save_as(template)
    first = [c.value for c in next(load_workbook(template).active.iter_rows())]
    assert first[:3] == header[:3]
    assert [c for c in story.console if "status of 400" not in c] == []  # only the bad file's refusal
