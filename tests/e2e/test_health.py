"""`langxanh health` and each process's /metrics, against the real processes of `langxanh up`
(each monkey-patched by eventlet, as in production): every service answers and serves its own
metrics on LANGXANH_METRICS_PORT + its offset; a killed one makes `health` exit non-zero (the
supervisor is paused so it cannot restart it yet), and once restarted all is well again."""
import json
import os
import signal
import subprocess
import sys
import time


from shared.catalog import SERVICES
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from tests.e2e.conftest import ROOT, run_cli
from tests.e2e.test_up import wait_ping
from tests.metrics_scrape import free_ports, scrape


def sample(scraped, name, **labels):
    return scraped.get((name, tuple(sorted(labels.items()))))


def health_json(env, *args):
    out = run_cli(env, "health", "--json", *args)
    return out.returncode, {r["service"]: r for r in json.loads(out.stdout)}, out


def eventually(fn, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def test_health_and_metrics_of_every_process_and_a_killed_one(system_env, tmp_path):
    base = free_ports(len(SERVICES))
    env = {**system_env, "LANGXANH_METRICS_PORT": str(base), "LANGXANH_METRICS_HOST": "127.0.0.1"}
    log = open(tmp_path / "up.log", "wb")
    up = subprocess.Popen([sys.executable, "-m", "langxanh", "up"], env=env, cwd=ROOT, stdout=log,
                          stderr=subprocess.STDOUT)
    try:
        for name in SERVICES:
            wait_ping(env, name)
        with ServiceClient(actor=Actor("officer-1", "agency"), amqp_uri=env["AMQP_URI"]) as agency:
            for i in range(3):
                agency.sites.register_site(kind="craft_village", name=f"Làng {i}", old_district="gia-lam")

        def settled():
            with ServiceClient(amqp_uri=env["AMQP_URI"], timeout=5) as c:
                sites, insp = c.sites.ping(), c.inspections.ping()
            return sites["relay"]["lag"] == 0 and insp["followers"]["sites"]["position"] == 3

        eventually(settled, what="the relay published and inspections applied the three sites")

        # every service answers: exit 0, a table row each
        table = run_cli(env, "health")
        assert table.returncode == 0, table.stdout + table.stderr
        for name in SERVICES:
            assert name in table.stdout
        assert "ms" in table.stdout
        code, answers, out = health_json(env)
        assert code == 0, out.stdout + out.stderr
        assert set(answers) == set(SERVICES) and all(a["ok"] for a in answers.values())
        assert len({a["pid"] for a in answers.values()}) == len(SERVICES)  # one process each
        assert answers["sites"]["log_head"] == 3 and answers["sites"]["relay"] == {"position": 3, "lag": 0,
                                                                                   "holder": True}
        assert answers["inspections"]["followers"]["sites"]["lag"] == 0
        assert set(answers["indicators"]["followers"]) == {"sites", "inspections", "manifests"}
        assert all(a["ms"] > 0 for a in answers.values())
        assert {a["metrics_port"] for a in answers.values()} == {base + i for i in range(len(SERVICES))}
        assert run_cli(env, "health", "--service", "sites").returncode == 0
        assert run_cli(env, "health", "--service", "nope").returncode == 2

        # each process serves its own /metrics on base + its offset in the catalogue
        for offset, name in enumerate(SERVICES):
            scraped = scrape(base + offset)
            assert sample(scraped, "langxanh_log_head", service=name) is not None, name
            assert {dict(labels).get("service") for (metric, labels) in scraped
                    if metric.startswith("langxanh_log_head")} == {name}
        sites_metrics = scrape(base)
        assert sample(sites_metrics, "langxanh_commands_total", service="sites", kind="command",
                      command="register_site", outcome="ok") == 3
        assert sample(sites_metrics, "langxanh_relay_position", service="sites") == 3
        assert sample(sites_metrics, "langxanh_relay_published_total", service="sites") == 3
        insp_metrics = scrape(base + list(SERVICES).index("inspections"))
        assert sample(insp_metrics, "langxanh_follower_position", service="inspections", source="sites") == 3
        assert sample(insp_metrics, "langxanh_follower_lag", service="inspections", source="sites") == 0
        assert sample(insp_metrics, "langxanh_follower_applied_total", service="inspections", source="sites") == 3

        # one is killed; `up` is paused so it cannot restart it yet
        victim = answers["inspections"]["pid"]
        os.kill(up.pid, signal.SIGSTOP)
        try:
            os.kill(victim, signal.SIGKILL)
            eventually(lambda: open(f"/proc/{victim}/stat").read().split(") ")[1][0] in "ZX"
                       if os.path.exists(f"/proc/{victim}/stat") else True, timeout=10, what="the kill")
            down = run_cli(env, "health", "--timeout", "2")
            assert down.returncode == 1 and "not answering: inspections" in down.stderr, down.stdout + down.stderr
            code, answers_down, _ = health_json(env, "--timeout", "2")
            assert code == 1 and not answers_down["inspections"]["ok"]
            assert all(answers_down[n]["ok"] for n in SERVICES if n != "inspections")
            assert run_cli(env, "health", "--service", "sites", "--timeout", "2").returncode == 0
            assert run_cli(env, "health", "--service", "inspections", "--timeout", "2").returncode == 1
            try:
                scrape(base + list(SERVICES).index("inspections"))
                raise AssertionError("the killed process still serves metrics")
            except OSError:
                pass
        finally:
            os.kill(up.pid, signal.SIGCONT)

        # `up` restarts it: healthy again, a new pid, metrics on the same port
        def recovered():
            code, again, _ = health_json(env)
            return again if code == 0 else None

        again = eventually(recovered, timeout=90, what="inspections restarted by up")
        assert again["inspections"]["pid"] != victim
        assert sample(scrape(base + list(SERVICES).index("inspections")), "langxanh_follower_position",
                      service="inspections", source="sites") is not None
    finally:
        try:
            os.kill(up.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(timeout=60)
        except subprocess.TimeoutExpired:
            up.kill()
        log.close()
    assert up.returncode == 0, (tmp_path / "up.log").read_text()[-3000:]
