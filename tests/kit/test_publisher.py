"""KombuPublisher against the real broker: a batch's confirms are awaited together, every
message arrives once and in order, and the relay publishes through it page by page."""
import uuid

from kombu import Connection, Queue

from shared.kit.amqp import KombuPublisher, decode, events_exchange
from shared.kit.relay import FileLock, Relay
from tests.kit.conftest import make_history


def bound_queue(amqp_uri, exchange):
    conn = Connection(amqp_uri)
    queue = Queue(f"t-{uuid.uuid4().hex[:8]}", exchange=events_exchange(exchange), routing_key="#", exclusive=True)
    queue(conn.default_channel).declare()
    return conn, queue


def drain(conn, queue):
    got = []
    while (message := queue(conn.default_channel).get(no_ack=True)) is not None:
        got.append(decode(message.body))
    return got


def test_a_batch_is_confirmed_at_the_end_and_arrives_in_order(amqp_uri):
    exchange = f"langxanh.t.{uuid.uuid4().hex[:6]}"
    publisher = KombuPublisher(amqp_uri, exchange)
    publisher.publish("sites.x", {"id": "warm-up"})  # declares the exchange
    conn, queue = bound_queue(amqp_uri, exchange)
    try:
        publisher.publish("sites.x", {"id": "single"})
        assert not publisher._unconfirmed  # a publish outside a batch returns confirmed
        with publisher.confirms():
            for i in range(50):
                publisher.publish("sites.x", {"id": f"e{i}"})
        assert not publisher._unconfirmed
        with publisher.confirms():  # an empty batch is fine
            pass
        import time

        time.sleep(0.3)
        assert [m["id"] for m in drain(conn, queue)] == ["single"] + [f"e{i}" for i in range(50)]
    finally:
        publisher.close()
        conn.release()


def test_the_relay_publishes_pages_through_the_kombu_publisher(sites_app, mapper, db, settings, amqp_uri):
    make_history(sites_app)
    exchange = f"langxanh.t.{uuid.uuid4().hex[:6]}"
    publisher = KombuPublisher(amqp_uri, exchange)
    publisher.publish("sites.x", {"id": "warm-up"})
    conn, queue = bound_queue(amqp_uri, exchange)
    relay = Relay(mapper, db, publisher, FileLock(settings.data_dir / "t.relay.lock"), batch=5)
    try:
        assert relay.run_once() == sites_app.log_head()
        assert relay.position() == sites_app.log_head()
        import time

        time.sleep(0.3)
        got = [int(m["sequence"]) for m in drain(conn, queue)]
        assert got == list(range(1, sites_app.log_head() + 1))
    finally:
        relay.close()
        publisher.close()
        conn.release()
