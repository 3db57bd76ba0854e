"""The import/export core on its own: files built in tmp_path, a registry in a dict."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from services.sites.domainmodel import establishment_id_for, site_id_for
from shared.transfer.export import establishment_cells, neutral, registry_table, site_cells, template, write
from shared.transfer.plan import apply
from shared.transfer.reading import Limits, read_table
from shared.transfer.registry import check_file

SITE_HEADER = ["Mã tham chiếu", "Loại", "Tên", "Nghề", "Quận/huyện cũ", "Xã/phường cũ", "Xã/phường", "Vĩ độ",
               "Kinh độ", "Số hộ", "Nguồn"]
BAT_TRANG = ["bat-trang", "craft_village", "Bát Tràng", "gốm sứ", "gia-lam", "Bát Tràng", "xa-bat-trang", "21.0",
             "105.91", "1200", "QĐ 123"]
VAN_PHUC = ["van-phuc", "làng nghề", "Vạn Phúc", "dệt lụa", "ha-dong", "Vạn Phúc", "", "20.98", "105.77", "", ""]


class DictRegistry:
    def __init__(self):
        self.sites, self.establishments, self.calls = {}, {}, []

    def site(self, site_id):
        return self.sites.get(site_id)

    def establishment(self, establishment_id):
        return self.establishments.get(establishment_id)

    def call(self, rpc, arguments):  # what the sites service would do, in a dict
        self.calls.append((rpc, arguments))
        args = dict(arguments)
        args.pop("command_id")
        if rpc == "register_site":
            site_id = str(site_id_for(args["reference_key"]))
            self.sites[site_id] = {"id": site_id, "version": 1, "active": True, **args}
        elif rpc == "amend_site":
            self.sites[str(args["site_id"])].update(args["changes"])
        elif rpc == "register_establishment":
            est_id = str(establishment_id_for(args["site_id"], args["registration_code"]))
            self.establishments[est_id] = {"id": est_id, "version": 1, "active": True, **args}
        elif rpc == "amend_establishment":
            self.establishments[str(args["establishment_id"])].update(args["changes"])


def xlsx(rows, **sheet_kwargs) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def rules(plan):
    return [(p.row, p.rule) for p in plan.problems]


def test_a_good_xlsx_plans_creations_and_a_second_run_changes_nothing(tmp_path):
    path = tmp_path / "sites.xlsx"
    path.write_bytes(xlsx([SITE_HEADER, BAT_TRANG, [], VAN_PHUC]))
    registry = DictRegistry()
    plan = check_file("sites", path.read_bytes(), path.name, registry)
    assert plan.problems == []
    assert plan.summary() == {"create": 2, "amend": 0, "unchanged": 0, "errors": 0, "error_rows": 0}
    assert [a.row for a in plan.actions] == [2, 4]  # the spreadsheet's own row numbers
    first = plan.actions[0].arguments
    assert first["kind"] == "craft_village" and first["households"] == 1200
    assert first["source"] == "QĐ 123 (sites.xlsx dòng 2)"  # the row's source recorded
    assert plan.actions[1].arguments["kind"] == "craft_village"  # "làng nghề" read as the code
    assert plan.actions[1].arguments["source"] == "sites.xlsx dòng 4"
    assert apply(plan, registry.call) == 2
    again = check_file("sites", path.read_bytes(), path.name, registry)
    assert again.summary()["unchanged"] == 2 and apply(again, registry.call) == 0


def test_an_english_header_any_case_and_accents_and_semicolons(tmp_path):
    header = ["REFERENCE_KEY", "kind", "Name", "xa phuong", "households"]
    data = csv_bytes([header, ["k1", "industrial_zone", "KCN Thăng Long", "xa-dong-anh", "0"]], delimiter=";")
    plan = check_file("sites", data, "a.csv", DictRegistry())
    assert plan.problems == [] and plan.actions[0].arguments["commune"] == "xa-dong-anh"


def test_a_changed_row_is_an_amendment_of_that_field_only_with_its_own_command_id():
    registry = DictRegistry()
    apply(check_file("sites", xlsx([SITE_HEADER, BAT_TRANG]), "s.xlsx", registry), registry.call)
    changed = list(BAT_TRANG)
    changed[9] = "1300"
    plan = check_file("sites", xlsx([SITE_HEADER, changed]), "s.xlsx", registry)
    (action,) = plan.actions
    assert (action.verb, action.rpc, action.arguments["changes"]) == ("amend", "amend_site", {"households": 1300})
    assert action.arguments["source"] == "QĐ 123 (s.xlsx dòng 2)"  # the amendment names its file and row too
    assert action.arguments["command_id"].startswith("import:site:bat-trang:v1:")
    fixed = list(BAT_TRANG)
    fixed[1] = "industrial_zone"
    assert rules(check_file("sites", xlsx([SITE_HEADER, fixed]), "s.xlsx", registry)) == [(2, "not_amendable")]


def test_a_location_is_compared_as_stored_two_decimals():
    registry = DictRegistry()
    apply(check_file("sites", xlsx([SITE_HEADER, BAT_TRANG]), "s.xlsx", registry), registry.call)
    site = registry.sites[str(site_id_for("bat-trang"))]
    site["location"] = {"lat": 21.0, "lon": 105.91}
    finer = list(BAT_TRANG)
    finer[7] = "21.0012"
    assert check_file("sites", xlsx([SITE_HEADER, finer]), "s.xlsx", registry).summary()["unchanged"] == 1


def test_row_problems_are_reported_cell_by_cell_and_nothing_is_applied():
    bad_kind = ["k2", "castle", "X", "", "gia-lam", "", "", "", "", "", ""]
    no_place = ["k3", "craft_village", "Y", "", "", "", "", "", "", "-5", ""]
    registry = DictRegistry()
    plan = check_file("sites", xlsx([SITE_HEADER, BAT_TRANG, bad_kind, no_place, BAT_TRANG]), "s.xlsx", registry)
    got = [(p.row, p.column, p.value, p.rule) for p in plan.problems]
    assert (3, "Loại", "castle", "literal_error") in got
    assert (4, "Số hộ", "-5", "greater_than_equal") in got
    assert (5, "Mã tham chiếu", "bat-trang", "duplicate_key") in got
    assert "row 2" in plan.problems[-1].message
    assert plan.summary()["errors"] == 3 and not plan.valid
    with pytest.raises(ValueError):
        apply(plan, registry.call)
    assert registry.calls == []


def test_unknown_duplicate_and_missing_headers_refuse_the_file_with_the_allowed_names():
    plan = check_file("sites", xlsx([["Tên", "Colour", "name", "Loại"], ["a", "b", "c", "d"]]), "s.xlsx",
                      DictRegistry())
    got = {p.rule: p for p in plan.problems}
    assert set(got) == {"unknown_header", "duplicate_header", "missing_header"}
    assert "Mã tham chiếu / reference_key" in got["unknown_header"].message
    assert plan.actions == []


def test_a_value_under_no_header_is_a_problem():
    plan = check_file("sites", xlsx([SITE_HEADER, BAT_TRANG + ["", "stray"]]), "s.xlsx", DictRegistry())
    assert rules(plan) == [(2, "unnamed_column")]


def test_formulas_are_refused(tmp_path):
    row = list(BAT_TRANG)
    row[9] = "=1000+200"
    plan = check_file("sites", xlsx([SITE_HEADER, row]), "s.xlsx", DictRegistry())
    assert rules(plan) == [(2, "formula")]
    assert rules(check_file("sites", csv_bytes([SITE_HEADER, row]), "s.csv", DictRegistry())) == [(2, "formula")]


def test_oversized_files_rows_columns_and_cells_are_refused():
    small = Limits(max_bytes=2_000, max_rows=2, max_columns=12, max_cell=50)
    assert rules(check_file("sites", b"x" * 2_001, "s.csv", DictRegistry(), small)) == [(None, "too_large")]
    many = csv_bytes([SITE_HEADER] + [BAT_TRANG] * 3)
    assert rules(check_file("sites", many, "s.csv", DictRegistry(), small)) == [(4, "too_many_rows")]
    wide = csv_bytes([SITE_HEADER + ["a", "b"]])
    assert rules(check_file("sites", wide, "s.csv", DictRegistry(), small)) == [(1, "too_many_columns")]
    long = list(BAT_TRANG)
    long[2] = "x" * 51
    assert rules(check_file("sites", csv_bytes([SITE_HEADER, long]), "s.csv", DictRegistry(), small)) == \
        [(2, "cell_too_long")]


def test_a_zip_bomb_never_reaches_openpyxl():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 70_000_000)  # 70 MB of zeros, ~70 kB zipped
    bomb = out.getvalue()
    assert len(bomb) < 200_000
    assert rules(check_file("sites", bomb, "s.xlsx", DictRegistry())) == [(None, "zip_bomb")]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(201):
            z.writestr(f"e{i}", b"")
    assert rules(check_file("sites", out.getvalue(), "s.xlsx", DictRegistry())) == [(None, "zip_bomb")]


def test_not_a_workbook_other_formats_and_bad_encodings_are_refused():
    assert rules(check_file("sites", b"PK not a zip", "s.xlsx", DictRegistry())) == [(None, "not_xlsx")]
    assert rules(check_file("sites", b"a,b", "s.ods", DictRegistry())) == [(None, "format")]
    assert rules(check_file("sites", "Tên".encode("utf-16"), "s.csv", DictRegistry())) == [(None, "encoding")]


def test_establishments_need_their_site_and_round_trip():
    registry = DictRegistry()
    apply(check_file("sites", xlsx([SITE_HEADER, BAT_TRANG]), "s.xlsx", registry), registry.call)
    header = ["Mã địa bàn", "Mã đăng ký", "Tên", "Hình thức", "Ngành nghề", "Loại giấy phép", "Số giấy phép",
              "Vận chuyển CTNH", "Số giấy phép CTNH", "Mã CTNH được phép"]
    rows = [header, ["bat-trang", "0101234567", "Gốm Minh Long", "doanh nghiệp", "gốm; men", "GPMT", "12/GPMT",
                     "có", "1-2-3.045.VX", "16 01 06; 07 01 01"],
            ["nowhere", "0109999999", "X", "household", "", "", "", "", "", ""]]
    plan = check_file("establishments", xlsx(rows), "e.xlsx", registry)
    assert rules(plan) == [(3, "unknown_site")]
    plan = check_file("establishments", xlsx(rows[:2]), "e.xlsx", registry)
    (action,) = plan.actions
    args = action.arguments
    assert (args["form"], args["trades"], args["transporter"]) == ("enterprise", ["gốm", "men"], True)
    assert args["licence"]["waste_codes"] == ["16 01 06", "07 01 01"] and args["permit"]["type"] == "GPMT"
    assert args["source"] == "e.xlsx dòng 2"  # every row's source: the file and the row
    apply(plan, registry.call)
    # export what is stored, import it again: nothing to do
    site = registry.sites[str(site_id_for("bat-trang"))]
    est = next(iter(registry.establishments.values()))
    for fmt in ("xlsx", "csv"):
        header_out, out_rows = registry_table("establishments", [establishment_cells(est, "bat-trang")])
        again = check_file("establishments", write(header_out, out_rows, fmt), f"e.{fmt}", registry)
        assert again.problems == [] and again.summary()["unchanged"] == 1
        header_out, out_rows = registry_table("sites", [site_cells(site)])
        again = check_file("sites", write(header_out, out_rows, fmt), f"s.{fmt}", registry)
        assert again.problems == [] and again.summary()["unchanged"] == 1


def test_a_transporter_without_licence_is_refused_by_the_domain_rule():
    registry = DictRegistry()
    apply(check_file("sites", xlsx([SITE_HEADER, BAT_TRANG]), "s.xlsx", registry), registry.call)
    rows = [["site_key", "registration_code", "name", "form", "transporter"],
            ["bat-trang", "01", "A", "enterprise", "true"]]
    (problem,) = check_file("establishments", xlsx(rows), "e.xlsx", registry).problems
    assert problem.row == 2 and problem.rule


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_neutralises_formula_injection_and_reads_it_back(fmt):
    assert neutral("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert neutral("+1") == "'+1" and neutral("@SUM") == "'@SUM" and neutral("Bát Tràng") == "Bát Tràng"
    registry = DictRegistry()
    evil = {"id": "x", "reference_key": "evil", "kind": "craft_village", "name": "=cmd|' /C calc'!A0",
            "old_district": "gia-lam", "trade": "-2+3"}
    header, rows = registry_table("sites", [site_cells(evil)])
    data = write(header, rows, fmt)
    if fmt == "csv":
        cells = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1]
    else:
        ws = load_workbook(io.BytesIO(data)).active
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # not one formula
        cells = [c.value for c in list(ws.iter_rows())[1]]
    assert cells[2] == "'=cmd|' /C calc'!A0" and cells[3] == "'-2+3"
    table = read_table(data, f"s.{fmt}")
    assert table.rows[0][1][2] == "=cmd|' /C calc'!A0"  # the import reads the value back, not a formula
    plan = check_file("sites", data, f"s.{fmt}", registry)
    assert plan.problems == [] and plan.actions[0].arguments["name"] == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("sheet", ["sites", "establishments"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_have_the_headers_the_import_reads(sheet, fmt):
    table = read_table(template(sheet, fmt), f"t.{fmt}")
    assert table.rows == [] and table.header[0] in ("Mã tham chiếu", "Mã địa bàn")
    plan = check_file(sheet, template(sheet, fmt), f"t.{fmt}", DictRegistry())
    assert plan.problems == [] and plan.actions == []


class FakeIndicators:
    def __init__(self):
        self.asked = []

    def call(self, service, method, **kwargs):
        self.asked.append((service, method, kwargs))
        return {"ha-noi": {"wwtp_share": {"numerator": 3, "denominator": 4, "ratio": 0.75}},
                "gia-lam": {"wwtp_share": {"numerator": 1, "denominator": 2, "ratio": 0.5},
                            "conditions_met": {"numerator": 0, "denominator": 2, "ratio": None}}}


def test_the_indicators_export_is_one_row_per_unit_and_target():
    from shared.transfer.registry import export_file

    client = FakeIndicators()
    data = export_file(client, "indicators", "csv", "2026Q2")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert client.asked == [("indicators", "figures", {"period": "2026Q2"})]
    assert rows[0] == ["period", "unit", "target", "numerator", "denominator", "ratio"]
    assert rows[1:] == [["2026Q2", "gia-lam", "conditions_met", "0", "2", ""],
                        ["2026Q2", "gia-lam", "wwtp_share", "1", "2", "0.5"],
                        ["2026Q2", "ha-noi", "wwtp_share", "3", "4", "0.75"]]
    ws = load_workbook(io.BytesIO(export_file(client, "indicators", "xlsx", "2026"))).active
    assert [c.value for c in list(ws.iter_rows())[3]] == ["2026", "ha-noi", "wwtp_share", 3, 4, 0.75]


def test_the_recorded_source_names_the_file_only_in_plain_characters():
    from shared.transfer.registry import safe_name

    assert safe_name("C:\\Users\\a\\sổ đăng ký.xlsx") == "sổ đăng ký.xlsx"
    assert safe_name("../../x\n<b>.csv") == "x__b_.csv"
    plan = check_file("sites", csv_bytes([SITE_HEADER, BAT_TRANG]), "dir/evil\r\nname.csv", DictRegistry())
    assert plan.problems == [] and plan.actions[0].arguments["source"] == "QĐ 123 (evil__name.csv dòng 2)"


def test_a_misspelt_district_or_commune_is_a_problem_of_its_cell():
    """A typo would register a site in a unit no target counts (nobody's denominator)."""
    misspelt = list(BAT_TRANG)
    misspelt[4] = "gia-lamm"
    new_commune = list(VAN_PHUC)
    new_commune[0], new_commune[6] = "van-phuc-2", "phuong-khong-co"
    plan = check_file("sites", csv_bytes([SITE_HEADER, misspelt, new_commune]), "s.csv", DictRegistry())
    assert [(p.row, p.column, p.value, p.rule) for p in plan.problems] == [
        (2, "Quận/huyện cũ", "gia-lamm", "unknown_district"), (3, "Xã/phường", "phuong-khong-co", "unknown_commune")]
    assert plan.actions == []
