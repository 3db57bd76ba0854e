"""`langxanh import` / `langxanh export` against a real sites service on RabbitMQ (issue 16's
done-when: export then import changes nothing — zero new events)."""
import csv
import io

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from services.sites.domainmodel import site_id_for
from services.sites.service import SitesService
from langxanh.cli import app
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient

SITES = [["Mã tham chiếu", "Loại", "Tên", "Nghề", "Quận/huyện cũ", "Xã/phường cũ", "Vĩ độ", "Kinh độ", "Số hộ"],
         ["bat-trang", "làng nghề", "Bát Tràng", "gốm sứ", "gia-lam", "Bát Tràng", "21.0", "105.91", "1200"],
         ["kcn-thang-long", "industrial_zone", "KCN Thăng Long", "", "dong-anh", "", "", "", ""]]
ESTABLISHMENTS = [["site_key", "registration_code", "name", "form", "trades", "permit_type", "permit_number",
                   "transporter", "licence_number", "licence_waste_codes"],
                  ["bat-trang", "0101234567", "Gốm Minh Long", "enterprise", "gốm; men", "GPMT", "12/GPMT",
                   "có", "1-2-3.045.VX", "16 01 06"],
                  ["bat-trang", "HKD-77", "Hộ ông A", "hộ gia đình", "gốm", "", "", "", "", ""]]


def _xlsx(path, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.fixture
def sites(make_container, store_env, exchange_name, amqp_uri, monkeypatch):
    monkeypatch.setenv("LANGXANH_AMQP_URI", amqp_uri)
    container = make_container(SitesService)
    container.start()
    with ServiceClient(actor=Actor("reader", "admin"), amqp_uri=amqp_uri, timeout=20) as client:
        yield client


def _run(*args):
    result = CliRunner().invoke(app, [*map(str, args), "--wait", "20"] if args[0] != "import" or
                                args[1] != "template" else list(map(str, args)))
    return result.exit_code, result.output


def _head(client):
    return client.sites.ping()["log_head"]


@pytest.mark.parametrize("store_env", ["sqlite", "postgres"], indirect=True)
def test_import_then_export_then_import_changes_nothing(sites, tmp_path):
    sites_file = _xlsx(tmp_path / "so-dang-ky.xlsx", SITES)
    code, out = _run("import", "sites", sites_file)  # the dry run: nothing sent
    assert code == 0 and "would create 2, would change 0, unchanged 0, errors 0" in out and _head(sites) == 0
    code, out = _run("import", "sites", sites_file, "--apply")
    assert code == 0 and "applied: 2 new events" in out, out
    site = sites.sites.get_site(site_id=str(site_id_for("bat-trang")))  # the id the seed would derive
    assert site["name"] == "Bát Tràng" and site["reference_key"] == "bat-trang"
    assert sites.sites.get_site(site_id=site["id"])["source"] == "so-dang-ky.xlsx dòng 2"  # the row's source
    code, out = _run("import", "establishments", _xlsx(tmp_path / "co-so.xlsx", ESTABLISHMENTS), "--apply")
    assert code == 0 and "applied: 2 new events" in out, out
    firm = sites.sites.site_establishments(site_id=site["id"])
    assert {e["source"] for e in firm} == {"co-so.xlsx dòng 2", "co-so.xlsx dòng 3"}
    head = _head(sites)

    # a second run of the same files: the same command ids, nothing new
    assert "applied: 0 new events (nothing changed)" in _run("import", "sites", sites_file, "--apply")[1]
    # export, then import the export: nothing new, in both formats
    for what, fmt in (("sites", "xlsx"), ("establishments", "csv"), ("sites", "csv"), ("establishments", "xlsx")):
        exported = tmp_path / f"{what}-out.{fmt}"
        code, out = _run("export", what, "--format", fmt, "-o", exported)
        assert code == 0 and exported.exists(), out
        code, out = _run("import", what, exported, "--apply")
        assert code == 0 and "unchanged 2, errors 0" in out and "applied: 0 new events" in out, (what, fmt, out)
    assert _head(sites) == head
    rows = list(csv.reader(io.StringIO((tmp_path / "establishments-out.csv").read_text("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {"0101234567", "HKD-77"}

    # a changed row is one amendment; a file with one bad row changes nothing at all
    changed = [list(r) for r in SITES]
    changed[1][8] = "1250"
    code, out = _run("import", "sites", _xlsx(tmp_path / "v2.xlsx", changed), "--apply")
    assert code == 0 and "would change 1" in out and "applied: 1 new events" in out, out
    amended = sites.sites.get_site(site_id=site["id"])
    assert amended["households"] == 1250 and amended["source"] == "v2.xlsx dòng 2"  # the amendment's file and row
    bad = changed + [["van-phuc", "castle", "Vạn Phúc", "", "ha-dong", "", "", "", ""]]
    bad[1][8] = "1300"
    code, out = _run("import", "sites", _xlsx(tmp_path / "v3.xlsx", bad), "--apply")
    assert code == 1 and "literal_error" in out and "would change 1" in out
    assert _head(sites) == head + 1 and sites.sites.get_site(site_id=site["id"])["households"] == 1250


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_the_seeded_hanoi_registry_round_trips_without_a_new_event(sites, tmp_path):
    code, out = CliRunner().invoke(app, ["seed", "--wait", "20"]).exit_code, ""
    assert code == 0
    head = _head(sites)
    assert head > 50
    for fmt in ("xlsx", "csv"):
        exported = tmp_path / f"hanoi.{fmt}"
        assert _run("export", "sites", "--format", fmt, "-o", exported)[0] == 0
        code, out = _run("import", "sites", exported, "--apply")
        assert code == 0 and "would create 0, would change 0" in out and "errors 0" in out, out
    assert _head(sites) == head
