"""P6 (issue 18): an incident report filed over HTTP — our path vs the baseline a user would pick
instead, in the same run, by the same client at the same concurrency. Target: ours ≥ 0.5 × its rate.

Ours: POST /open311/v2/requests.json to the gateway (uvicorn, as `langxanh up` starts it) with an
agency's API key (open311:write) → the key checked and the reporter's day quota counted in the
gateway's store → inspections.report_incident over RabbitMQ → the incident's events stored; the
services run as real processes (tests.bench.common.start: sites, inspections, manifests,
indicators) on the store asked for. "Stored" = the HTTP answer came back with the ticket.
Baseline (tests/bench/baseline_fastapi.py): the same form, validated by the same contract, one
row INSERTed into PostgreSQL (always PostgreSQL) through a psycopg pool, uvicorn in its own process.

    python -m tests.bench.report_baseline [--store sqlite|postgres|both] [--clients 8] [--reports 100] [--quick]

Each side: --clients concurrent httpx clients (one connection each) posting --reports forms each,
after a warm-up, split into --rounds rounds that alternate (baseline, ours, baseline, ours: a change of
the machine's load falls on both); reports/s (answers / wall time of the side's rounds), p50/p95 ms
per POST, and the CPU each process (/proc/<pid>/stat) spent per report during the side's rounds —
for ours until the inspections relay had published and the indicators projected every report
(after the last answer: that tail is in ours' CPU, not in its wall time nor in the baseline's round). The inspections
service's own metrics (langxanh_command_duration_seconds) give the time spent handling
report_incident: the rest of our latency is HTTP, the gateway (key, quota) and the RPC hops.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.bench.common import (PG_URL, ROOT, SERVICES, create_vhost, delete_vhost, drop_schemas, pct, service_env,
                                start, stop)

TARGET = 0.5
CLIENTS, REPORTS, QUICK_REPORTS, ROUNDS = 8, 100, 20, 2
PATH = "/open311/v2/requests.json"


def free_port(span: int = 1) -> int:
    """A port p with p … p+span-1 free on loopback."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + span > 65000:
            continue
        try:
            held = []
            for p in range(base, base + span):
                t = socket.socket()
                held.append(t)
                t.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for t in held:
                t.close()
    raise SystemExit("no free loopback ports")


def form(side: str, n: int) -> dict:
    """A resident's report, different each time (its reporter, its words): no retry, no quota hit."""
    return {"service_code": "wastewater", "lat": f"{21.02 + n % 50 / 10000:.5f}", "long": f"{105.85 + n % 70 / 10000:.5f}",
            "email": f"p6-{side}-{n}@example.vn", "description": f"Nước thải đen chảy ra mương, lần {n}"}


class Side:
    """What one side's measured rounds added up to. `settle` (ours): waits until the work a round
    left behind (relaying, projecting) is done — counted in the side's CPU, not in its wall time,
    and kept out of the next side's round."""

    def __init__(self, name: str, url: str, headers: dict, settle: Callable[[], None] = lambda: None) -> None:
        self.name, self.url, self.headers, self.settle = name, url, headers, settle
        self.latencies: list[float] = []
        self.ids: set[str] = set()
        self.wall = 0.0
        self.cpu: dict[str, float] = {}

    def figures(self) -> dict:
        n = len(self.ids)
        return {"reports": n, "wall_s": self.wall, "reports_per_s": n / self.wall,
                "p50_ms": pct(self.latencies, 50) * 1000, "p95_ms": pct(self.latencies, 95) * 1000,
                "cpu_ms_per_report": {k: v * 1000 / n for k, v in self.cpu.items()}}


async def load(side: Side, clients: int, per_client: int, start_at: int, pids: dict[str, int] | None = None) -> None:
    """`clients` concurrent clients, `per_client` POSTs each; every answer must be a 200 with an id.
    With `pids`, the round counts: its latencies, wall time and the CPU of those processes add up."""
    latencies: list[float] = []
    ids: set[str] = set()

    async def client(k: int) -> None:
        async with httpx.AsyncClient(headers=side.headers, timeout=60) as http:
            for i in range(per_client):
                t = time.perf_counter()
                answer = await http.post(side.url, data=form(side.name, start_at + k * per_client + i))
                latencies.append(time.perf_counter() - t)
                if answer.status_code != 200:
                    raise SystemExit(f"P6 {side.name}: {answer.status_code} {answer.text[:300]}")
                ids.add(answer.json()[0]["service_request_id"])

    cpu0 = {name: cpu_s(pid) for name, pid in (pids or {}).items()}
    t0 = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    wall = time.perf_counter() - t0
    assert len(ids) == clients * per_client, (side.name, len(ids))
    await asyncio.to_thread(side.settle)
    if pids is not None:
        side.latencies += latencies
        side.ids |= ids
        side.wall += wall
        for name, pid in pids.items():
            side.cpu[name] = side.cpu.get(name, 0.0) + cpu_s(pid) - cpu0[name]


async def measure(ours: Side, theirs: Side, clients: int, per_client: int, rounds: int, pids: dict[str, int],
                  metrics_url: str) -> dict:
    """A warm-up, then `rounds` rounds of baseline then ours (so a change of the machine's load
    falls on both sides), per_client ÷ rounds reports per client each."""
    warm = max(2, per_client // 5)
    await load(theirs, clients, warm, 0)
    await load(ours, clients, warm, 0)
    handled_s = calls = 0.0
    for r in range(rounds):
        share = per_client // rounds + (1 if r < per_client % rounds else 0)
        await load(theirs, clients, share, (r + 1) * 10**6, pids)
        s0, n0 = handled(metrics_url)
        await load(ours, clients, share, (r + 1) * 10**6, pids)
        s1, n1 = handled(metrics_url)
        handled_s, calls = handled_s + s1 - s0, calls + n1 - n0
    mine = ours.figures() | {"report_incident_handled_mean_ms": handled_s / max(1.0, calls) * 1000,
                             "report_incident_calls": calls}
    return {"baseline": theirs.figures(), "ours": mine, "warm_per_client": warm, "rounds": rounds}


def wait_http(url: str, proc: subprocess.Popen, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited ({proc.returncode})")
        try:
            httpx.get(url, timeout=3).raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{what} did not answer on {url}") from None
            time.sleep(0.3)


def issue_key(env: dict) -> str:
    """An agency's key with open311:write, issued on the gateway's store (`langxanh gateway key`)."""
    from services.gateway.application import GatewayApplication
    from shared.kit.store import app_for
    from tests.bench.common import settings_of

    app = app_for(GatewayApplication, "gateway", settings_of(env))
    try:
        return app.issue_key(None, None, "so-nnmt", ["open311:write"])["api_key"]
    finally:
        app.close()


def handled(metrics_url: str) -> tuple[float, float]:
    """(seconds, calls) the inspections service spent handling report_incident, from its /metrics."""
    text = urllib.request.urlopen(metrics_url, timeout=5).read().decode()
    out = {"sum": 0.0, "count": 0.0}
    for line in text.splitlines():
        if line.startswith("langxanh_command_duration_seconds_") and 'command="report_incident"' in line:
            kind = line.split("{", 1)[0].rsplit("_", 1)[1]
            if kind in out:
                out[kind] += float(line.rsplit(" ", 1)[1])
    return out["sum"], out["count"]


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gateway_argv(port: int) -> list[str]:
    """As `langxanh up` starts it (langxanh/system.py process_command); LANGXANH_BENCH_PROFILE=<dir>: under
    cProfile (<dir>/gateway.prof, written when it stops), as tests.bench.common.start does for services."""
    profile = os.environ.get("LANGXANH_BENCH_PROFILE")
    under = ["-m", "cProfile", "-o", str(Path(profile) / "gateway.prof")] if profile else []
    return [sys.executable, *under, "-m", "uvicorn", "--factory", "services.gateway.service:create_app", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--timeout-graceful-shutdown", "3"]


def run(store: str, tmp: Path, prefix: str, amqp_uri: str, clients: int, per_client: int, rounds: int = ROUNDS) -> dict:
    """P6 on one store: the services and the gateway on fresh schemas/data dir and a fresh exchange of
    the run's vhost, the baseline on a schema of its own (dropped at the end, whatever happens)."""
    env = service_env(store, tmp / "p6" / "svc", prefix + "p6_", amqp_uri)
    metrics = free_port(len(SERVICES))
    gateway_port, baseline_port = free_port(), free_port()
    env.update({"LANGXANH_METRICS_PORT": str(metrics), "LANGXANH_METRICS_HOST": "127.0.0.1",
                "LANGXANH_GATEWAY_PORT": str(gateway_port), "LANGXANH_WEBHOOK_DELIVERY": "false"})
    base_schema = f"{prefix}p6base"
    procs: list[subprocess.Popen] = []
    try:
        procs += start(env, *SERVICES)
        key = issue_key(env)
        procs.append(subprocess.Popen(gateway_argv(gateway_port), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        wait_http(f"http://127.0.0.1:{gateway_port}/openapi.json", procs[-1], "the gateway")
        procs.append(subprocess.Popen([sys.executable, "-m", "tests.bench.baseline_fastapi", "--port", str(baseline_port),
                                       "--schema", base_schema, "--dsn", PG_URL, "--pool", str(clients)],
                                      cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_http(f"http://127.0.0.1:{baseline_port}/openapi.json", procs[-1], "the baseline")
        ours = Side("ours", f"http://127.0.0.1:{gateway_port}{PATH}", {"X-API-Key": key}, lambda: settled(env))
        theirs = Side("baseline", f"http://127.0.0.1:{baseline_port}{PATH}", {})
        pids = {**{s: p.pid for s, p in zip(SERVICES, procs)}, "gateway": procs[-2].pid, "baseline": procs[-1].pid,
                "bench client": os.getpid()}
        load0 = os.getloadavg()
        out = asyncio.run(measure(ours, theirs, clients, per_client, rounds, pids,
                                  f"http://127.0.0.1:{metrics + SERVICES.index('inspections')}/metrics"))
        out["loadavg_1min"] = [load0[0], os.getloadavg()[0]]
        out["ours"]["inspections_log_head"] = log_head(env)
        assert out["ours"]["inspections_log_head"] >= out["ours"]["reports"], out["ours"]
        out["baseline"]["rows"] = stored_rows(base_schema)
        assert out["baseline"]["rows"] >= out["baseline"]["reports"], out["baseline"]
        ratio = out["ours"]["reports_per_s"] / out["baseline"]["reports_per_s"]
        out.update({"store": store, "clients": clients, "per_client": per_client, "ratio": ratio,
                    "target": TARGET, "met": ratio >= TARGET})
        return out
    finally:
        stop(procs)
        drop_schemas(base_schema)


def settled(env: dict, timeout: float = 120) -> None:
    """Until the inspections relay has published its whole log and the indicators follow its head."""
    from shared.kit.client import ServiceClient

    deadline = time.monotonic() + timeout
    with ServiceClient(amqp_uri=env["AMQP_URI"], timeout=30) as c:
        while True:
            inspections, indicators = c.call("inspections", "ping"), c.call("indicators", "ping")
            if inspections["relay"]["lag"] == 0 and \
                    indicators["followers"]["inspections"]["position"] >= inspections["log_head"]:
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"P6: the inspections relay or the indicators did not catch up: {inspections} {indicators}")
            time.sleep(0.05)


def log_head(env: dict) -> int:
    from shared.kit.client import ServiceClient

    with ServiceClient(amqp_uri=env["AMQP_URI"], timeout=30) as c:
        return int(c.call("inspections", "ping")["log_head"])


def stored_rows(schema: str) -> int:
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        return conn.execute(f'SELECT count(*) FROM "{schema}".incident_report').fetchone()[0]


def say(r: dict) -> str:
    o, b = r["ours"], r["baseline"]
    return (f"[{r['store']}] P6: ours {o['reports_per_s']:.1f}/s (p50 {o['p50_ms']:.1f}, p95 {o['p95_ms']:.1f} ms; "
            f"inspections handled report_incident in {o['report_incident_handled_mean_ms']:.1f} ms mean), "
            f"baseline {b['reports_per_s']:.1f}/s (p50 {b['p50_ms']:.1f}, p95 {b['p95_ms']:.1f} ms): "
            f"{r['ratio']:.2f}× ({'meets' if r['met'] else 'misses'} ≥ {TARGET}×); CPU ms per report, ours: " +
            ", ".join(f"{k} {v:.1f}" for k, v in o["cpu_ms_per_report"].items()) +
            "; baseline: " + ", ".join(f"{k} {v:.1f}" for k, v in b["cpu_ms_per_report"].items() if v >= 0.05))


def figure(store: str, tmp: Path, prefix: str, amqp_uri: str, quick: bool) -> dict:
    """P6 of `make bench` (tests/bench/all.py): in the run's tmp dir, schema prefix and vhost."""
    per_client = QUICK_REPORTS if quick else REPORTS
    print(f"[{store}] P6: {CLIENTS} clients × {per_client} reports, ours vs the FastAPI + PostgreSQL baseline …",
          flush=True)
    r = run(store, tmp, prefix, amqp_uri, CLIENTS, per_client)
    print(say(r), flush=True)
    return r


def _lat(side: str):  # type: ignore[no-untyped-def]
    return lambda r: f"{r['P6'][side]['p50_ms']:.1f} / {r['P6'][side]['p95_ms']:.1f}"


ROWS = [  # P6's rows of tests.bench.all's table
    ("P6 report POSTs (clients × reports each)", lambda r: f"{r['P6']['clients']} × {r['P6']['per_client']}"),
    ("P6 ours: Open311 POST → gateway → inspections, stored, reports/s", lambda r: f"{r['P6']['ours']['reports_per_s']:.1f}"),
    ("P6 ours p50 / p95 ms", _lat("ours")),
    ("P6 baseline: FastAPI + one PostgreSQL row, reports/s", lambda r: f"{r['P6']['baseline']['reports_per_s']:.1f}"),
    ("P6 baseline p50 / p95 ms", _lat("baseline")),
    ("P6 CPU ms per report: our processes (gateway + services) / the baseline app",
     lambda r: f"{sum(v for k, v in r['P6']['ours']['cpu_ms_per_report'].items() if k not in ('baseline', 'bench client')):.1f}"
               f" / {r['P6']['baseline']['cpu_ms_per_report']['baseline']:.1f}"),
    ("P6 ours ÷ baseline (target ≥ 0.5)", lambda r: f"{r['P6']['ratio']:.2f} ({'met' if r['P6']['met'] else 'missed'})"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--reports", type=int, default=None, help=f"per client (default {REPORTS}, quick {QUICK_REPORTS})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="alternating rounds (baseline, ours) the reports split into")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    per_client = args.reports or (QUICK_REPORTS if args.quick else REPORTS)
    for store in ["sqlite", "postgres"] if args.store == "both" else [args.store]:
        tmp, prefix, amqp_uri = Path(tempfile.mkdtemp(prefix="lx-bench-p6-")), f"lxb{uuid.uuid4().hex[:6]}_", create_vhost()
        try:
            print(say(run(store, tmp, prefix, amqp_uri, args.clients, per_client, args.rounds)), flush=True)
        finally:
            delete_vhost(amqp_uri)
            if store == "postgres":
                drop_schemas(prefix)


if __name__ == "__main__":
    main()
