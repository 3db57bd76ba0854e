"""Indicators follow three sources exactly once and in order: a follower restarted mid-stream,
and a rebuild of a generated history of more than 50 000 events, equal the incremental state."""
import random

import pytest

from services.indicators.application import IndicatorsApplication
from services.indicators.views import IndicatorFacts
from shared.kit.follower import Follower
from shared.kit.sql import Db
from shared.kit.eventstore import open_store
from tests.history import popo_history
from tests.ports import indicators_ports, on_store


@pytest.fixture(scope="module")
def big():
    history = popo_history()
    total = history.generate(villages=1700, clusters=300, manifests=5000, incidents=3000)
    assert total >= 50_000
    return history


def followers(projection, history, page=500):
    return {s: Follower(s, projection, m.events_since, page=page) for s, m in history.mappers.items()}


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_rebuild_equals_incremental_on_more_than_50000_events(big, settings):
    app = on_store(IndicatorsApplication, "indicators", settings,
                   lambda store: indicators_ports(facts=IndicatorFacts(store.db)))
    projection = app.facts
    # incremental: the three live streams interleaved, each message pushed one by one, with redeliveries
    streams = {s: m.events_since(0, 10**6) for s, m in big.mappers.items()}
    fs = followers(projection, big)
    rng = random.Random(3)
    cursors = {s: 0 for s in streams}
    while any(cursors[s] < len(streams[s]) for s in streams):
        s = rng.choice([s for s in streams if cursors[s] < len(streams[s])])
        event = streams[s][cursors[s]]
        fs[s].handle(event)
        if rng.random() < 0.01:
            fs[s].handle(event)  # a redelivered duplicate
        cursors[s] += 1
    incremental = projection.dump()
    figures = app.figures("2025Q4")
    assert sum(len(v) for v in streams.values()) >= 50_000
    for f in fs.values():
        f.rebuild()
    assert projection.dump() == incremental
    assert app.figures("2025Q4") == figures
    app.close()


@pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)
def test_a_follower_restarted_mid_stream_ends_equal_to_a_full_pull(settings):
    history = popo_history()
    history.generate(villages=40, clusters=10, manifests=60, incidents=30)
    app = open_store(IndicatorsApplication, "indicators", settings)  # the facts' tables are all it needs
    projection = IndicatorFacts(app.db)
    first = followers(projection, history, page=25)
    for s, f in first.items():  # the process dies after half of each stream
        for event in history.mappers[s].events_since(0, history.mappers[s].app.log_head() // 2):
            f.handle(event)
    restarted = followers(IndicatorFacts(Db.of(app)), history, page=25)  # a new process, same store
    for f in restarted.values():
        f.catch_up()
    state = projection.dump()
    for f in restarted.values():
        f.rebuild()
    assert projection.dump() == state
    assert sum(f.position for f in restarted.values()) == sum(history.heads().values())
    app.close()
