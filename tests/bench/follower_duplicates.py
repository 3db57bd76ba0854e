"""Benchmark (issue 18): how fast a follower drains the duplicates queued behind a pull.

    python -m tests.bench.follower_duplicates [--events 2000] [--store sqlite|postgres|both]

A catch-up by pulling applies a page of events at once; the messages the relay pushed for those
events are still queued, and each is a duplicate by then. The follower (shared/kit/follower.py)
used to read its position from the store for each; it now knows its last applied position in
memory. Appends --events sites events, catches a follower up with one pull, then feeds it every
event again as a pushed message: duplicates/s, and the position reads the store answered.
"""
from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from services.sites.application import SitesApplication
from shared.contracts.sites import PUBLIC_EVENTS
from shared.kit.actor import Actor
from shared.kit.config import Settings
from shared.kit.follower import Follower, SqlProjection
from shared.kit.public import PublicMapper
from shared.kit.sql import Db
from shared.kit.store import app_for
from tests.bench.common import PG_URL, drop_schemas
from tests.ports import sites_ports

AGENCY = Actor("bench", "agency")


class Counted(SqlProjection):
    name = "bench_duplicates"
    tables = ("CREATE TABLE IF NOT EXISTS {t:bench_dup_seen} (seq BIGINT PRIMARY KEY)",)

    def __init__(self, db: Db) -> None:
        super().__init__(db)
        self.reads = 0
        read = self.view.max_tracking_id

        def counted(application_name: str) -> int | None:
            self.reads += 1
            return read(application_name)

        self.view.max_tracking_id = counted  # type: ignore[method-assign]

    def project(self, cur, event):  # type: ignore[no-untyped-def]
        cur.execute("INSERT INTO {t:bench_dup_seen} (seq) VALUES (%s)", (int(event["sequence"]),))

    def clear(self, cur):  # type: ignore[no-untyped-def]
        cur.execute("DELETE FROM {t:bench_dup_seen}")


def run(store: str, events: int) -> dict:
    prefix = f"benchdup{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=PG_URL if store == "postgres" else None,
                            schema_prefix=prefix)
        app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
        try:
            for i in range(events):
                app.register_site(AGENCY, None, kind="craft_village", name=f"Làng {i}", old_district="gia-lam")
            mapper = PublicMapper("sites", app, PUBLIC_EVENTS, place=app.place_of)
            pushed = mapper.events_since(0, events + 10)
            projection = Counted(Db.of(app))
            follower = Follower("sites", projection, mapper.events_since, page=500)
            follower.catch_up()
            projection.reads = 0
            t0 = time.perf_counter()
            outcomes = [follower.handle(e) for e in pushed]
            seconds = time.perf_counter() - t0
            assert set(outcomes) == {"duplicate"}, set(outcomes)
            return {"store": store, "duplicates": len(pushed), "per_s": len(pushed) / seconds,
                    "store_reads": projection.reads}
        finally:
            app.close()
            if store == "postgres":
                drop_schemas(prefix)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    for store in (["sqlite", "postgres"] if args.store == "both" else [args.store]):
        r = run(store, args.events)
        print(f"{store}: {r['duplicates']} duplicates drained at {r['per_s']:,.0f}/s, "
              f"{r['store_reads']} position reads", flush=True)


if __name__ == "__main__":
    main()
