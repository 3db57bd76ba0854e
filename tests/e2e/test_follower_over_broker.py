"""The kit's follower on the real broker: a test projection over the sites stream, consumed from
a durable queue, stopped mid-stream and restarted, equals a from-scratch rebuild."""
import threading
import time

from shared.kit.amqp import StreamConsumer
from shared.kit.client import ServiceClient
from shared.kit.config import Settings
from shared.kit.follower import Follower
from shared.kit.source import SourceClient
from shared.kit.sql import Db
from shared.kit.store import app_for
from shared.kit.store import ServiceApplication
from tests.kit.test_follower import SitesPerPlace


class ProjectionHost(ServiceApplication):
    """A stand-in for a future service that follows sites: its own store holds the projection."""

    name = "Follower"


def follow(env, follower, queue):
    consumer = StreamConsumer(env["AMQP_URI"], env["LANGXANH_EXCHANGE"], ["sites.#"], queue=queue, durable=True)
    consumer.bind()
    follower.catch_up()
    thread = threading.Thread(target=consumer.run, args=(follower.handle,), daemon=True)
    thread.start()
    return consumer, thread


def test_follower_restarted_mid_stream_ends_equal_to_a_rebuild(sites_process, system_env, client, tmp_path):
    sites_process().start()
    host = app_for(ProjectionHost, "follower", Settings(data_dir=tmp_path / "follower", database_url=None))
    projection = SitesPerPlace(Db.of(host))
    # its own RPC client: a pushed message is a wake-up that pulls, from the consumer's thread, while
    # this thread calls the service (a nameko client serves one thread at a time)
    source = SourceClient("sites", lambda: ServiceClient(amqp_uri=system_env["AMQP_URI"], timeout=30))
    follower = Follower("sites", projection, source.events_since, page=7)
    for i in range(10):
        client.sites.register_site(kind="craft_village", name=f"Làng {i}", old_district="ha-dong")
    consumer, thread = follow(system_env, follower, "test-follower-sites")  # cold start: pulls 10
    ids = [client.sites.register_site(kind="craft_village", name=f"Mới {i}", old_district="hoai-duc")["id"]
           for i in range(15)]
    client.sites.record_reform(entries=[{"site_id": s, "commune": "xa-son-dong"} for s in ids[:5]])

    def wait_position(target):
        deadline = time.monotonic() + 30
        while follower.position < target and time.monotonic() < deadline:
            time.sleep(0.05)
        return follower.position

    assert wait_position(client.sites.ping()["log_head"]) == client.sites.ping()["log_head"]
    consumer.stop()
    thread.join(10)
    consumer.close()

    for i in range(10):  # written while the follower is down: they wait in its durable queue
        client.sites.register_site(kind="industrial_zone", name=f"KCN {i}", old_district="soc-son")
    consumer, thread = follow(system_env, follower, "test-follower-sites")
    head = client.sites.ping()["log_head"]
    assert wait_position(head) == head
    consumer.stop()
    thread.join(10)
    consumer.close()

    incremental = projection.state()
    assert incremental[1] == list(range(1, head + 1))
    follower.rebuild()
    assert projection.state() == incremental
    source.close()
    host.close()
