"""Resilience of a service process: a reply the broker cannot take (it is restarting) must not kill the service: nameko would end
the container on the worker's error. The request is requeued, run again, and a command with a
command_id answers from its record — one event, one answer."""
import pytest
from nameko.rpc import Responder

from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.nameko_glue import BROKER_GONE

AGENCY = Actor("officer-1", "agency")


@pytest.mark.parametrize("error", [ConnectionResetError(104, "Connection reset by peer"),
                                   BROKER_GONE[1]("[Errno 111] Connection refused")])
def test_a_reply_lost_with_the_broker_is_retried_and_the_service_lives(make_container, store_env, amqp_uri,
                                                                       monkeypatch, error):
    real = Responder.send_response
    failed = []

    def flaky(self, result, exc_info):  # type: ignore[no-untyped-def]
        if not failed and self.message.delivery_info["routing_key"] == "sites.register_site":
            failed.append(result)
            raise error
        return real(self, result, exc_info)

    monkeypatch.setattr(Responder, "send_response", flaky)
    container = make_container(SitesService)
    container.start()
    with ServiceClient(actor=AGENCY, amqp_uri=amqp_uri, timeout=15) as client:
        site = client.sites.register_site(command_id="c-lost", kind="craft_village", name="Bát Tràng",
                                          old_district="gia-lam")
        assert failed and failed[0]["id"] == site["id"]  # the first reply was lost, the requeued run answered
        assert not container._died.ready()  # the container lives (nameko would have killed it)
        assert client.sites.ping()["log_head"] == 1  # the command acted once: one event
        assert client.sites.search_sites(query="bat trang")[0]["id"] == site["id"]


def test_a_reply_is_published_without_a_confirm_and_a_request_with_one(make_container, amqp_uri, monkeypatch):
    """Replies go to the caller's exclusive reply queue: no publisher confirm (a broker round trip per
    RPC, shared/kit/rpc_publish.py ReplyPublisher). The caller's request keeps its confirm, which is
    how a call to a service that is not running is refused at once."""
    from nameko.amqp import publish
    from nameko.exceptions import UnknownService

    seen = []
    real = publish.get_producer

    def spy(amqp_uri_, confirms=True, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(confirms)
        return real(amqp_uri_, confirms, *args, **kwargs)

    monkeypatch.setattr(publish, "get_producer", spy)
    monkeypatch.setattr("shared.kit.rpc_publish.get_producer", spy)
    container = make_container(SitesService)
    container.start()
    with ServiceClient(actor=AGENCY, amqp_uri=amqp_uri, timeout=15) as client:
        seen.clear()
        assert client.sites.ping()["log_head"] == 0
        assert seen == [True, False]  # the request confirmed, the reply not
        with pytest.raises(UnknownService):
            client.call("nosuchservice", "ping")


def test_a_long_timer_scan_lets_other_work_in_between_items():
    """`cooperatively` (the timers' scans over open aggregates): under eventlet each item yields,
    so an RPC or the relay runs during a scan of 58 000 open incidents instead of after it."""
    import eventlet

    from shared.kit.store import cooperatively

    order = []

    def scan():
        for i in cooperatively(range(5)):
            order.append(f"scan{i}")

    def other():
        for i in range(5):
            order.append(f"other{i}")
            eventlet.sleep(0)

    threads = [eventlet.spawn(scan), eventlet.spawn(other)]
    for t in threads:
        t.wait()
    assert order[:4] == ["scan0", "other0", "scan1", "other1"]


def test_a_follow_loop_killed_at_the_stop_ends_before_nameko_looks_for_live_threads():
    """Ctrl-C (tests/e2e/test_first_run.py, once in CI): a follow loop inside a call to a source
    that stopped is killed after the stop's wait; its cleanup (closing its connection) yields, and
    nameko, finding it still alive, killed it again with a WARNING in `langxanh up`'s output."""
    import eventlet

    from shared.kit.nameko_glue import ServiceKit

    def follow_loop() -> None:
        try:
            eventlet.sleep(30)  # a call to a source that will never answer
        finally:
            eventlet.sleep(0.05)  # the cleanup of a killed loop: a connection closed

    kit = ServiceKit.__new__(ServiceKit)
    kit.service = "manifests"
    kit._follow_threads = [eventlet.spawn(follow_loop)]
    eventlet.sleep(0)
    kit._end_follow_threads(wait=0.1)
    assert all(t.dead for t in kit._follow_threads)
