"""Issue 18, P3: the indicators' facts are written a transaction at a time with batched statements
(services/indicators/facts_page.py): the rows equal those of applying each event alone (the live
path of a pushed event), whatever the transaction's size, and a transaction of 100 events costs a
handful of statements, not one to three per event (each a round trip on PostgreSQL)."""
import pytest

from services.indicators.application import IndicatorsApplication
from services.indicators.views import IndicatorFacts
from shared.kit.eventstore import open_store
from shared.kit.follower import Follower, tracking_of
from shared.kit.sql import Cursor
from tests.history import popo_history


@pytest.fixture(scope="module")
def history():
    h = popo_history()
    h.generate(villages=80, clusters=12, manifests=150, incidents=90)
    return h


def one_by_one(projection, history):
    """Each public event applied alone, in its own transaction (a pushed event's path)."""
    for source, mapper in history.mappers.items():
        for event in mapper.events_since(0, 10**6):
            assert projection.process_event(event, tracking_of(source, event))


@pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("per_transaction,page", [(1, 13), (7, 50), (100, 500), (1000, 1000)])
def test_batched_transactions_write_the_rows_of_events_applied_alone(history, settings, per_transaction, page):
    store = open_store(IndicatorsApplication, "indicators", settings)
    alone = IndicatorFacts(store.db)
    one_by_one(alone, history)
    expected = alone.dump()
    assert expected["ind_manifest"] and expected["ind_case"] and expected["ind_fact"]
    batched = IndicatorFacts(store.db)
    batched.per_transaction = per_transaction
    for source, mapper in history.mappers.items():
        Follower(source, batched, mapper.events_since, page=page).rebuild()
    assert batched.dump() == expected
    store.close()


@pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)
def test_a_transaction_of_100_events_costs_a_handful_of_statements(history, settings, monkeypatch):
    store = open_store(IndicatorsApplication, "indicators", settings)
    projection = IndicatorFacts(store.db)
    counted = {"statements": 0}
    for name in ("execute", "executemany"):
        original = getattr(Cursor, name)

        def counting(self, *args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            counted["statements"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Cursor, name, counting)
    applied = total = 0
    for source, mapper in history.mappers.items():
        events = mapper.events_since(0, 10**6)
        projection.reset(source)
        counted["statements"] = 0
        applied += projection.apply_many(source, events)
        total += len(events)
        per_transaction = counted["statements"] / -(-len(events) // projection.per_transaction)
        # the tracking (claim, read, record), one read per table of changed rows, one executemany per
        # kind of statement: 12 at most, against 100 to 300 when each event wrote on its own
        assert per_transaction <= 12, (source, counted, len(events))
    assert applied == total > 1000
    store.close()
