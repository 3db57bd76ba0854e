"""The services' own-log read models (sites, inspections and manifests views: lists, search, open
manifests and incidents), rebuilt from their own logs, as a service does on its first query after
events were appended behind it (P5's history appended directly, or a restore):

    python -m tests.bench.own_views [--events 20000] [--store sqlite|postgres]
"""
from __future__ import annotations

import argparse
import time

from services.inspections.views import InspectionsViews
from services.manifests.views import ManifestsViews
from services.sites.views import SitesViews
from shared.kit.sql import Db
from tests.history import History

VIEWS = {"sites": SitesViews, "inspections": InspectionsViews, "manifests": ManifestsViews}


def rebuild(history: History) -> dict:
    """Each service's views reset and caught up with its log: {service: {events, s, eps}}."""
    out = {}
    for name, app in (("sites", history.sites), ("inspections", history.inspections),
                      ("manifests", history.manifests)):
        views = VIEWS[name](Db.of(app), app)
        t0 = time.perf_counter()
        events = views.rebuild()
        seconds = time.perf_counter() - t0
        out[name] = {"events": events, "s": seconds, "eps": events / seconds if seconds else 0.0}
    return out


def main() -> None:
    from tests.bench.common import generated_history

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with generated_history(args.store, args.events, "lxv") as history:
        for name, r in rebuild(history).items():
            print(f"{name} views: {r['events']} events in {r['s']:.1f} s, {r['eps']:.0f} events/s")


if __name__ == "__main__":
    main()
