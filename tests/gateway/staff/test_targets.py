"""Page 5, targets and reports, through the gateway in-process over the seeded in-process cluster:
the four targets per unit against the roadmap, the drill-down to the sites and to the events; the
quarterly report issued by a form (PRG, one report per command id), shown, downloaded in four
formats that parse back, compared with an earlier issue; a commune officer's units only; the JSON
twins and their CSRF header."""
from __future__ import annotations

import csv
import io
import re
import uuid
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from shared.kit.actor import SYSTEM, Actor, Role
from shared.reports import XLSX_TYPE

PERIOD = "2025Q4"
ADMIN = Actor("admin-targets", Role.ADMIN)


@pytest.fixture(scope="module")
def gia_lam(cluster):
    """A cluster of the seed in the old district gia-lam, with its figure's unit."""
    figures = cluster.call_sync(SYSTEM, "indicators", "figures", period=PERIOD, unit="district:gia-lam", drill_down=True)
    sites = figures["district:gia-lam"]["villages_classified"]["sites"]
    assert sites, "the seed has craft villages in gia-lam"
    return sites[0]


def issued_id(response) -> str:
    assert response.status_code == 303, response.text[:500]
    return re.fullmatch(r"/staff/targets/reports/([0-9a-f-]{36})", response.headers["location"]).group(1)


def test_the_four_targets_per_unit_against_the_roadmap_with_the_drill_down(staff_gateway, gia_lam):
    agency = staff_gateway.member("agency")
    page = agency.get(f"/staff/targets?period={PERIOD}")
    assert page.status_code == 200 and "Chỉ tiêu và báo cáo" in page.text
    assert "CCN có trạm XLNT đang vận hành" in page.text and ">Hà Nội</a>" in page.text
    assert "Industrial clusters with an operating WWTP" in agency.get(f"/staff/targets?period={PERIOD}&lang=en").text
    assert "Lộ trình" in agency.get(f"/staff/targets?period={PERIOD}&lang=vi").text and re.search(r"đúng lộ trình|có nguy cơ chậm|chậm lộ trình", page.text)
    link = f"/staff/targets/drill?period={PERIOD}&amp;unit=district%3Agia-lam&amp;target=villages_classified"
    assert link in page.text
    drill = agency.get(link.replace("&amp;", "&"))
    assert drill.status_code == 200 and gia_lam["name"] in drill.text
    site = agency.get(f"/staff/targets/site?period={PERIOD}&unit=district:gia-lam&target=villages_classified"
                      f"&site_id={gia_lam['site_id']}")
    assert site.status_code == 200 and "Đăng ký cơ sở" in site.text and "sites-" in site.text
    bad = agency.get("/staff/targets?period=2025Q9")
    assert bad.status_code == 400 and 'aria-describedby="err-period"' in bad.text and "Định dạng không đúng." in bad.text
    assert agency.get(f"/staff/targets/drill?period={PERIOD}&unit=city:hanoi&target=happiness").status_code == 400


def test_a_report_is_issued_once_shown_downloaded_and_compared(staff_gateway):
    agency = staff_gateway.member("agency")
    command = str(uuid.uuid4())
    first = issued_id(agency.form("/staff/targets/reports", {"period": PERIOD, "unit": ""}, command_id=command))
    assert issued_id(agency.form("/staff/targets/reports", {"period": PERIOD, "unit": ""}, command_id=command)) == first
    page = agency.get(f"/staff/targets/reports/{first}")
    assert page.status_code == 200 and "Báo cáo chỉ tiêu — 2025Q4" in page.text
    for fmt in ("md", "html", "csv", "xlsx"):
        assert f'href="/staff/targets/reports/{first}.{fmt}"' in page.text
    md = agency.get(f"/staff/targets/reports/{first}.md")
    assert md.headers["content-type"] == "text/markdown; charset=utf-8" and md.text.startswith("# Báo cáo chỉ tiêu")
    assert md.headers["content-disposition"] == f'attachment; filename="bao-cao-2025Q4-{first[:8]}.md"'
    rows = list(csv.DictReader(io.StringIO(agency.get(f"/staff/targets/reports/{first}.csv").text)))
    assert {r["unit"] for r in rows} >= {"city:hanoi", "district:gia-lam"} and len({r["target"] for r in rows}) == 4
    xlsx = agency.get(f"/staff/targets/reports/{first}.xlsx")
    assert xlsx.headers["content-type"] == XLSX_TYPE and xlsx.headers["content-disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(list(book["Chỉ tiêu"].iter_rows())) == 1 + len(rows)
    html = agency.get(f"/staff/targets/reports/{first}.html")
    assert html.headers["content-type"] == "text/html; charset=utf-8" and "attachment" in html.headers["content-disposition"]
    HTMLParser().feed(html.text)  # parses; tests/application/test_reports_downloads.py checks the tags balance
    assert agency.get(f"/staff/targets/reports/{first}.pdf").status_code == 400
    second = issued_id(agency.form("/staff/targets/reports", {"period": PERIOD, "unit": "district:gia-lam"}))
    listed = agency.get("/staff/targets/reports")
    assert listed.text.index(second) < listed.text.index(first)  # newest first
    compared = agency.get(f"/staff/targets/reports/{first}?against={second}")
    assert compared.status_code == 200 and 'id="diff"' in compared.text  # the other units are gone in the later one
    same = agency.get(f"/staff/targets/reports/{second}?against={second}")
    assert same.status_code == 200 and 'aria-describedby="err-against"' in same.text
    refused = agency.form("/staff/targets/reports", {"period": "2025Q5"})
    assert refused.status_code == 400 and 'aria-describedby="err-period"' in refused.text
    assert agency.form("/staff/targets/reports", {"period": PERIOD}, csrf=False).status_code == 403


def test_a_commune_officer_sees_and_issues_for_their_units_only(staff_gateway, cluster, gia_lam):
    officer = staff_gateway.member("agency", communes=["gia-lam"])
    page = officer.get(f"/staff/targets?period={PERIOD}")
    assert page.status_code == 200 and ">huyện Gia Lâm</a>" in page.text and ">Hà Nội</a>" not in page.text
    assert officer.get(f"/staff/targets/drill?period={PERIOD}&unit=city:hanoi&target=hw_treated").status_code == 403
    assert officer.get(f"/staff/targets/drill?period={PERIOD}&unit=district:gia-lam&target=hw_treated").status_code == 200
    assert officer.get(f"/staff/targets/site?period={PERIOD}&unit=city:hanoi&target=villages_classified"
                       f"&site_id={gia_lam['site_id']}").status_code == 403
    before = cluster.call_sync(ADMIN, "indicators", "list_reports")["total"]
    assert officer.form("/staff/targets/reports", {"period": PERIOD, "unit": ""}).status_code == 403
    assert cluster.call_sync(ADMIN, "indicators", "list_reports")["total"] == before  # nothing issued
    mine = issued_id(officer.form("/staff/targets/reports", {"period": PERIOD, "unit": "district:gia-lam"}))
    assert officer.get(f"/staff/targets/reports/{mine}.csv").status_code == 200
    city = issued_id(staff_gateway.member("admin").form("/staff/targets/reports", {"period": PERIOD}))
    assert officer.get(f"/staff/targets/reports/{city}").status_code == 403
    assert officer.get(f"/staff/targets/reports/{city}.xlsx").status_code == 403
    assert city not in officer.get("/staff/targets/reports").text


def test_the_json_twins(staff_gateway, gia_lam):
    inspector = staff_gateway.member("inspector")
    table = inspector.api("GET", f"/v1/staff/targets?period={PERIOD}").json()
    assert table["period"] == PERIOD and "city:hanoi" in table["units"]
    drill = inspector.api("GET", f"/v1/staff/targets/drill?period={PERIOD}&unit=district:gia-lam"
                                 "&target=villages_classified").json()
    assert gia_lam["site_id"] in {s["site_id"] for s in drill["sites"]}
    body = {"command_id": str(uuid.uuid4()), "period": PERIOD, "unit": "district:gia-lam"}
    assert inspector.api("POST", "/v1/staff/targets/reports", body, csrf=False).status_code == 403
    made = inspector.api("POST", "/v1/staff/targets/reports", body)
    assert made.status_code == 201
    report_id = made.json()["id"]
    assert inspector.api("POST", "/v1/staff/targets/reports", body).json()["id"] == report_id  # acts once
    assert inspector.api("GET", f"/v1/staff/targets/reports/{report_id}").json()["unit"] == "district:gia-lam"
    xlsx = inspector.api("GET", f"/v1/staff/targets/reports/{report_id}/download?format=xlsx")
    assert xlsx.headers["content-type"] == XLSX_TYPE
    assert inspector.api("GET", f"/v1/staff/targets/reports/{report_id}/today").json()["changes"] == []
    assert inspector.api("GET", "/v1/staff/targets?period=junk").status_code == 400
    assert staff_gateway.client().get("/v1/staff/targets").status_code == 401
    paths = staff_gateway.http.get("/openapi.json").json()["paths"]
    assert {"/v1/staff/targets", "/v1/staff/targets/drill", "/v1/staff/targets/site", "/v1/staff/targets/reports",
            "/v1/staff/targets/reports/{report_id}/download", "/v1/staff/targets/reports/{report_id}/compare"} <= set(paths)


def test_a_commune_officers_report_list_counts_only_their_units(staff_gateway):
    agency = staff_gateway.member("agency")
    issued_id(agency.form("/staff/targets/reports", {"period": PERIOD, "unit": "city:hanoi"}))
    issued_id(agency.form("/staff/targets/reports", {"period": PERIOD, "unit": "district:gia-lam"}))
    officer = staff_gateway.member("agency", communes=["gia-lam"])
    listed = officer.get(f"/v1/staff/targets/reports?period={PERIOD}").json()
    assert listed["items"] and {r["unit"] for r in listed["items"]} == {"district:gia-lam"}
    assert listed["total"] == len(listed["items"])  # the pager never promises the city's reports
    everyone = agency.get(f"/v1/staff/targets/reports?period={PERIOD}").json()
    assert everyone["total"] > listed["total"]
