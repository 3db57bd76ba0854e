"""`langxanh seed`, `events` and `status` against a running sites service."""
import json
import subprocess
import sys
import threading
import time

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from shared import reference
from tests.e2e.conftest import ROOT, run_cli


def test_seed_loads_hanoi_idempotently_and_events_print_it_as_cloudevents(sites_process, system_env, client):
    sites_process().start()
    first = run_cli(system_env, "seed")
    assert first.returncode == 0, first.stderr + first.stdout
    head = client.sites.ping()["log_head"]
    entries = reference.sites()
    assert head >= len(entries) and f"{head} new events" in first.stdout

    second = run_cli(system_env, "seed")
    assert second.returncode == 0 and "0 new events" in second.stdout
    assert client.sites.ping()["log_head"] == head  # a second run changes nothing

    listed = client.sites.list_sites(limit=1000)
    assert listed["total"] == len(entries)
    villages = client.sites.list_sites(kind="craft_village", recognised=True, limit=1000)["total"]
    assert villages >= 40
    assert client.sites.list_sites(kind="industrial_cluster", limit=1000)["total"] >= 15

    out = run_cli(system_env, "events", "--from-start", "--json")
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert len(lines) == head
    parsed = [JSONFormat().read(CloudEvent, line.encode()) for line in lines]
    assert [int(e.get_attributes()["sequence"]) for e in parsed] == list(range(1, head + 1))
    kinds = {e.get_attributes()["type"] for e in parsed}
    assert "vn.langxanh.sites.site_registered.v1" in kinds and "vn.langxanh.sites.site_jurisdiction_changed.v1" in kinds

    only = run_cli(system_env, "events", "--from-start", "--json", "--type", "site_jurisdiction_changed")
    assert all(json.loads(x)["type"].endswith("site_jurisdiction_changed.v1") for x in only.stdout.splitlines())

    card = run_cli(system_env, "status", "bat", "trang")
    assert card.returncode == 0 and "Bát Tràng" in card.stdout, card.stdout + card.stderr
    assert "xã Bát Tràng" in card.stdout
    missing = run_cli(system_env, "status", "khong co lang nay")
    assert missing.returncode == 1


def test_events_follow_continues_live_with_no_gap_and_no_duplicate_at_the_seam(sites_process, system_env, client):
    sites_process().start()
    for i in range(30):
        client.sites.register_site(kind="craft_village", name=f"Trước {i}", old_district="gia-lam")
    tail = subprocess.Popen([sys.executable, "-m", "langxanh", "events", "--from-start", "--follow", "--json"],
                            env=system_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines, reader = [], None

    def read():
        for line in tail.stdout:
            lines.append(json.loads(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for i in range(60):  # written while the tail starts: around the backfill/live seam
            client.sites.register_site(kind="industrial_cluster", name=f"Trong {i}", old_district="dong-anh")
        head = client.sites.ping()["log_head"]
        deadline = time.monotonic() + 30
        while len(lines) < head and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        tail.terminate()
        tail.wait(10)
    assert [int(e["sequence"]) for e in lines] == list(range(1, head + 1))
