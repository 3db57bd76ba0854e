"""The audit trail (shared/kit/audit.py): its rebuild from each own log, and a trail's answer time by
actor and by record from the indexed read model, against the alternative of reading the log itself
(a record's events through the store's aggregate index; a person's by scanning the whole log):

    python -m tests.bench.audit [--events 20000] [--store sqlite|postgres] [--queries 200]
"""
from __future__ import annotations

import argparse
import random
import time
import uuid
from typing import Any

from shared.kit.actor import Actor, Role
from shared.kit.audit import AuditTrail
from shared.kit.sql import Db
from tests.bench.common import pct

ADMIN = Actor("bench-admin", Role.ADMIN)


def timed(fn: Any, n: int) -> dict:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50": pct(times, 50), "p95": pct(times, 95)}


def from_the_log_by_record(app: Any, aggregate_id: Any) -> list:
    """The alternative without a read model, by record: the aggregate's stored events, decoded."""
    events = [app.mapper.to_domain_event(s) for s in app.recorder.select_events(aggregate_id)]
    return [e for e in events if isinstance(getattr(e, "actor", None), dict)][::-1][:50]


def from_the_log_by_actor(app: Any, actor_id: str) -> list:
    """... by person: every notification decoded (nothing indexes the actor inside the state)."""
    out, position = [], 0
    while True:
        page = app.select_notifications(position, 1000)
        if not page:
            return out[::-1][:50]
        out += [n.id for n in page if getattr(app.mapper.to_domain_event(n), "actor", {}).get("id") == actor_id]
        position = page[-1].id


def measure(name: str, app: Any, queries: int) -> dict:
    audit = AuditTrail(Db.of(app), app, name)
    t0 = time.perf_counter()
    events = audit.rebuild()
    rebuild_s = time.perf_counter() - t0
    rows = audit.rows("SELECT aggregate_id, actor_id FROM {t:lx_audit}")
    rng = random.Random(1)
    records = [r["aggregate_id"] for r in rng.sample(rows, min(len(rows), 50))]
    busiest = audit.rows("SELECT actor_id, COUNT(*) AS n FROM {t:lx_audit} GROUP BY actor_id ORDER BY n DESC LIMIT 1")[0]
    deep = audit.rows("SELECT seq FROM {t:lx_audit} WHERE actor_id=%s ORDER BY seq LIMIT 1 OFFSET %s",
                      (busiest["actor_id"], int(busiest["n"]) // 2))[0]["seq"]
    out = {"events": events, "rows": len(rows), "rebuild_s": rebuild_s, "busiest_actor_rows": int(busiest["n"]),
           "by_record": timed(lambda: audit.trail(ADMIN, aggregate_id=rng.choice(records)), queries),
           "by_actor": timed(lambda: audit.trail(ADMIN, actor=busiest["actor_id"]), queries),
           "by_actor_deep_page": timed(lambda: audit.trail(ADMIN, actor=busiest["actor_id"], before=deep), queries),
           "log_by_record": timed(lambda: from_the_log_by_record(app, uuid.UUID(rng.choice(records))), queries),
           "log_by_actor": timed(lambda: from_the_log_by_actor(app, busiest["actor_id"]), 3)}
    t0 = time.perf_counter()
    for _ in range(queries):
        audit.catch_up()  # what every query pays when nothing is new
    out["idle_catch_up_ms"] = (time.perf_counter() - t0) * 1000 / queries
    return out


def main() -> None:
    from tests.bench.common import generated_history

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with generated_history(args.store, args.events, "lxa") as history:
        for name in ("sites", "inspections", "manifests"):
            r = measure(name, getattr(history, name), args.queries)
            print(f"{name}: {r['events']} events, {r['rows']} rows, rebuilt in {r['rebuild_s']:.1f} s "
                  f"({r['events'] / r['rebuild_s']:.0f} events/s); busiest actor {r['busiest_actor_rows']} rows")
            for key in ("by_record", "by_actor", "by_actor_deep_page", "log_by_record", "log_by_actor"):
                print(f"  {key:20} p50 {r[key]['p50']:8.2f} ms  p95 {r[key]['p95']:8.2f} ms")
            print(f"  idle catch-up {r['idle_catch_up_ms']:.2f} ms per query")


if __name__ == "__main__":
    main()
