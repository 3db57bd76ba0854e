"""Issue 18, P5: a follower's start catches up with its queue off the exchange.

At its start a FollowLoop pulls everything its source has. What the source's relay pushes while
that pull runs (a long backlog's every event, when the services start together) would then only be
duplicates: each a persistent delivery and an ack for the broker and a message for the service (at
30 236 events in P5 about 45 000 of them, and RabbitMQ's CPU the largest single share). So the
queue is unbound for that catch-up, bound again, and the follower pulls once more: an event stored
while the queue was unbound is applied all the same, and pushes wake it from there on. What waited
in the queue before the start is still consumed (garbage in it is parked:
tests/security/services/test_poison_followers.py). Real RabbitMQ, both stores."""
import threading
import uuid


from shared.kit.actor import Actor
from shared.kit.amqp import FollowLoop, KombuPublisher, StreamConsumer
from shared.kit.follower import Follower, MemoryProjection
from tests.security.test_poison_stream import stop_and_clean, wait

AGENCY = Actor("officer-1", "agency")


def register(sites, mapper, publisher, name: str) -> None:
    """A site registered, and its event pushed as the relay pushes it."""
    sites.register_site(AGENCY, None, kind="craft_village", name=name, old_district="gia-lam")
    head = sites.log_head()
    publisher.publish(*mapper.cloudevent(sites.select_notifications(head - 1, 1)[0]))


def test_the_start_pulls_with_the_queue_unbound_and_misses_nothing_pushed_meanwhile(sites_app, mapper, amqp_uri):
    sites = sites_app  # tests/kit/conftest.py: the sites Application and its public mapper
    exchange, queue = f"langxanh.events.{uuid.uuid4().hex[:8]}", f"indicators.follows.sites.{uuid.uuid4().hex[:6]}"
    publisher = KombuPublisher(amqp_uri, exchange)
    first = StreamConsumer(amqp_uri, exchange, ["sites.#"], queue=queue, durable=True, source="sites")
    first.bind()  # the follower's queue, as an earlier run of the service left it
    first.close()
    register(sites, mapper, publisher, "Làng đầu")  # pushed while the follower was down: waits in its queue
    seen: list[dict] = []
    pulls = []

    def backfill(position: int, limit: int) -> list[dict]:
        if not pulls:  # while the start's pull runs, the source stores and its relay pushes 20 more
            for i in range(19):
                register(sites, mapper, publisher, f"Làng {i}")
            register(sites, mapper, publisher, "Làng giữa lúc kéo")
        pulls.append(position)
        return mapper.events_since(position, limit)

    follower = Follower("sites", MemoryProjection(seen.append), backfill)
    loop = FollowLoop(follower, amqp_uri, exchange, queue, interval=3600, owner="indicators")
    thread = threading.Thread(target=loop.run, daemon=True)
    try:
        thread.start()
        wait(loop.ready.is_set, what="the start's catch-up")
        assert follower.position == 21  # the event stored while the queue was unbound: pulled after binding again
        register(sites, mapper, publisher, "Làng sau")  # bound again: a push wakes the follower
        wait(lambda: follower.position == 22, what="the pushed event followed")
        assert [e["data"]["name"] for e in seen][-2:] == ["Làng giữa lúc kéo", "Làng sau"]
        assert len(seen) == 22
        assert follower.duplicates == 1  # the push that waited in the queue; before: 21 (the 20 pushed meanwhile too)
    finally:
        stop_and_clean(loop, thread, publisher, amqp_uri, exchange, queue)
