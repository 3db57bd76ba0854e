"""The relay publishes the log in order, records its position only after confirms, and only one
relay per service publishes at a time."""
import pytest

from shared.kit.relay import AdvisoryLock, FileLock, Relay
from shared.kit.store import parse_database_url
from tests.kit.conftest import make_history


class RecordingPublisher:
    def __init__(self, fail_at=None):
        self.sent = []
        self.fail_at = fail_at

    def publish(self, routing_key, event):
        if self.fail_at is not None and len(self.sent) == self.fail_at:
            self.fail_at = None
            raise ConnectionError("broker went away")
        self.sent.append((routing_key, event))

    def close(self):
        pass


def lock_for(settings, name="sites"):
    if settings.uses_postgres:
        return AdvisoryLock(parse_database_url(settings.database_url), f"relay-{settings.schema_for(name)}")
    return FileLock(settings.data_dir / f"{name}.relay.lock")


def test_the_relay_publishes_every_notification_once_in_order(sites_app, mapper, db, settings):
    make_history(sites_app)
    publisher = RecordingPublisher()
    relay = Relay(mapper, db, publisher, lock_for(settings), batch=5)
    assert relay.run_once() == sites_app.log_head()
    assert [int(e["sequence"]) for _k, e in publisher.sent] == list(range(1, sites_app.log_head() + 1))
    assert publisher.sent[0][0] == "sites.site_registered"
    assert relay.position() == sites_app.log_head() and relay.lag() == 0
    assert relay.run_once() == 0


def test_a_publish_failure_loses_nothing_the_next_run_publishes_from_the_last_confirm(sites_app, mapper, db, settings):
    make_history(sites_app)
    publisher = RecordingPublisher(fail_at=7)
    relay = Relay(mapper, db, publisher, lock_for(settings), batch=5)
    with pytest.raises(ConnectionError):
        relay.run_once()
    assert relay.position() == 5  # the batch with the failure was not recorded
    relay.run_once()
    sequences = [int(e["sequence"]) for _k, e in publisher.sent]
    assert set(sequences) == set(range(1, sites_app.log_head() + 1))  # none lost
    assert sequences.count(6) == 2  # at least once: the unconfirmed part is sent again


def test_only_one_relay_per_service_publishes_at_a_time(sites_app, mapper, db, settings):
    make_history(sites_app, n_sites=2)
    holder = lock_for(settings)
    assert holder.acquire()
    try:
        other = Relay(mapper, db, RecordingPublisher(), lock_for(settings))
        assert other.run_once() == 0 and other.position() == 0
    finally:
        holder.release()
        holder.close()
    publisher = RecordingPublisher()
    assert Relay(mapper, db, publisher, lock_for(settings)).run_once() == sites_app.log_head()


@pytest.mark.postgres
def test_an_advisory_lock_closed_is_free_at_once_for_the_next_holder():
    """close() unlocks before it closes its connection: the server ends a closed session's locks
    only when its backend has gone, so a successor trying at once would find it still held."""
    import uuid

    from tests.conftest import PG_URL

    key = f"lock-handover-{uuid.uuid4().hex[:8]}"
    refused = 0
    for _ in range(30):
        first, second = AdvisoryLock(parse_database_url(PG_URL), key), AdvisoryLock(parse_database_url(PG_URL), key)
        second._connection()  # connected before: only the lock is tried after the close
        assert first.acquire()
        first.close()
        refused += not second.acquire()
        second.close()
    assert refused == 0
