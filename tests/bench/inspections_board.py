"""The staff workspace's inspections lists (the board read model): N inspections, each conducted with a
sample and with a violation of two remedial measures, over 40 sites in 10 communes; then the server
time of the queries the page makes (the list, a quarter filtered to a commune officer's communes, the
overdue measures), p50 and p95 over repeated calls:

    python -m tests.bench.inspections_board [--inspections 3000] [--store sqlite|postgres] [--calls 100]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from services.inspections.application import InspectionsApplication
from services.inspections.views import InspectionsViews
from shared import reference
from shared.kit.actor import Actor
from shared.kit.config import Settings
from tests.history import Clock
from tests.ports import inspections_ports, on_store

AGENCY, INSPECTOR, RESIDENT = Actor("a", "agency"), Actor("i", "inspector"), Actor("tg:r", "resident")


class Directory:
    def __init__(self) -> None:
        self.sites = {str(uuid.UUID(int=i + 1)): {"id": str(uuid.UUID(int=i + 1)), "name": f"Làng {i}",
                                                   "commune": f"xa-{i % 10}", "active": True} for i in range(40)}
        self.establishments = {str(uuid.UUID(int=1000 + i)): {"id": str(uuid.UUID(int=1000 + i)), "site_id": sid,
                                                              "form": "enterprise", "active": True}
                               for i, sid in enumerate(self.sites)}

    def site(self, site_id: str) -> dict | None:
        return self.sites.get(site_id)

    def establishment(self, establishment_id: str) -> dict | None:
        return self.establishments.get(establishment_id)


def populate(app: InspectionsApplication, n: int, clock: Clock) -> None:
    firms = list(app.directory.establishments.values())  # type: ignore[attr-defined]
    entry = next(e for e in app.sanctions["entries"] if e["article"] == 15)
    start = date(2025, 1, 1)
    for i in range(n):
        firm = firms[i % len(firms)]
        day = start + timedelta(days=i % 700)
        clock.now = datetime(day.year, day.month, day.day, 3, tzinfo=timezone.utc)
        report = app.report_incident(RESIDENT, None, category="wastewater", description="Nước thải",
                                     site_id=firm["site_id"])
        ins = app.schedule_inspection(AGENCY, None, kind="unannounced", scheduled_for=day, site_id=firm["site_id"],
                                      establishment_id=firm["id"], incident_ids=[report["id"]], unit=f"Đội {i % 5}")
        app.conduct_inspection(INSPECTOR, None, ins["id"], day, ["a"], "f",
                               [{"parameter": "COD", "value": 100 + i % 300, "unit": "mg/L"}])
        app.record_violation(INSPECTOR, None, establishment_id=firm["id"], catalogue_code=entry["code"],
                             description="x", offender_type="organisation",
                             fine_vnd=2 * entry["band_individual_vnd"]["min"], inspection_id=ins["id"],
                             remedial_measures=[{"measure": f"Biện pháp {k}", "deadline": day + timedelta(days=30 * k + 10)}
                                                for k in range(2)])


def timed(calls: int, fn) -> dict:  # type: ignore[no-untyped-def]
    fn()  # warm (and caught up)
    samples = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(0.95 * (len(samples) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspections", type=int, default=3000)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    prefix = f"lxib{uuid.uuid4().hex[:6]}_"
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="lx-bench-board-")),
                        **({"database_url": "postgresql://postgres@127.0.0.1:5432/test", "schema_prefix": prefix}
                           if args.store == "postgres" else {}))
    clock = Clock(datetime(2025, 1, 1, tzinfo=timezone.utc))
    app = on_store(InspectionsApplication, "inspections", settings, lambda store: inspections_ports(
        directory=Directory(), views=InspectionsViews(store.db, store), limits=reference.limit_tables(),
        sanctions=reference.load("sanctions_decree45.json")), clock=clock)
    try:
        t0 = time.perf_counter()
        populate(app, args.inspections, clock)
        print(f"{args.inspections} inspections with violations in {time.perf_counter() - t0:.1f} s "
              f"({app.log_head()} events)")
        clock.now = datetime(2027, 1, 1, tzinfo=timezone.utc)
        t0 = time.perf_counter()
        app.list_inspections(AGENCY, limit=1)
        print(f"board caught up from the log in {time.perf_counter() - t0:.1f} s")
        cases = {
            "list, first page of 50": lambda: app.list_inspections(AGENCY, limit=50),
            "list, a quarter in 2 communes": lambda: app.list_inspections(AGENCY, year=2025, quarter=3,
                                                                          communes=["xa-1", "xa-2"]),
            "list, state and unit, page 10": lambda: app.list_inspections(AGENCY, state="conducted", unit="Đội 1",
                                                                          offset=450, limit=50),
            "overdue measures, first 100": lambda: app.overdue_measures(AGENCY, limit=100),
        }
        for name, fn in cases.items():
            r = timed(args.calls, fn)
            print(f"{name}: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms")
    finally:
        app.close()
        if args.store == "postgres":
            from tests.bench.common import drop_schemas

            drop_schemas(prefix)


if __name__ == "__main__":
    main()
