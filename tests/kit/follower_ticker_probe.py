"""Run in its own process (eventlet patches first, as in a service process):
`python -m tests.kit.follower_ticker_probe DIR N` prints JSON {seconds, ticks, max_gap_ms, applied,
transactions}.

A history of the three sources is generated in memory and its first N public events of each are
taken off the wire form (JSON, as a source's `events_since` answers over RPC); then a 10 ms ticker
greenthread runs while the indicators' followers, on a SQLite store in DIR, catch up one page of
all N events each (what the indicators process does after a restart). `max_gap_ms` is the longest
the ticker waited for its turn: a page applied in one transaction shows as one gap its whole length."""
import shared  # noqa: F401  (quiet eventlet's deprecation notice)
import eventlet

eventlet.monkey_patch()

import gc  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402


def main(folder: str, n: int) -> None:
    from services.indicators.application import IndicatorsApplication
    from services.indicators.views import IndicatorFacts
    from shared.kit.config import Settings
    from shared.kit.eventstore import open_store
    from shared.kit.follower import Follower
    from shared.kit.sql import Db
    from tests.history import popo_history
    from tests.kit.ticker import Ticker

    history = popo_history()
    history.generate(villages=max(1, n // 8), clusters=max(1, n // 50), manifests=max(1, n // 8),
                     incidents=max(1, n // 8))
    pages = {s: json.loads(json.dumps(m.events_since(0, n))) for s, m in history.mappers.items()}
    gc.collect()
    gc.freeze()  # the generated history stays out of the collector's full passes (a service holds no such heap)
    store = open_store(IndicatorsApplication, "indicators", Settings(data_dir=Path(folder), database_url=None))
    projection = IndicatorFacts(store.db)
    transactions = [0]
    transaction = Db.transaction

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        transactions[0] += 1
        return transaction(self, *args, **kwargs)

    Db.transaction = counted  # type: ignore[method-assign]
    followers = [Follower(s, projection, lambda p, k, events=events: [e for e in events if int(e["sequence"]) > p][:k],
                          page=n + 1) for s, events in pages.items()]
    with Ticker() as ticker:
        transactions[0] = 0
        start = time.monotonic()
        applied = sum(f.catch_up() for f in followers)
        seconds = time.monotonic() - start
    store.close()
    for mapper in history.mappers.values():
        mapper.app.close()
    print(json.dumps({"seconds": round(seconds, 3), "ticks": len(ticker.gaps), "applied": applied,
                      "pages": {s: len(e) for s, e in pages.items()}, "transactions": transactions[0],
                      "max_gap_ms": ticker.max_gap_ms(seconds)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
