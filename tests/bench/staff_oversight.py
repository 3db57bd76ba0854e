"""The staff's oversight queries (issue 14, pages 4 and 5) on the generated history: the manifests
listing built from the manifests log, then each kind of list query (filters, a commune officer's
scope, the flagged lists, flag counts, stock, mass balances) timed over repeats; and the targets
table, a drill-down and a site's events on the indicators rebuilt from the three logs:

    python -m tests.bench.staff_oversight [--scale 1] [--store sqlite|postgres] [--repeat 30]
"""
from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from services.indicators.application import IndicatorsApplication
from services.indicators.drill import IndicatorsDrill
from services.indicators.views import IndicatorFacts
from services.manifests.listing import ManifestsListing
from services.manifests.oversight import ManifestsOversight
from shared.directory import SitesDirectory
from shared.kit.config import Settings
from shared.kit.follower import Follower
from shared.kit.sql import Db
from tests.bench.common import PG_URL, drop_schemas, pct
from tests.bench.indicators_rebuild import generate, history_for
from tests.history import History
from tests.ports import indicators_ports, on_store


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return pct(times, 50), pct(times, 95)


def oversight_of(history: History) -> tuple[ManifestsOversight, float]:
    app = history.manifests
    directory = SitesDirectory(Db.of(app))
    Follower("sites", directory, history.mappers["sites"].events_since, page=1000).catch_up()
    app.directory = directory  # the real directory (establishments_in), as the service follows it
    listing = ManifestsListing(Db.of(app), app)
    t0 = time.perf_counter()
    events = listing.rebuild()
    return ManifestsOversight(app, listing), events / (time.perf_counter() - t0)


def manifest_queries(o: ManifestsOversight) -> dict[str, Callable[[], Any]]:
    first = o.list_manifests(limit=1)["items"][0]
    generator, code = first["generator_id"], first["codes"][0]
    return {
        "list, first page": lambda: o.list_manifests(),
        "list, deep page (offset 2000)": lambda: o.list_manifests(offset=2000),
        "by state": lambda: o.list_manifests(state="received"),
        "by generator": lambda: o.list_manifests(generator_id=generator),
        "by waste code": lambda: o.list_manifests(code=code),
        "commune officer (old district)": lambda: o.list_manifests(communes=["gia-lam"]),
        "flag: copy 4 overdue": lambda: o.list_manifests(flag="copy4_overdue"),
        "flag: in transit too long": lambda: o.list_manifests(flag="in_transit_too_long"),
        "flag counts": lambda: o.flag_counts(),
        "stock held too long": lambda: o.stock_overdue(),
        "mass balances, a year": lambda: o.mass_balances(year=2024),
    }


def indicator_queries(history: History, settings: Settings) -> tuple[IndicatorsApplication, dict]:
    indicators = on_store(IndicatorsApplication, "indicators", settings,
                          lambda store: indicators_ports(facts=IndicatorFacts(store.db)))
    facts = indicators.facts
    for source, mapper in history.mappers.items():
        Follower(source, facts, mapper.events_since, page=1000).rebuild()
    drill = IndicatorsDrill(indicators)
    sites = drill.drill_down("2025Q4", "city:hanoi", "villages_classified")["sites"]
    site = sites[0]["site_id"]
    return indicators, {
        "targets table (cached figures)": lambda: drill.targets("2025Q4"),
        "drill-down, city villages": lambda: drill.drill_down("2025Q4", "city:hanoi", "villages_classified"),
        "site events": lambda: drill.site_events("2025Q4", "city:hanoi", "villages_classified", site),
        "site events, hazardous waste": lambda: drill.site_events(
            "2025Q4", "city:hanoi", "hw_treated", drill.drill_down("2025Q4", "city:hanoi", "hw_treated")["sites"][0]["site_id"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    prefix = f"benchs{uuid.uuid4().hex[:6]}_"
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="lx-bench-staff-")),
                        database_url=PG_URL if args.store == "postgres" else None, schema_prefix=prefix)
    history = history_for(settings)
    try:
        run(history, settings, args.store, args.scale, args.repeat)
    finally:
        for app in (history.sites, history.inspections, history.manifests):
            app.close()
        if args.store == "postgres":
            drop_schemas(prefix)


def run(history: History, settings: Settings, store: str, scale: float, repeat: int) -> None:
    t0 = time.perf_counter()
    total = generate(history, scale)
    print(f"[{store}] generated {total} events in {time.perf_counter() - t0:.0f} s", flush=True)
    oversight, eps = oversight_of(history)
    count = oversight.list_manifests(limit=1)["total"]
    print(f"manifests listing: {count} manifests, rebuilt at {eps:.0f} events/s")
    print(f"\n{'query (ms)':<40}{'p50':>10}{'p95':>10}")
    for name, fn in manifest_queries(oversight).items():
        p50, p95 = timed(fn, repeat)
        print(f"{name:<40}{p50:>10.1f}{p95:>10.1f}", flush=True)
    indicators, queries = indicator_queries(history, settings)
    for name, fn in queries.items():
        p50, p95 = timed(fn, repeat)
        print(f"{name:<40}{p50:>10.1f}{p95:>10.1f}", flush=True)
    indicators.close()


if __name__ == "__main__":
    main()
