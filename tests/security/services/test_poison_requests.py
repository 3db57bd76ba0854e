"""Issue 13, part "poison" (a): the poison-request guard. An RPC request that never completes —
its worker is killed with it (an OOM kill) or its reply can never be sent — is redelivered by
RabbitMQ to every restart and every replica. Past LANGXANH_POISON_MAX_DELIVERIES deliveries it is
parked in `rpc-<service>.parked` (with the reason), its caller gets a typed Conflict (rule
`parked`) if it still waits, and the service keeps answering; health and metrics count it."""
import eventlet
import pytest
from nameko.extensions import DependencyProvider
from nameko.rpc import Responder

from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.health import parked as parked_cell
from shared.kit.errors import Conflict
from shared.kit.nameko_glue import rpc
from tests.security.services.poison_kit import delete_queues, depth, parked_total, take_all

AGENCY = Actor("officer-1", "agency")
MAX = 2


@pytest.fixture(autouse=True)
def few_deliveries(monkeypatch, amqp_uri):
    monkeypatch.setenv("LANGXANH_POISON_MAX_DELIVERIES", str(MAX))
    delete_queues(amqp_uri, "rpc-sites", "rpc-sites.parked")


class Killer(DependencyProvider):
    """What an OOM kill does to a worker: the whole container dies before the request is acked."""

    kills: list = []

    def get_dependency(self, worker_ctx):  # type: ignore[no-untyped-def]
        def kill() -> None:
            Killer.kills.append(self.container)
            eventlet.spawn(self.container.kill)
            eventlet.sleep(60)  # killed with the container, never answers

        return kill


class ExplodingSites(SitesService):
    killer = Killer()

    @rpc
    def explode(self) -> None:
        self.killer()


def test_a_request_that_kills_every_worker_is_parked_and_the_service_lives(make_container, store_env, amqp_uri):
    Killer.kills = []
    before = parked_total("sites", "rpc:explode", "deliveries")
    with ServiceClient(actor=AGENCY, amqp_uri=amqp_uri, timeout=60) as client:
        first = make_container(ExplodingSites)
        first.start()
        reply = client.sites.explode.call_async()
        first.wait()  # killed by the request
        for restart in range(1, MAX):  # each restart gets the request again (redelivered) and dies of it
            again = make_container(ExplodingSites)
            again.start()
            again.wait()
        assert len(Killer.kills) == MAX

        survivor = make_container(ExplodingSites)
        survivor.start()  # delivery MAX + 1: parked, not run
        with pytest.raises(Conflict) as e:
            reply.result()  # the caller still waiting gets a clear typed error
        assert e.value.rule == "parked" and "sites.explode" in e.value.message
        assert len(Killer.kills) == MAX and not survivor._died.ready()
        health = client.sites.ping()  # the service keeps answering
        assert health["parked"] == {"requests": 1, "by_origin": {"rpc:explode": 1}}
        assert parked_cell(health) == "rpc:explode 1"  # the `langxanh health` table
        assert client.sites.register_site(kind="craft_village", name="Bát Tràng", old_district="gia-lam")["id"]

    parked = take_all(amqp_uri, "rpc-sites.parked")
    assert len(parked) == 1 and parked[0].headers["x-langxanh-parked-routing-key"] == "sites.explode"
    assert f"delivered {MAX + 1} times" in parked[0].headers["x-langxanh-parked-reason"]
    assert depth(amqp_uri, "rpc-sites") == 0
    assert parked_total("sites", "rpc:explode", "deliveries") - before == 1


def test_a_request_whose_reply_can_never_be_sent_is_parked_after_n_deliveries(
        make_container, store_env, amqp_uri, monkeypatch):
    """The kit's Rpc requeues a request whose reply the broker did not take (test_resilience.py):
    when that happens every time, the request would be run again forever."""
    real = Responder.send_response
    runs = []

    def never(self, result, exc_info):  # type: ignore[no-untyped-def]
        if self.message.delivery_info["routing_key"] == "sites.register_site" and exc_info is None:
            runs.append(result["id"])
            raise ConnectionResetError(104, "Connection reset by peer")
        return real(self, result, exc_info)

    monkeypatch.setattr(Responder, "send_response", never)
    container = make_container(SitesService)
    container.start()
    with ServiceClient(actor=AGENCY, amqp_uri=amqp_uri, timeout=30) as client:
        with pytest.raises(Conflict) as e:
            client.sites.register_site(command_id="c-poison", kind="craft_village", name="Bát Tràng",
                                       old_district="gia-lam")
        assert e.value.rule == "parked"
        assert len(runs) == MAX and len(set(runs)) == 1  # run MAX times, acted once (the command id)
        assert client.sites.ping()["log_head"] == 1 and not container._died.ready()
        assert client.sites.ping()["parked"]["by_origin"] == {"rpc:register_site": 1}
    assert len(take_all(amqp_uri, "rpc-sites.parked")) == 1
