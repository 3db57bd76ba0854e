"""The staff inbox with many reports (issue 14: < 300 ms p95 server time), measured twice on the
same data: the service's answer (`StaffInbox.page`, services/inspections/inbox.py: the read
model's count and page queries, the site names, the working-day clocks) and the gateway's routes
(`GET /staff/inbox`, the HTML page rendered, and its JSON twin `GET /v1/staff/inbox`, signed in
as an agency member, in-process: TestClient → the gateway app → the inspections service's
entrypoint in-process, tests/bot/cluster.py). `--reports` incidents are seeded straight into the
inspections read model and its sites directory (SQL rows, no commands: the query is measured).

    python -m tests.bench.staff_inbox [--reports 100000] [--store sqlite|postgres|both] [--repeat 40]

Queries, each --repeat times with varied parameters: the default open list (page 1), a deep page,
a commune officer's scope (two communes), overdue only, a state and a category, an inspector's
"assigned to me or my unit", a site. Reported: p50 / p95 / max ms per query and over all.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from services.inspections.inbox import StaffInbox
from services.inspections.places import InboxSitesDirectory
from services.inspections.views import InspectionsViews, instant_key, running_due, sort_key
from shared.kit.actor import Actor
from tests.bench.common import drop_schemas, pct

AGENCY = Actor("bench-agency", "agency")
NOW = datetime(2026, 3, 6, 3, 0, tzinfo=timezone.utc)
STATES = (("reported", 10), ("triaged", 5), ("assigned", 10), ("verified", 4), ("reopened", 1), ("resolved", 10),
          ("closed", 50), ("rejected", 7), ("merged", 3))
CATEGORIES = ("wastewater", "smoke_odour", "dust", "noise", "open_burning", "illegal_dumping", "hazardous_waste", "other")
OPEN = ["reported", "triaged", "assigned", "verified", "reopened"]
SITES, COMMUNES, DISTRICTS, UNITS, INSPECTORS = 2000, 126, 30, 12, 80


def seed(views: InspectionsViews, directory: InboxSitesDirectory, reports: int, rnd: random.Random) -> list[str]:
    """Sites in communes and old districts, then `reports` incident rows; returns the site ids."""
    sites = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(SITES)]
    with directory.db.transaction() as cur:
        cur.executemany("INSERT INTO {t:known_site} (id, name, kind, commune, active) VALUES (%s,%s,%s,%s,1)",
                        [(s, f"Làng {i}", "craft_village", f"xa-{i % COMMUNES:03d}") for i, s in enumerate(sites)])
        cur.executemany("INSERT INTO {t:site_place} (id, commune, old_district) VALUES (%s,%s,%s)",
                        [(s, f"xa-{i % COMMUNES:03d}" if i % 5 else None, f"qd-{i % DISTRICTS:02d}")
                         for i, s in enumerate(sites)])
    states = [s for s, weight in STATES for _ in range(weight)]
    batch: list[tuple] = []
    for n in range(reports):
        state = rnd.choice(states)
        reported = NOW - timedelta(seconds=rnd.randrange(2 * 365 * 86400)) if state not in OPEN else \
            NOW - timedelta(seconds=rnd.randrange(40 * 86400))
        triage, resolution = reported + timedelta(days=3), reported + timedelta(days=15)
        assigned = state in ("assigned", "verified", "resolved", "closed", "reopened")
        due = running_due(state, triage, resolution)
        site = rnd.choice(sites) if rnd.random() < 0.9 else None
        batch.append((str(uuid.UUID(int=rnd.getrandbits(128))), state, rnd.choice(CATEGORIES),
                      rnd.choice(("low", "normal", "high")) if state != "reported" else None, site,
                      f"tg:r{n % 20000}", 21.0 + rnd.random() / 10, 105.8 + rnd.random() / 10, reported.isoformat(),
                      f"Đội {rnd.randrange(UNITS)}" if assigned else None,
                      f"tra{rnd.randrange(INSPECTORS)}@so.vn" if assigned else None,
                      (resolution.date().isoformat() if assigned else None), instant_key(triage),
                      instant_key(resolution), due and instant_key(due), sort_key(state, triage, resolution, reported),
                      "", 0, "{}"))
        if len(batch) == 5000 or n == reports - 1:
            with views.db.transaction() as cur:
                cur.executemany(
                    "INSERT INTO {t:incident_view_v3} (id, state, category, priority, site_id, reporter, lat, lon, "
                    "reported_at, unit, inspector, assigned_due, triage_due, resolution_due, due_at, sort_key, "
                    "overdue, reopened, doc) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", batch)
            batch = []
    if views.db.postgres:  # what autovacuum does on a live database
        with views.db.transaction() as cur:
            cur.execute("ANALYZE {t:incident_view_v3}")
            cur.execute("ANALYZE {t:site_place}")
    return sites


def queries(rnd: random.Random, sites: list[str]) -> dict:
    return {
        "open, page 1": lambda: dict(states=OPEN),
        "every state, page 40": lambda: dict(offset=50 * 39),
        "2 communes (officer)": lambda: dict(states=OPEN, communes=[f"xa-{rnd.randrange(COMMUNES):03d}",
                                                                    f"qd-{rnd.randrange(DISTRICTS):02d}"]),
        "overdue only": lambda: dict(overdue=True),
        "state + category": lambda: dict(states=[rnd.choice(OPEN)], category=rnd.choice(CATEGORIES)),
        "mine (inspector or unit)": lambda: dict(inspector=f"tra{rnd.randrange(INSPECTORS)}@so.vn",
                                                 unit=f"Đội {rnd.randrange(UNITS)}", states=OPEN),
        "one site": lambda: dict(site_id=rnd.choice(sites)),
    }


def _timed(fn, repeat: int) -> tuple[list[float], list]:  # type: ignore[no-untyped-def]
    fn()  # warm
    times, answers = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        answers.append(fn())
        times.append(time.perf_counter() - t)
    return times, answers


def _figures(times: list[float]) -> dict:
    return {"p50_ms": pct(times, 50) * 1000, "p95_ms": pct(times, 95) * 1000, "max_ms": max(times) * 1000}


def run(store: str, reports: int, repeat: int, tmp: Path, prefix: str, gateway: bool = True) -> dict:
    from tests.bench.staff_inbox_gateway import InProcess

    with InProcess(store, tmp / store, prefix) as world:
        app = world.inspections
        app.clock = lambda: NOW
        rnd = random.Random(14)
        t0 = time.perf_counter()
        sites = seed(app.views, app.directory, reports, rnd)
        seeded = time.perf_counter() - t0
        inbox, out, every, routes = StaffInbox(app), {}, [], {"page": [], "json": []}
        member = world.member() if gateway else None
        for name, params in queries(rnd, sites).items():
            times, pages = _timed(lambda: inbox.page(AGENCY, **params()), repeat)
            every += times
            out[name] = dict(_figures(times), rows_matching_mean=statistics.mean(p["total"] for p in pages))
            if member is not None:
                for kind in routes:
                    took, _ = _timed(lambda: world.get(member, kind, params()), max(5, repeat // 2))
                    routes[kind] += took
                    out[name][f"{kind}_p95_ms"] = pct(took, 95) * 1000
        out["all"] = _figures(every)
        result = {"store": store, "reports": reports, "seed_s": seeded, "queries": out}
        if member is not None:
            result["routes"] = {kind: _figures(times) for kind, times in routes.items()}
        return result


def table(results: list[dict]) -> str:
    """Per query: the service's p50 / p95 ms (rows matching), and the gateway's p95 for the page and
    its JSON twin."""
    label = lambda r: "SQLite" if r["store"] == "sqlite" else "PostgreSQL"  # noqa: E731
    head = "| query | " + " | ".join(f"{label(r)} service p50 / p95 ms (matching) | {label(r)} page / JSON p95 ms"
                                     for r in results) + " |"
    lines = [head, "|---|" + "---|---|" * len(results)]
    for name in results[0]["queries"]:
        cells = []
        for r in results:
            q = r["queries"][name]
            match = f" ({q['rows_matching_mean']:,.0f})".replace(",", " ") if "rows_matching_mean" in q else ""
            cells.append(f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f}{match}")
            if name == "all" and "routes" in r:
                cells.append(f"{r['routes']['page']['p95_ms']:.1f} / {r['routes']['json']['p95_ms']:.1f}")
            else:
                cells.append(f"{q['page_p95_ms']:.1f} / {q['json_p95_ms']:.1f}" if "page_p95_ms" in q else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def measure(stores: list[str], reports: int, repeat: int) -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="lx-bench-inbox-"))
    prefix = f"lxi{uuid.uuid4().hex[:6]}_"
    try:
        return [run(s, reports, repeat, tmp, prefix) for s in stores]
    finally:
        if "postgres" in stores:
            drop_schemas(prefix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    results = measure(stores, args.reports, args.repeat)
    for r in results:
        routes = r.get("routes") or {}
        print(f"[{r['store']}] {r['reports']} reports seeded in {r['seed_s']:.1f} s; p95 over every query: "
              f"service {r['queries']['all']['p95_ms']:.1f} ms" +
              (f", page {routes['page']['p95_ms']:.1f} ms, JSON {routes['json']['p95_ms']:.1f} ms" if routes else ""))
    print(table(results))


if __name__ == "__main__":
    main()


def figure(store: str, tmp: Path, prefix: str, reports: int, quick: bool) -> dict:
    """P7 of `make bench` (tests/bench/all.py): this bench in the run's tmp dir and schema prefix."""
    print(f"[{store}] P7: the staff inbox over {reports} reports …", flush=True)
    r = run(store, reports, 10 if quick else 30, tmp / "p7", prefix + "p7_")
    print(f"[{store}] P7: p95 {r['queries']['all']['p95_ms']:.1f} ms over every query", flush=True)
    return r
