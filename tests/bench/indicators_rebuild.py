"""Benchmark: the indicators rebuild rate (events/s) vs raw notification-log reads of the same stores.

    python -m tests.bench.indicators_rebuild [--scale 1.0] [--store sqlite|postgres]

Generates a history across sites, inspections and manifests (about 52 000 events at scale 1) in
real stores, then times (1) reading every notification of the three logs with the recorders, and
(2) rebuilding the indicators' facts from them (public-event mapping + projection, one transaction
per page of 1000), both in this process with no broker in between.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from services.indicators.application import IndicatorsApplication
from services.indicators.views import IndicatorFacts
from services.inspections.application import InspectionsApplication
from services.manifests.application import ManifestsApplication
from services.sites.application import SitesApplication
from shared.kit.config import Settings
from shared.kit.follower import Follower
from shared.kit.eventstore import open_store
from shared.kit.store import app_for
from tests.history import Clock, History

from tests.bench.common import PG_URL, ROOT
from tests.ports import sites_ports


def history_for(settings: Settings) -> History:
    sites = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    inspections, manifests = History.ports(sites)
    history = History(sites, app_for(InspectionsApplication, "inspections", settings, ports=inspections),
                      app_for(ManifestsApplication, "manifests", settings, ports=manifests,
                              clock=Clock(datetime(2022, 1, 1, tzinfo=timezone.utc))))
    return history


def generate(history: History, scale: float, echo=None) -> int:  # type: ignore[no-untyped-def]
    """About 52 000 events at scale 1 across the sites, inspections and manifests logs. `echo`:
    a progress line every 5 % (villages, manifests and incidents are the units)."""
    s = scale
    sizes = {"villages": max(1, int(1700 * s)), "clusters": max(1, int(300 * s)),
             "manifests": max(1, int(5000 * s)), "incidents": max(1, int(3000 * s))}
    units = sizes["villages"] + sizes["manifests"] + sizes["incidents"]
    done, t0 = [0], time.perf_counter()

    def progress() -> None:
        done[0] += 1
        if echo and (done[0] * 20) // units != ((done[0] - 1) * 20) // units:
            events = sum(history.heads().values())
            echo(f"  {done[0] * 100 // units} %: {events} events in {time.perf_counter() - t0:.0f} s")

    return history.generate(**sizes, progress=progress)


def raw_reads(history: History) -> tuple[int, float]:
    """Every notification of the three logs read with the recorders: (count, events/s)."""
    t0 = time.perf_counter()
    read = 0
    for mapper in history.mappers.values():
        position = 0
        while batch := mapper.app.select_notifications(position, 1000):
            read += len(batch)
            position = batch[-1].id
    return read, read / (time.perf_counter() - t0)


def rebuild(history: History, settings: Settings) -> tuple[int, float]:
    """The indicators' facts rebuilt from the three logs in `settings`' indicators store: (events, events/s)."""
    indicators = open_store(IndicatorsApplication, "indicators", settings)  # the facts' tables are all it needs
    projection = IndicatorFacts(indicators.db)
    t0 = time.perf_counter()
    rebuilt = sum(Follower(source, projection, mapper.events_since, page=1000).rebuild()
                  for source, mapper in history.mappers.items())
    eps = rebuilt / (time.perf_counter() - t0)
    indicators.close()
    return rebuilt, eps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="lx-bench-i-")),
                        database_url=PG_URL if args.store == "postgres" else None,
                        schema_prefix=f"benchi{uuid.uuid4().hex[:6]}_")
    history = history_for(settings)
    t0 = time.perf_counter()
    total = generate(history, args.scale)
    print(f"[{args.store}] generated {total} events in {time.perf_counter() - t0:.0f} s", flush=True)
    _, raw = raw_reads(history)
    _, rebuild_eps = rebuild(history, settings)
    print(f"\n{'events/s':<40}{args.store:>12}")
    print(f"{'raw notification-log reads':<40}{raw:>12.0f}")
    print(f"{'indicators rebuild (map + project)':<40}{rebuild_eps:>12.0f}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / f"indicators_rebuild_{args.store}.json").write_text(json.dumps(
        {"store": args.store, "events": total, "raw_read_eps": raw, "rebuild_eps": rebuild_eps}, indent=2))


if __name__ == "__main__":
    main()
