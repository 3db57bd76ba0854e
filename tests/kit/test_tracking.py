"""The kit's tracking recorders are eventsourcing TrackingRecorders: eventsourcing's own test case
for the interface (insert, refusals of a duplicate or an older tracking, max_tracking_id,
has_tracking_id, wait) passes over `lx_tracking` on SQLite and PostgreSQL, and in memory; the
projections keep their stored names and positions."""
from __future__ import annotations

from threading import Event

import pytest
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder, WaitInterruptedError
from eventsourcing.projection import Projection as EventsourcingProjection

from shared.kit.follower import Follower, MemoryProjection, SqlProjection, tracking_of
from shared.kit.tracking import MemoryTrackingRecorder, SqlTrackingRecorder
from tests.kit.conftest import make_history


@pytest.fixture(params=["sql", "memory"])
def create_recorder(request, db):  # type: ignore[no-untyped-def]
    """A fresh recorder: over lx_tracking (SQLite and PostgreSQL: the `db` fixture), or in memory."""
    def create() -> TrackingRecorder:
        if request.param == "memory":
            return MemoryTrackingRecorder()
        recorder = SqlTrackingRecorder(db, "test_contract")
        recorder.create_table()
        return recorder
    return create


# The two tests below are eventsourcing 9.5's TrackingRecorderTestCase (eventsourcing/tests/
# persistence.py: test_insert_tracking, test_wait), as pytest functions: that module cannot be
# imported here (it imports eventsourcing.cipher, which needs pycryptodome, not a dependency).
def test_insert_tracking(create_recorder):  # type: ignore[no-untyped-def]
    tracking_recorder = create_recorder()
    tracking1 = Tracking("upstream1", 21)
    tracking2 = Tracking("upstream1", 22)
    tracking3 = Tracking("upstream2", 21)
    tracking_recorder.insert_tracking(tracking=tracking1)
    tracking_recorder.insert_tracking(tracking=tracking2)
    tracking_recorder.insert_tracking(tracking=tracking3)

    # Fail to insert same tracking object twice.
    for tracking in (tracking1, tracking2, tracking3):
        with pytest.raises(IntegrityError):
            tracking_recorder.insert_tracking(tracking=tracking)

    assert tracking_recorder.max_tracking_id("upstream1") == 22
    assert tracking_recorder.max_tracking_id("upstream2") == 21
    assert tracking_recorder.max_tracking_id("upstream3") is None

    assert tracking_recorder.has_tracking_id("upstream1", None)
    assert tracking_recorder.has_tracking_id("upstream1", 20)
    assert tracking_recorder.has_tracking_id("upstream1", 21)
    assert tracking_recorder.has_tracking_id("upstream1", 22)
    assert not tracking_recorder.has_tracking_id("upstream1", 23)
    assert tracking_recorder.has_tracking_id("upstream2", None)
    assert tracking_recorder.has_tracking_id("upstream2", 20)
    assert tracking_recorder.has_tracking_id("upstream2", 21)
    assert not tracking_recorder.has_tracking_id("upstream2", 22)

    tracking4 = Tracking("upstream1", 23)
    tracking5 = Tracking("upstream1", 24)
    tracking_recorder.insert_tracking(tracking5)
    # Can't fill in the gap.
    with pytest.raises(IntegrityError):
        tracking_recorder.insert_tracking(tracking4)
    assert tracking_recorder.has_tracking_id("upstream1", 23)


def test_wait(create_recorder):  # type: ignore[no-untyped-def]
    tracking_recorder = create_recorder()
    tracking_recorder.wait("upstream1", None)
    with pytest.raises(TimeoutError):
        tracking_recorder.wait("upstream1", 21, timeout=0.1)
    tracking_recorder.insert_tracking(tracking=Tracking(notification_id=21, application_name="upstream1"))
    tracking_recorder.wait("upstream1", None)
    tracking_recorder.wait("upstream1", 10)
    tracking_recorder.wait("upstream1", 21)
    with pytest.raises(TimeoutError):
        tracking_recorder.wait("upstream1", 22, timeout=0.1)
    interrupt = Event()
    interrupt.set()
    with pytest.raises(WaitInterruptedError):
        tracking_recorder.wait("upstream1", 22, interrupt=interrupt)


def test_a_refused_tracking_rolls_back_what_its_transaction_wrote(db):
    """insert_tracking inside a projection's transaction: its refusal undoes the rows beside it."""
    projection = Seen(db)
    projection.view.insert_tracking(Tracking("sites", 5))
    with pytest.raises(IntegrityError), projection.view.transaction() as cur:
        projection.project(cur, {"sequence": "00000000000000000004"})
        projection.view.insert_tracking(Tracking("sites", 4), cur)
    assert projection.rows("SELECT seq FROM {t:test_tracking_seen}") == []
    assert projection.view.max_tracking_id("sites") == 5


class Seen(SqlProjection):
    name = "test_tracking_seen"
    tables = ("CREATE TABLE IF NOT EXISTS {t:test_tracking_seen} (seq BIGINT PRIMARY KEY)",)

    def project(self, cur, event):  # type: ignore[no-untyped-def]
        cur.execute("INSERT INTO {t:test_tracking_seen} (seq) VALUES (%s)", (int(event["sequence"]),))

    def clear(self, cur):  # type: ignore[no-untyped-def]
        cur.execute("DELETE FROM {t:test_tracking_seen}")


def test_a_projection_is_an_eventsourcing_projection_keyed_by_its_name(db):
    projection = Seen(db)
    assert isinstance(projection, EventsourcingProjection)
    assert isinstance(projection.view, SqlTrackingRecorder) and projection.view.projection == "test_tracking_seen"
    assert projection.view.max_tracking_id("sites") is None
    assert projection.process_event({"sequence": "00000000000000000003"}, Tracking("sites", 3))
    assert not projection.process_event({"sequence": "00000000000000000002"}, Tracking("sites", 2))  # not after
    assert projection.view.max_tracking_id("sites") == 3 and projection.view.has_tracking_id("sites", 3)
    assert projection.rows("SELECT seq FROM {t:test_tracking_seen}") == [{"seq": 3}]
    with pytest.raises(IntegrityError):
        projection.view.insert_tracking(Tracking("sites", 3))  # the interface's refusal, outside a projection
    projection.reset("sites")
    assert projection.view.max_tracking_id("sites") is None and projection.view.max_tracking_ids() == {}


def test_a_subclass_keeps_its_parents_stored_name():
    """eventsourcing's Projection names a subclass after its class; the kit's keeps the parent's
    name, the key of the rows its data dir already holds."""
    from services.gateway.staff.audit import GatewayTrail, StaffTrail

    class Crashing(Seen):
        pass

    assert StaffTrail.name == GatewayTrail.name == "audit_trail"
    assert Crashing.name == "test_tracking_seen"


def test_rows_written_before_the_recorder_are_read_as_they_are(sites_app, mapper, db):
    """An existing data dir: lx_tracking rows as the kit always wrote them (a claimed 0, a position)."""
    make_history(sites_app, n_sites=3)
    Seen(db)  # the tables
    with db.transaction() as cur:
        cur.execute("INSERT INTO {t:lx_tracking} (projection, source, position) VALUES "
                    "('test_tracking_seen', 'sites', 4), ('test_tracking_seen', 'manifests', 0)")
    projection = Seen(db)
    assert projection.view.max_tracking_id("sites") == 4 and projection.view.max_tracking_id("manifests") is None
    assert projection.view.max_tracking_ids() == {"manifests": 0, "sites": 4}
    follower = Follower("sites", projection, mapper.events_since)
    assert follower.catch_up() == sites_app.log_head() - 4
    assert [r["seq"] for r in projection.rows("SELECT seq FROM {t:test_tracking_seen} ORDER BY seq")] == list(
        range(5, sites_app.log_head() + 1))


def test_the_follower_tracks_each_event_by_its_source_and_sequence():
    calls = []

    class Recording(MemoryProjection):
        def process_event(self, domain_event, tracking):  # type: ignore[no-untyped-def]
            calls.append(tracking)
            return super().process_event(domain_event, tracking)

    ev = lambda n: {"sequence": f"{n:020d}"}  # noqa: E731
    follower = Follower("sites", Recording(lambda e: None), lambda pos, lim: [ev(n) for n in range(pos + 1, 4)][:lim])
    assert follower.catch_up() == 3
    assert calls == [Tracking("sites", 1), Tracking("sites", 2), Tracking("sites", 3)]
    assert tracking_of("sites", ev(7)) == Tracking("sites", 7)
