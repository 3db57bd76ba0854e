"""Issue 13 (low): one RPC reply queue per client, not per call. A follower's backfill pulls over
one standalone client (one reply queue) for the life of the service, closed when it stops."""
from nameko.standalone.rpc import ClusterRpcProxy

from services.inspections.service import InspectionsService
from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.nameko_glue import ServiceKit
from tests.services.helpers import until


def kit_of(container) -> ServiceKit:
    return next(d for d in container.dependencies if isinstance(d, ServiceKit))


def test_a_followers_pulls_share_one_reply_queue(make_container, store_env, exchange_name, amqp_uri, monkeypatch):
    sites = make_container(SitesService)
    sites.start()
    with ServiceClient(actor=Actor("officer-1", "agency"), amqp_uri=amqp_uri, timeout=10) as client:
        for n in range(3):
            client.sites.register_site(kind="craft_village", name=f"Làng {n}", old_district="gia-lam")

    started, stopped = [], []
    start, stop = ClusterRpcProxy.start, ClusterRpcProxy.stop

    def counting_start(self):
        started.append(self)
        return start(self)

    def counting_stop(self):
        stopped.append(self)
        return stop(self)

    monkeypatch.setattr(ClusterRpcProxy, "start", counting_start)  # each start declares a reply queue
    monkeypatch.setattr(ClusterRpcProxy, "stop", counting_stop)
    inspections = make_container(InspectionsService)
    inspections.start()
    follower = kit_of(inspections).followers["sites"]

    def caught_up():
        assert follower.position == 3

    until(caught_up, retry_on=(AssertionError,))
    pulls = follower.pulls
    for _ in range(10):
        follower.catch_up()
    assert follower.pulls >= pulls + 10
    assert len(started) == 1, f"{len(started)} reply queues for {follower.pulls} pulls"
    inspections.stop()
    assert stopped == started  # closed with the service
