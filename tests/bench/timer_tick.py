"""One deadline-timer tick of inspections over many open incidents none of which is due (issue 18):
the aggregates it loads and its time, on SQLite or PostgreSQL. The incidents are saved directly
(Application, no broker) and the read model caught up before the ticks are timed:

    python -m tests.bench.timer_tick [--incidents 5000] [--ticks 5] [--store sqlite|postgres]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from services.inspections.application import InspectionsApplication
from services.inspections.domainmodel import Incident
from services.inspections.views import InspectionsViews
from shared.kit.actor import Actor
from shared.kit.config import Settings
from tests.ports import inspections_ports, on_store

NOW = datetime(2026, 3, 6, 3, 0, tzinfo=timezone.utc)


def seed(app: InspectionsApplication, incidents: int, batch: int = 500) -> None:
    """`incidents` reported incidents whose triage runs three days after NOW."""
    actor = Actor("tg:bench", "resident").to_dict()
    for start in range(0, incidents, batch):
        app.save(*[Incident(category="wastewater", description="Nước thải", location={"lat": 21.0, "lon": 105.8},
                            site_id=None, photos=[], reporter=f"tg:r{n}", reported_at=NOW,
                            triage_due=NOW + timedelta(days=3), resolution_due=NOW + timedelta(days=15), actor=actor)
                   for n in range(start, min(incidents, start + batch))])


def tick(app: InspectionsApplication, ticks: int) -> dict:
    """`ticks` ticks at NOW + 1 day: loads per tick (reads at the head) and the median seconds."""
    loaded, real = [], app.repository.get

    def counting(aggregate_id, *args, **kw):  # type: ignore[no-untyped-def]
        if not args and kw.get("version") is None:
            loaded.append(aggregate_id)
        return real(aggregate_id, *args, **kw)

    app.repository.get = counting  # type: ignore[method-assign]
    seconds = []
    for _ in range(ticks):
        t0 = time.perf_counter()
        counts = app.check_deadlines(NOW + timedelta(days=1))
        seconds.append(time.perf_counter() - t0)
        assert not any(counts.values()), counts  # nothing is due
    return {"loads": len(loaded) // ticks, "s": statistics.median(seconds)}


def main() -> None:
    from tests.bench.common import PG_URL, drop_schemas

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=5_000)
    parser.add_argument("--ticks", type=int, default=5)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    prefix = f"lxt{uuid.uuid4().hex[:6]}_"
    tmp = Path(tempfile.mkdtemp(prefix="lx-bench-timer-"))
    settings = Settings(data_dir=tmp, **({"database_url": PG_URL, "schema_prefix": prefix}
                                         if args.store == "postgres" else {}))
    app = on_store(InspectionsApplication, "inspections", settings,
                   lambda store: inspections_ports(views=InspectionsViews(store.db, store)))
    try:
        views = app.views
        seed(app, args.incidents)
        views.catch_up()
        r = tick(app, args.ticks)
        print(f"timer tick ({args.store}): {args.incidents} open incidents, none due: "
              f"{r['loads']} loaded, {r['s'] * 1000:.1f} ms (median of {args.ticks})")
    finally:
        app.close()
        if args.store == "postgres":
            drop_schemas(prefix)


if __name__ == "__main__":
    main()
