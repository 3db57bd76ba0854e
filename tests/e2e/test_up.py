"""`langxanh up` runs every service; inspections follows sites across processes."""
import json
import signal
import subprocess
import sys
import time

from nameko.exceptions import RpcTimeout, UnknownService

from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.errors import NotFound
from tests.e2e.conftest import ROOT, run_cli


def wait_ping(env, service, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with ServiceClient(amqp_uri=env["AMQP_URI"], timeout=2) as c:
                return c.call(service, "ping")
        except (RpcTimeout, UnknownService, OSError):
            time.sleep(0.3)
    raise AssertionError(f"{service} did not answer")


def test_up_runs_sites_and_inspections_and_stops_them(system_env, tmp_path):
    up = subprocess.Popen([sys.executable, "-m", "langxanh", "up"], env=system_env, cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_ping(system_env, "sites")["service"] == "sites"
        assert wait_ping(system_env, "inspections")["service"] == "inspections"
        assert wait_ping(system_env, "manifests")["service"] == "manifests"
        assert wait_ping(system_env, "indicators")["service"] == "indicators"
        with ServiceClient(actor=Actor("officer-1", "agency"), amqp_uri=system_env["AMQP_URI"]) as agency, \
                ServiceClient(actor=Actor("tg:1", "resident"), amqp_uri=system_env["AMQP_URI"]) as resident:
            site = agency.sites.register_site(kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
            deadline = time.monotonic() + 20
            while True:  # inspections learns of the site from the sites stream
                try:
                    ticket = resident.inspections.report_incident(category="wastewater", description="Nước nhuộm đỏ",
                                                                  site_id=site["id"])
                    break
                except NotFound:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
        out = run_cli(system_env, "events", "--service", "inspections", "--from-start", "--json")
        events = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        assert [e["type"] for e in events] == ["vn.langxanh.inspections.incident_reported.v1"]
        assert events[0]["subject"] == ticket["id"] and events[0]["communecode"] == "ha-dong"

        # an official waste-code list is loaded from a CSV file as a new catalogue version
        csv_file = tmp_path / "official.csv"
        csv_file.write_text("code,name_vi,marker\n16 01 06,Bóng đèn huỳnh quang thải,NH\n17 02 03,Dầu động cơ thải,NH\n",
                            encoding="utf-8")
        loaded = run_cli(system_env, "catalogue", "load", str(csv_file), "--version", "official-test",
                         "--source", "TT 02/2022/TT-BTNMT PL III")
        assert loaded.returncode == 0 and "2 codes" in loaded.stdout, loaded.stdout + loaded.stderr
        shown = run_cli(system_env, "catalogue", "show")
        assert "catalogue official-test: 2 codes" in shown.stdout
        bad = tmp_path / "bad.csv"
        bad.write_text("code,name_vi\n160106,sai dạng mã\n", encoding="utf-8")
        refused = run_cli(system_env, "catalogue", "load", str(bad), "--version", "bad", "--source", "x")
        assert refused.returncode == 1 and "nothing was loaded" in refused.stderr

        # indicators follow every stream: the status card shows the reported incident, a report is issued
        deadline = time.monotonic() + 30
        while True:
            card = run_cli(system_env, "status", "van", "phuc")
            if "Phản ánh đang mở" in card.stdout and "1 (tổng 1)" in card.stdout:
                break
            assert time.monotonic() < deadline, card.stdout + card.stderr
            time.sleep(0.5)
        issued = run_cli(system_env, "report", "--quarter", "2026Q4", "--format", "csv")
        assert issued.returncode == 0 and "2026Q4,city:hanoi,villages_classified" in issued.stdout, issued.stderr
        html = tmp_path / "report.html"
        again = run_cli(system_env, "report", "--quarter", "2026Q4", "--unit", "district:ha-dong", "--format", "html",
                        "--out", str(html))
        assert again.returncode == 0 and "<svg" in html.read_text(encoding="utf-8")
        rebuilt = run_cli(system_env, "indicators", "rebuild")
        assert rebuilt.returncode == 0 and "rebuilt from" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr
    finally:
        up.send_signal(signal.SIGTERM)
        output, _ = up.communicate(timeout=60)
    assert up.returncode == 0
    assert all(f"store    {s}:" in output for s in ("sites", "inspections", "manifests", "indicators"))
    assert "stopped" in output
