"""The report downloads of the staff workspace (issue 14, page 5) parse back: CSV with csv, XLSX
with openpyxl, HTML as well-formed markup, Markdown as tables; each with its content type and an
ASCII file name; a site name that looks like a formula stays text in the spreadsheet."""
import copy
import csv
import io
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from shared.reports import DOWNLOADS, XLSX_TYPE, download_name, to_csv, to_html, to_markdown, to_xlsx
from tests.application.test_reports_golden import REPORT

VOID = {"meta", "br", "hr", "img", "input", "link", "circle", "line", "rect", "polyline"}
HOSTILE = "=HYPERLINK(\"http://evil.example\",\"bấm\")"


def with_sites(report):
    r = copy.deepcopy(report)
    city = r["units"][0]["targets"]["clusters_with_wwtp"]
    city["sites"] = [{"site_id": "10000000-0000-0000-0000-000000000001", "name": "CCN Phú Thị", "counted": True},
                     {"site_id": "10000000-0000-0000-0000-000000000002", "name": HOSTILE, "counted": False}]
    return r


class Balanced(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element."""

    def __init__(self):
        super().__init__()
        self.stack, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_csv_parses_back_to_one_row_per_unit_and_target():
    rows = list(csv.DictReader(io.StringIO(to_csv(REPORT))))
    assert len(rows) == 3 * 4
    city = next(r for r in rows if r["unit"] == "city:hanoi" and r["target"] == "hw_treated")
    assert (float(city["numerator"]), float(city["denominator"]), float(city["ratio"])) == (990.0, 1500.0, 0.66)
    assert next(r for r in rows if r["unit"] == "district:hoai-duc")["ratio"] == ""  # no data: empty, not 0


def test_xlsx_opens_with_openpyxl_with_the_figures_the_trend_and_the_sites():
    book = load_workbook(io.BytesIO(to_xlsx(with_sites(REPORT))))
    assert book.sheetnames == ["Chỉ tiêu", "Xu hướng", "Cơ sở", "Thông tin"]
    figures = list(book["Chỉ tiêu"].iter_rows(values_only=True))
    assert figures[0][:3] == ("period", "unit", "target") and len(figures) == 1 + 3 * 4
    city = next(r for r in figures if r[1] == "city:hanoi" and r[2] == "villages_classified")
    assert city[4:9] == (2, 3, 0.6667, 0.7, "at_risk") and city[9] == "có nguy cơ chậm"
    assert next(r for r in figures if r[1] == "district:hoai-duc")[6] is None
    trend = list(book["Xu hướng"].iter_rows(values_only=True))
    assert trend[0] == ("target", "2025Q2", "2025Q3", "2025Q4") and trend[1][1:] == (0.2, None, 0.3333)
    sites = book["Cơ sở"]
    assert [c.value for c in sites[3]] == ["city:hanoi", "clusters_with_wwtp", "10000000-0000-0000-0000-000000000002",
                                           HOSTILE, False]
    assert sites["D3"].data_type == "s"  # text, never a formula
    info = dict(book["Thông tin"].iter_rows(min_row=2, values_only=True))
    assert info["id"] == REPORT["id"] and info["unit"] == "city:hanoi"
    assert book.properties.created.isoformat().startswith("2026-01-15T02:00")


def test_html_is_well_formed_and_escapes_what_it_shows():
    page = to_html(REPORT)
    parser = Balanced()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert "Báo cáo chỉ tiêu Kế hoạch 307/KH-UBND — 2025Q4" in "".join(parser.text)
    hostile = copy.deepcopy(REPORT)
    hostile["issued_at"] = "<script>alert(1)</script>"
    assert "<script>" not in to_html(hostile) and "&lt;script&gt;" in to_html(hostile)


def test_markdown_tables_have_a_row_per_unit():
    md = to_markdown(REPORT)
    tables = [line for line in md.splitlines() if line.startswith("| district:gia-lam |")]
    assert len(tables) == 4 and all(line.count("|") == 7 for line in tables)


@pytest.mark.parametrize("fmt", sorted(DOWNLOADS))
def test_every_download_has_its_content_type_and_an_ascii_file_name(fmt):
    render, content_type = DOWNLOADS[fmt]
    body = render(REPORT)
    assert isinstance(body, bytes) == (fmt == "xlsx")
    assert content_type == {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
                            "csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE}[fmt]
    name = download_name(dict(REPORT, unit="district:gia-lam"), fmt)
    assert name == f"bao-cao-2025Q4-district-gia-lam-00000000.{fmt}" and name.isascii()
    assert download_name(REPORT, fmt) == f"bao-cao-2025Q4-00000000.{fmt}"
