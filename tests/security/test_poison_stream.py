"""Issue 13, part "poison" (b): a stream message whose handling fails every time is parked after N
failures (the kit's FollowLoop — services, the bot's feed, the gateway's webhook feed), and the
loop goes on following: nothing is requeued forever. Real RabbitMQ, both stores."""
import threading
import time
import uuid

import pytest
from kombu import Connection

from services.sites.application import SitesApplication
from shared.contracts.sites import PUBLIC_EVENTS
from shared.kit.actor import Actor
from shared.kit.amqp import FollowLoop, KombuPublisher
from shared.kit.follower import Follower, SqlProjection
from shared.kit.public import PublicMapper
from shared.kit.sql import Db
from shared.kit.store import app_for
from tests.ports import sites_ports

AGENCY = Actor("officer-1", "agency")


class Names(SqlProjection):
    name = "test_poison_names"
    tables = ("CREATE TABLE IF NOT EXISTS {t:test_poison_name} (id TEXT PRIMARY KEY, name TEXT)",)
    poison = {"on": True}

    def project(self, cur, event):  # type: ignore[no-untyped-def]
        if self.poison["on"] and event["data"]["name"] == "Poison":
            raise RuntimeError("this event breaks the projection")
        cur.execute("INSERT INTO {t:test_poison_name} (id, name) VALUES (%s, %s)", (event["subject"], event["data"]["name"]))

    def clear(self, cur):  # type: ignore[no-untyped-def]
        cur.execute("DELETE FROM {t:test_poison_name}")


def stop_and_clean(loop, thread, publisher, amqp_uri, exchange, *queues):  # type: ignore[no-untyped-def]
    """A test's FollowLoop stopped, its publisher closed, its queues and exchange deleted."""
    loop.stop()
    thread.join(timeout=10)
    publisher.close()
    with Connection(amqp_uri) as conn:
        for q in queues:
            conn.channel().queue_delete(q)
        conn.channel().exchange_delete(exchange)


def wait(predicate, timeout=30.0, what="the condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.05)


def depth(amqp_uri, queue):  # type: ignore[no-untyped-def]
    with Connection(amqp_uri) as conn:
        try:
            return conn.channel().queue_declare(queue, passive=True).message_count
        except Exception:  # noqa: BLE001 - not declared (yet)
            return 0


@pytest.fixture
def sites(settings):
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    yield app
    app.close()


def test_a_message_whose_handling_always_fails_is_parked_and_the_loop_follows_on(sites, amqp_uri):
    exchange, queue = f"langxanh.events.{uuid.uuid4().hex[:8]}", f"test.follows.sites.{uuid.uuid4().hex[:6]}"
    mapper = PublicMapper("sites", sites, PUBLIC_EVENTS, place=sites.place_of)
    projection = Names(Db.of(sites))
    Names.poison["on"] = True
    follower = Follower("sites", projection, mapper.events_since)
    loop = FollowLoop(follower, amqp_uri, exchange, queue, interval=3600, owner="test")
    publisher = KombuPublisher(amqp_uri, exchange)
    thread = threading.Thread(target=loop.run, daemon=True)
    try:
        thread.start()
        wait(loop.ready.is_set, what="the queue bound")
        # when: the source's next event breaks the projection, every time
        sites.register_site(AGENCY, None, kind="craft_village", name="Poison", old_district="gia-lam")
        publisher.publish(*mapper.cloudevent(sites.select_notifications(0, 1)[0]))
        # then: after N failures it is parked, with the reason; nothing is left to loop on
        wait(lambda: depth(amqp_uri, f"{queue}.parked") == 1, what="the failing message parked")
        assert depth(amqp_uri, queue) == 0
        with Connection(amqp_uri) as conn:
            parked = conn.channel().basic_get(f"{queue}.parked", no_ack=True)
        assert "handling failed 5 times" in parked.headers["x-langxanh-parked-reason"]
        assert "this event breaks the projection" in parked.headers["x-langxanh-parked-reason"]

        # and the loop follows on: once the projection is fixed, the next wake-up applies both
        Names.poison["on"] = False
        sites.register_site(AGENCY, None, kind="craft_village", name="Làng Sau", old_district="gia-lam")
        publisher.publish(*mapper.cloudevent(sites.select_notifications(1, 1)[0]))
        wait(lambda: follower.position == 2, what="the next event followed")
        assert sorted(r["name"] for r in projection.rows("SELECT name FROM {t:test_poison_name}")) == ["Làng Sau", "Poison"]
        assert thread.is_alive()
    finally:
        stop_and_clean(loop, thread, publisher, amqp_uri, exchange, queue, f"{queue}.parked")
