"""Run in its own process (eventlet patches first, as in a service process):
`python -m tests.kit.mapping_ticker_probe DIR N` prints JSON {seconds, ticks, max_gap_ms, mapped}.

N sites are registered in a SQLite store in DIR; then a 10 ms ticker greenthread runs while the
sites' public mapper answers one `events_since` page of all N events (what a source does for a
catching-up follower) and the relay publishes them to an in-memory publisher. `max_gap_ms` is the
longest the ticker waited for its turn: a page that never yields shows as one gap its whole length."""
import shared  # noqa: F401  (quiet eventlet's deprecation notice)
import eventlet

eventlet.monkey_patch()

import gc  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402


class Memory:
    def __init__(self) -> None:
        self.sent = 0

    def publish(self, key: str, event: dict) -> None:
        self.sent += 1


class NoLock:
    def acquire(self) -> bool:
        return True

    def close(self) -> None:
        pass


def main(folder: str, n: int) -> None:
    from services.sites.application import SitesApplication
    from shared.contracts.sites import PUBLIC_EVENTS
    from shared.kit.actor import Actor
    from shared.kit.config import Settings
    from shared.kit.public import PublicMapper
    from shared.kit.relay import Relay
    from shared.kit.sql import Db
    from shared.kit.store import app_for
    from tests.kit.ticker import Ticker
    from tests.ports import sites_ports

    app = app_for(SitesApplication, "sites", Settings(data_dir=Path(folder), database_url=None), ports=sites_ports())
    agency = Actor("probe", "agency")
    for i in range(n):
        app.register_site(agency, None, kind="craft_village", name=f"Làng {i}", old_district="gia-lam")
    mapper = PublicMapper("sites", app, PUBLIC_EVENTS, place=app.place_of)
    relay = Relay(mapper, Db.of(app), Memory(), NoLock(), n)
    gc.collect()
    gc.freeze()  # what the set-up made stays out of the collector's full passes (their pauses are no yield's)
    with Ticker() as ticker:
        start = time.monotonic()
        mapped = len(mapper.events_since(0, n)) + relay.run_once()
        seconds = time.monotonic() - start
    print(json.dumps({"seconds": round(seconds, 3), "ticks": len(ticker.gaps), "mapped": mapped,
                      "max_gap_ms": ticker.max_gap_ms(seconds)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
