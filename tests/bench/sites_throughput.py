"""Benchmark: events/s stored through the sites RPC vs direct eventsourcing append, same store.

    python -m tests.bench.sites_throughput [--events 2000] [--concurrency 8] [--store sqlite|postgres|both]

Starts a real sites service process (RabbitMQ on AMQP_URI, a fresh data dir / schema), sends
register_site commands over RPC (one client, then N concurrent clients), then appends the same
kind of events directly with the Application (no broker) and with bare eventsourcing aggregates,
on a fresh store of the same kind. Prints a table and writes bench-results/sites_throughput.json.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.config import Settings
from shared.kit.store import app_for
from services.sites.application import SitesApplication
from services.sites.domainmodel import Site
from tests.bench.common import PG_URL, ROOT, service_env, start
from tests.ports import sites_ports

AGENCY = Actor("bench", "agency")


def fields(i: int) -> dict:
    return dict(kind="craft_village", name=f"Làng {i}", old_district="gia-lam", old_commune="Bát Tràng")


def start_service(env: dict) -> subprocess.Popen:
    return start(env, "sites", wait=60)[0]


def rpc_sequential(env: dict, n: int) -> float:
    with ServiceClient(actor=AGENCY, amqp_uri=env["AMQP_URI"], timeout=30) as c:
        t0 = time.perf_counter()
        for i in range(n):
            c.sites.register_site(**fields(i))
        return n / (time.perf_counter() - t0)


def rpc_ping(env: dict, n: int) -> float:
    """Bare nameko RPC round trips (no store, no relay work) for scale."""
    with ServiceClient(actor=AGENCY, amqp_uri=env["AMQP_URI"], timeout=30) as c:
        t0 = time.perf_counter()
        for _ in range(n):
            c.sites.ping()
        return n / (time.perf_counter() - t0)


def rpc_concurrent(env: dict, n: int, workers: int, ping: bool = False) -> float:
    """`n` register_site over `workers` clients at once; with `ping`, bare `ping`s instead (the
    ceiling of the RPC stack alone at that concurrency, no store)."""
    per = n // workers
    barrier = threading.Barrier(workers + 1)

    def work(w: int) -> None:
        with ServiceClient(actor=AGENCY, amqp_uri=env["AMQP_URI"], timeout=60) as c:
            barrier.wait()
            for i in range(per):
                c.sites.ping() if ping else c.sites.register_site(**fields(w * per + i))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    [t.start() for t in threads]
    barrier.wait()
    t0 = time.perf_counter()
    [t.join() for t in threads]
    return per * workers / (time.perf_counter() - t0)


def direct(settings: Settings, n: int) -> tuple[float, float]:
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    t0 = time.perf_counter()
    for i in range(n):
        app.register_site(AGENCY, None, **fields(i))
    via_app = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(n):
        app.save(Site(trade=None, trade_group=None, craft_village_cluster=False, commune=None, location=None,
                      households=None, area_ha=None, reference_key=None, source=None, confidence=None,
                      actor=AGENCY.to_dict(), **fields(i)))
    bare = n / (time.perf_counter() - t0)
    app.close()
    return via_app, bare


def run(store: str, n: int, workers: int, amqp_uri: str | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="lx-bench-"))
    schema_prefix = f"bench{uuid.uuid4().hex[:6]}_"
    env = service_env(store, tmp / "svc", schema_prefix + "svc_", amqp_uri)  # the clients' actor keys too
    proc = start_service(env)
    try:
        ping = rpc_ping(env, n)
        seq = rpc_sequential(env, n)
        conc = rpc_concurrent(env, n, workers)
        conc_ping = rpc_concurrent(env, n, workers, ping=True)
    finally:
        proc.terminate()
        proc.wait(30)
    settings = Settings(data_dir=tmp / "direct", database_url=PG_URL if store == "postgres" else None,
                        schema_prefix=schema_prefix + "direct_")
    via_app, bare = direct(settings, n)
    if store == "postgres":
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for suffix in ("svc_sites", "direct_sites"):
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema_prefix}{suffix}" CASCADE')
    return {"store": store, "events": n, "bare_rpc_ping_eps": ping, f"bare_rpc_ping_{workers}_clients_eps": conc_ping,
            "rpc_sequential_eps": seq, f"rpc_{workers}_clients_eps": conc,
            "application_direct_eps": via_app, "eventsourcing_bare_eps": bare}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    results = []
    for store in stores:
        print(f"[{store}] {args.events} events …", flush=True)
        results.append(run(store, args.events, args.concurrency))
    keys = [k for k in results[0] if k.endswith("_eps")]
    print(f"\n{'events/s':<28}" + "".join(f"{r['store']:>12}" for r in results))
    for k in keys:
        print(f"{k[:-4]:<28}" + "".join(f"{r[k]:>12.0f}" for r in results))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "sites_throughput.json").write_text(json.dumps(results, indent=2))
    print(f"\nwritten {out / 'sites_throughput.json'}")


if __name__ == "__main__":
    main()
