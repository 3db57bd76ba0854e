"""Benchmark: events/s stored through the manifests RPC for whole lifecycles (draft → hand-over →
pickup → receipt → treatment → copy 4 → closed, 7 events each) vs the same lifecycles appended
directly through the Application on a fresh store of the same kind, in one run.

    python -m tests.bench.manifests_lifecycle [--manifests 200] [--store sqlite|postgres|both]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from shared import reference
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.config import Settings
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.store import app_for
from services.manifests.application import ManifestsApplication
from tests.bench.common import start
from tests.ports import manifests_ports

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("LANGXANH_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
LINE = {"line": 1, "code": "16 01 06", "name": "Bóng đèn huỳnh quang thải", "state": "solid", "packaging": "thùng",
        "quantity_kg": 100.0, "method": "thiêu đốt"}


def lifecycle(call, ids, number):
    g, t, f = ids
    gen, tr, fac = (Actor("g", "business", establishment=g), Actor("t", "transporter", establishment=t),
                    Actor("f", "treatment_facility", establishment=f))
    m = call(gen, "create_manifest", generator_id=g, number=number, transporters=[t], facility_1=f,
             vehicle_plate="29C-123.45", lines=[LINE], planned_date=date(2026, 1, 2))
    call(gen, "sign_handover", manifest_id=m["id"])
    call(tr, "sign_pickup", manifest_id=m["id"])
    call(fac, "receive", manifest_id=m["id"], measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 99.0}])
    call(fac, "treat", manifest_id=m["id"], method="thiêu đốt", treated_on=date(2026, 1, 2))
    call(gen, "return_copy4", manifest_id=m["id"])
    call(gen, "close_manifest", manifest_id=m["id"])


def via_rpc(env, n):
    with ServiceClient(actor=Actor("bench", "agency"), amqp_uri=env["AMQP_URI"], timeout=30) as c:
        site = c.sites.register_site(kind="industrial_cluster", name="CCN Bench", old_district="gia-lam")["id"]
        reg = lambda name, code, **kw: c.sites.register_establishment(  # noqa: E731
            site_id=site, name=name, form="enterprise", registration_code=code, **kw)["id"]
        ids = (reg("G", "G", hw_generator=True), reg("T", "T", transporter=True, licence={"number": "1", "waste_codes": []}),
               reg("F", "F", treatment_facility=True, licence={"number": "2", "waste_codes": ["16 01 06"]}))
    clients: dict[str, ServiceClient] = {}

    def call(actor, rpc_name, **kw):
        key = f"{actor.role}:{actor.establishment}"
        if key not in clients:
            clients[key] = ServiceClient(actor=actor, amqp_uri=env["AMQP_URI"], timeout=30).__enter__()
        kw = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in kw.items()}
        return clients[key].call("manifests", rpc_name, **kw)

    deadline = time.monotonic() + 30
    while True:  # the manifests service learns the establishments from the sites stream
        try:
            lifecycle(call, ids, "WARMUP")
            break
        except (NotFound, InvalidInput):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    t0 = time.perf_counter()
    for i in range(n):
        lifecycle(call, ids, f"B-{i}")
    elapsed = time.perf_counter() - t0
    for cl in clients.values():
        cl.__exit__(None, None, None)
    return 7 * n / elapsed


class Directory:
    def __init__(self, ids):
        g, t, f = ids
        self.ests = {g: {"id": g, "site_id": "s", "hw_generator": True, "active": True},
                     t: {"id": t, "site_id": "s", "transporter": True, "active": True, "licence": {"waste_codes": []}},
                     f: {"id": f, "site_id": "s", "treatment_facility": True, "active": True,
                         "licence": {"waste_codes": ["16 01 06"]}}}

    def establishment(self, eid):
        return self.ests.get(eid)

    def site(self, sid):
        return None


def direct(settings, n):
    ids = tuple(str(uuid.uuid4()) for _ in range(3))
    app = app_for(ManifestsApplication, "manifests", settings,
                  ports=manifests_ports(directory=Directory(ids), catalogue=reference.load("waste_codes.json")))
    def call(actor, rpc_name, **kw):
        return getattr(app, rpc_name)(actor, None, **kw)

    t0 = time.perf_counter()
    for i in range(n):
        lifecycle(call, ids, f"D-{i}")
    elapsed = time.perf_counter() - t0
    app.close()
    return 7 * n / elapsed


def run(store, n):
    tmp = Path(tempfile.mkdtemp(prefix="lx-bench-m-"))
    prefix = f"benchm{uuid.uuid4().hex[:6]}_"
    env = dict(os.environ, LANGXANH_DATA_DIR=str(tmp / "svc"), LANGXANH_SCHEMA_PREFIX=prefix + "svc_",
               LANGXANH_EXCHANGE=f"langxanh.bench.{uuid.uuid4().hex[:6]}")
    env.setdefault("AMQP_URI", Settings().amqp_uri)
    if store == "postgres":
        env["LANGXANH_DATABASE_URL"] = PG_URL
    else:
        env.pop("LANGXANH_DATABASE_URL", None)
    procs = start(env, "sites", "manifests")
    try:
        rpc = via_rpc(env, n)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
    settings = Settings(data_dir=tmp / "direct", database_url=PG_URL if store == "postgres" else None,
                        schema_prefix=prefix + "direct_")
    result = {"store": store, "manifests": n, "rpc_lifecycle_eps": rpc, "direct_lifecycle_eps": direct(settings, n)}
    if store == "postgres":
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for s in ("svc_sites", "svc_manifests", "direct_manifests"):
                conn.execute(f'DROP SCHEMA IF EXISTS "{prefix}{s}" CASCADE')
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", type=int, default=200)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    results = []
    for store in (["sqlite", "postgres"] if args.store == "both" else [args.store]):
        print(f"[{store}] {args.manifests} manifests × 7 events …", flush=True)
        results.append(run(store, args.manifests))
    print(f"\n{'events/s (whole lifecycles)':<30}" + "".join(f"{r['store']:>12}" for r in results))
    for k in ("rpc_lifecycle_eps", "direct_lifecycle_eps"):
        print(f"{k[:-4]:<30}" + "".join(f"{r[k]:>12.0f}" for r in results))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "manifests_lifecycle.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
