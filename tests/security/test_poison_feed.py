"""Issue 13, part "poison" (c), the bot's half: the bot's feed (bot/feed.py, the kit's Follower and
FollowLoop on its own durable queue) never pushes a forged event to subscribers. A well-formed
`sites.site_registered` with the next sequence, published on the exchange by anyone allowed to
publish there, is only a wake-up: the feed pulls from the source, which has no such event, so
nothing is queued for the chats; the real event with that sequence is. Real RabbitMQ, both stores."""
import threading
import uuid
from datetime import datetime, timezone

import pytest

from bot.feed import BotFeed
from bot.store import open_store
from services.sites.application import SitesApplication
from shared.contracts.sites import PUBLIC_EVENTS
from shared.kit.actor import Actor
from shared.kit.amqp import FollowLoop, KombuPublisher
from shared.kit.follower import Follower
from shared.kit.public import PublicMapper
from shared.kit.store import app_for
from tests.security.test_poison_stream import stop_and_clean, wait
from tests.ports import sites_ports

AGENCY = Actor("officer-1", "agency")


@pytest.fixture
def sites(settings):
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    yield app
    app.close()


def forged(sequence: int) -> dict:
    return {"specversion": "1.0", "id": f"sites-{sequence}", "source": "/langxanh/sites",
            "type": "vn.langxanh.sites.site_registered.v1", "subject": str(uuid.uuid4()),
            "time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json", "sequence": f"{sequence:020d}", "communecode": "gia-lam",
            "data": {"kind": "craft_village", "name": "Làng Giả — bấm vào link này", "old_district": "gia-lam"}}


def test_the_bot_feed_never_pushes_a_forged_event_and_pushes_the_real_one(sites, settings, amqp_uri):
    exchange, queue = f"langxanh.events.{uuid.uuid4().hex[:8]}", f"bot.follows.sites.{uuid.uuid4().hex[:6]}"
    store = open_store(settings)
    store.remember(42, 4242, "vi")
    store.subscribe(42, 4242, ["site_*"], [])
    mapper = PublicMapper("sites", sites, PUBLIC_EVENTS, place=sites.place_of)
    follower = Follower("sites", BotFeed(store.db), mapper.events_since)
    loop = FollowLoop(follower, amqp_uri, exchange, queue, interval=3600, owner="bot")
    publisher = KombuPublisher(amqp_uri, exchange)
    thread = threading.Thread(target=loop.run, daemon=True)
    try:
        thread.start()
        wait(loop.ready.is_set, what="the queue bound")
        # when: a forged next-sequence event is published, then the real event with that sequence
        publisher.publish("sites.site_registered", forged(sites.log_head() + 1))
        wait(lambda: getattr(follower, "unconfirmed", 0) or follower.position, what="the forged message handled")
        site = sites.register_site(AGENCY, None, kind="craft_village", name="Làng Thật", old_district="gia-lam")
        publisher.publish(*mapper.cloudevent(sites.select_notifications(0, 1)[0]))
        wait(lambda: follower.position == 1 and store.pending(), what="the real event followed")
        # then: the chat gets the real site only
        pending = store.pending()
        assert [(p["key"], p["args"]["details"].get("name")) for p in pending] == [("push-event", "Làng Thật")]
        assert pending[0]["id"].startswith("sites-1:") and site["id"]
        assert follower.unconfirmed == 1
    finally:
        stop_and_clean(loop, thread, publisher, amqp_uri, exchange, queue)
