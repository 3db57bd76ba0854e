"""kill -9 between a save and its publish: after a restart every event is published, none lost."""
import threading
import time

from kombu import Connection

from shared.kit.errors import LangXanhError


def register(client, i):
    return client.sites.register_site(command_id=f"crash-{i}", kind="craft_village", name=f"Làng {i}",
                                      old_district="gia-lam")


def test_events_saved_but_not_published_when_killed_are_published_after_restart(sites_process, system_env, client):
    from tests.e2e.conftest import Subscriber

    exchange = system_env["LANGXANH_EXCHANGE"]
    # The broker refuses the relay's exchange (declared with another type): commands are stored
    # and acknowledged, nothing can be published.
    with Connection(system_env["AMQP_URI"]) as conn:
        conn.default_channel.exchange_declare(exchange, "direct", durable=True)
    service = sites_process().start()
    acknowledged = [register(client, i) for i in range(25)]
    assert client.sites.ping()["log_head"] == 25
    deadline = time.monotonic() + 10
    while "relay run failed" not in service.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "relay run failed" in service.log_path.read_text()  # saved, but nothing could be published
    service.kill9()  # between the saves and their publish

    with Connection(system_env["AMQP_URI"]) as conn:
        conn.default_channel.exchange_delete(exchange)
    subscriber = Subscriber(system_env["AMQP_URI"], exchange)  # the real topic exchange, bound
    try:
        sites_process().start()
        received = subscriber.drain_until(lambda r: len({e["id"] for e in r}) >= 25)
        assert sorted({e["id"] for e in received}, key=lambda i: int(i.split("-")[1])) == \
            [f"sites-{n}" for n in range(1, 26)]
        assert {e["subject"] for e in received} == {a["id"] for a in acknowledged}
    finally:
        subscriber.close()


def test_kill_9_under_load_loses_no_acknowledged_event(sites_process, system_env, client):
    from tests.e2e.conftest import Subscriber
    from shared.kit.client import ServiceClient
    from shared.kit.actor import Actor

    subscriber = Subscriber(system_env["AMQP_URI"], system_env["LANGXANH_EXCHANGE"])
    service = sites_process().start()
    acknowledged, stop = [], threading.Event()

    def load():
        with ServiceClient(actor=Actor("officer-1", "agency"), amqp_uri=system_env["AMQP_URI"], timeout=3) as c:
            i = 0
            while not stop.is_set():
                try:
                    acknowledged.append(register(c, i)["id"])
                except (LangXanhError, Exception):  # noqa: BLE001 - the service is being killed
                    time.sleep(0.1)
                i += 1

    writer = threading.Thread(target=load)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        service.kill9()
        time.sleep(0.5)
        sites_process().start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 80 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join(30)
    head = client.sites.ping()["log_head"]
    try:
        received = subscriber.drain_until(lambda r: len({e["id"] for e in r}) >= head)
        ids = {e["id"] for e in received}
        assert ids == {f"sites-{n}" for n in range(1, head + 1)}  # every stored event, none lost
        assert set(acknowledged) <= {e["subject"] for e in received}
    finally:
        subscriber.close()
