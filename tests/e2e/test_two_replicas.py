"""Two processes of the sites service on one store: commands spread over both, only one relay
publishes, no event is lost or doubled."""
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient


def test_two_replicas_one_publisher_every_event_once(sites_process, system_env, client):
    from tests.e2e.conftest import Subscriber

    subscriber = Subscriber(system_env["AMQP_URI"], system_env["LANGXANH_EXCHANGE"])
    first, second = sites_process().start(), sites_process().start()
    try:
        ids = [client.sites.register_site(kind="craft_village", name=f"Làng {i}", old_district="hoai-duc")["id"]
               for i in range(60)]
        with ServiceClient(actor=Actor("officer-2", "agency"), amqp_uri=system_env["AMQP_URI"]) as other:
            for site_id in ids[:20]:
                other.sites.set_wwtp(site_id=site_id, status="planned")
        head = client.sites.ping()["log_head"]
        assert head == 80
        subscriber.drain_until(lambda r: len(r) >= head)
        subscriber.drain_until(lambda r: False, timeout=1.5)  # anything doubled would arrive now
        assert sorted(int(e["sequence"]) for e in subscriber.received) == list(range(1, head + 1))
        pids = {client.sites.ping()["pid"] for _ in range(20)}
        assert pids == {first.proc.pid, second.proc.pid}  # the broker spreads calls over both
    finally:
        subscriber.close()
