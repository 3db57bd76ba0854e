"""Stories of the staff workspace's Báo cáo BVMT page (issue 16), in-process: the gateway app over
the services (tests/bot/cluster.py), members signed in through /staff/login.

The year just ended by default: establishments with a GPMT (05.A) and an ĐKMT (05.B), unfiled and
so OVERDUE; the monitoring rule shown blocked; a report handed in on paper filed (late), a double
submit files once; a PNG, a file over the cap, a year not over, no file: refused on the form and
nothing filed; no CSRF token and a commune officer's forged request refused (403, nothing filed);
the overdue filter; a commune officer sees only their communes."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest

from services.gateway.staff import reports as page
from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from tests.gateway.staff.conftest import staff_gateway  # noqa: F401  (the fixture)

AGENCY = Actor("cli:agency", Role.AGENCY)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
LAST_YEAR = local_date(datetime.now(timezone.utc)).year - 1


class Firms:
    """Two firms at Bát Tràng (xa-bat-trang): one with an environmental permit, one registered."""

    def __init__(self, cluster) -> None:  # type: ignore[no-untyped-def]
        self.c = cluster.client(AGENCY)
        site = self.c.sites.search_sites(query="bat trang")[0]["id"]
        tag = uuid.uuid4().hex[:4]
        self.gpmt = self._firm(site, f"Công ty Gốm {tag}", {"type": "GPMT", "number": f"{tag}/GPMT-UBND"})
        self.dkmt = self._firm(site, f"Xưởng Men {tag}", {"type": "DKMT", "number": f"{tag}/ĐKMT"})

    def _firm(self, site: str, name: str, permit: dict) -> str:
        return self.c.sites.register_establishment(site_id=site, name=name, form="enterprise", trades=[],
                                                   registration_code=uuid.uuid4().hex[:10], permit=permit)["id"]

    def year(self, firm: str, year: int = LAST_YEAR) -> dict:
        return self.c.inspections.reporting_year(establishment_id=firm, year=year)


@pytest.fixture
def firms(staff_gateway):  # type: ignore[no-untyped-def]
    return Firms(staff_gateway.cluster)


def row(text: str, firm: str) -> str:
    found = re.search(rf'<tr id="row-{firm}".*?</tr>', text, re.S)
    return found.group(0) if found else ""


def file_form(firm: str, year: int = LAST_YEAR, **extra: str) -> dict:
    return {"establishment_id": firm, "year": str(year), **extra}


def pdf(name: str = "bao-cao.pdf", data: bytes = PDF) -> dict:
    return {"document": (name, data, "application/pdf")}


def test_the_year_just_ended_lists_the_overdue_and_a_paper_report_is_filed_once(staff_gateway, firms):
    agency = staff_gateway.member("agency")
    listed = agency.get("/staff/reports")
    assert listed.status_code == 200
    assert f'name="year" type="number" value="{LAST_YEAR}"' in listed.text
    owed = row(listed.text, firms.gpmt)
    assert 'data-overdue="yes"' in owed and "QUÁ HẠN" in owed and "Mẫu 05.A" in owed and "Chưa nộp" in owed
    assert f"trước 15/01/{LAST_YEAR + 1}" in owed and "Bát Tràng" in owed
    assert "Mẫu 05.B" in row(listed.text, firms.dkmt)
    blocked = re.search(r'<p id="monitoring-rule" data-status="blocked">.*?</p>', listed.text, re.S).group(0)
    assert "Chưa áp dụng" in blocked and "tần suất" in blocked
    assert "Điều 66 khoản 2 Thông tư 02/2022/TT-BTNMT" in listed.text and "độ tin cậy M" in listed.text
    assert 'href="/staff/reports" aria-current="page"' in listed.text  # the navigation's link

    command = str(uuid.uuid4())
    for _ in range(2):  # a double submit files once
        done = agency.form("/staff/reports/file", file_form(firms.gpmt, note="Nộp trực tiếp tại UBND xã"),
                           command, files=pdf())
        assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(f"/staff/reports?year={LAST_YEAR}")
    year = firms.year(firms.gpmt)
    assert year["annual"]["late"] is True and year["corrections"] == []  # filed after 15 January: late
    after = agency.get(done.headers["location"])
    filed = row(after.text, firms.gpmt)
    assert 'data-filed="yes"' in filed and 'data-overdue="no"' in filed and "Nộp muộn" in filed
    assert 'id="filed-done"' in after.text
    only = agency.get(f"/staff/reports?year={LAST_YEAR}&overdue=true")
    assert row(only.text, firms.dkmt) and not row(only.text, firms.gpmt)
    # an inspector (staff) files too
    inspector = staff_gateway.member("inspector")
    assert inspector.form("/staff/reports/file", file_form(firms.dkmt), files=pdf()).status_code == 303
    assert firms.year(firms.dkmt)["annual"] is not None


@pytest.mark.parametrize("files, extra, field, text", [
    (pdf("anh.pdf", PNG), {}, "document", "Tệp báo cáo phải là PDF, DOCX hoặc XLSX."),
    (None, {}, "document", "Hãy đính kèm tệp báo cáo (PDF, DOCX hoặc XLSX)."),
    (pdf(), {"year": str(LAST_YEAR + 2)}, "year", "Báo cáo năm chỉ nộp khi năm đó đã kết thúc"),
    (pdf(), {"year": "năm ngoái"}, "year", ""),
])
def test_a_bad_file_or_year_is_refused_on_the_form_and_nothing_is_filed(staff_gateway, firms, files, extra, field, text):
    agency = staff_gateway.member("agency")
    refused = agency.form("/staff/reports/file", dict(file_form(firms.gpmt), **extra), files=files)
    assert refused.status_code == 400
    error = re.search(rf'class="error" role="alert" id="err-{field}">([^<]+)<', row(refused.text, firms.gpmt))
    assert error and text in error.group(1)
    assert "<details class=\"file-report\" open>" in row(refused.text, firms.gpmt)  # the row's form open again
    assert firms.year(firms.gpmt)["annual"] is None


def test_a_file_over_the_cap_is_refused_before_it_is_stored(staff_gateway, firms, monkeypatch):
    monkeypatch.setattr(page, "REPORT_MAX_BYTES", 100)  # a valid PDF the service would accept, over the gateway's cap
    stored: list = []
    real = page.call

    async def spy(request, m, service, rpc, **kw):  # type: ignore[no-untyped-def]
        stored.append(rpc)
        return await real(request, m, service, rpc, **kw)

    monkeypatch.setattr(page, "call", spy)
    big = PDF[:-6] + b" " * 200 + b"%%EOF\n"
    agency = staff_gateway.member("agency")
    refused = agency.form("/staff/reports/file", file_form(firms.gpmt), files=pdf(data=big))
    assert refused.status_code == 400 and 'id="err-document">Tệp báo cáo tối đa 10 MB.' in refused.text
    assert "store_report_document" not in stored and firms.year(firms.gpmt)["annual"] is None


def test_no_csrf_and_a_forged_request_outside_the_communes_are_refused(staff_gateway, firms):
    agency = staff_gateway.member("agency")
    assert agency.form("/staff/reports/file", file_form(firms.gpmt), files=pdf(), csrf=False).status_code == 403
    elsewhere = staff_gateway.member("agency", communes=["phuong-ha-dong"])
    mine = elsewhere.get(f"/staff/reports?year={LAST_YEAR}")
    assert mine.status_code == 200 and not row(mine.text, firms.gpmt)  # outside their communes: not listed
    forged = elsewhere.form("/staff/reports/file", file_form(firms.gpmt), files=pdf())
    assert forged.status_code == 403
    assert firms.year(firms.gpmt)["annual"] is None
    home = staff_gateway.member("inspector", communes=["xa-bat-trang"])
    assert row(home.get("/staff/reports").text, firms.gpmt)


def test_logged_out_goes_to_login(staff_gateway):
    answer = staff_gateway.client().get("/staff/reports", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login")
