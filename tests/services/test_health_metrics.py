"""Health and metrics of real service containers on RabbitMQ (eventlet monkey-patched, as in a
service process): after some commands the counters, the relay's and the follower's positions
and lags are right, in the registry, in the ping answer and on the /metrics HTTP endpoint; a
relay that cannot publish and a follower whose projection fails are counted as errors and
their lag shows, then drains."""

import eventlet
import pytest

from services.inspections.service import InspectionsService
from services.sites.application import SitesApplication
from services.sites.service import SitesService
from shared.directory import SitesDirectory
from shared.kit.actor import Actor
from shared.kit.amqp import KombuPublisher
from shared.kit.errors import Forbidden, InvalidInput
from shared.kit.metrics import kit_metrics
from tests.services import badinput
from tests.metrics_scrape import free_ports, scrape

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}
RESIDENT = {"actor": Actor("tg:resident-a", "resident").to_dict()}


def call(container, rpc_name, context=AGENCY, **payload):
    return badinput.call(container, rpc_name, payload, context)


def ping(container):
    return call(container, "ping", {"actor": Actor("health", "system").to_dict()})  # ping names its caller too


def value(name, **labels):
    return kit_metrics().value(name, **labels)


def eventually(predicate, timeout=20.0, what="condition"):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while not predicate():
        assert eventlet.hubs.get_hub().clock() < deadline, f"timed out waiting for {what}"
        eventlet.sleep(0.05)


COMMANDS = "langxanh_commands_total"


def commands(service, command, outcome, kind="command"):
    return value(COMMANDS, service=service, kind=kind, command=command, outcome=outcome)


@pytest.fixture
def metrics_base(monkeypatch):
    base = free_ports(2)
    monkeypatch.setenv("LANGXANH_METRICS_PORT", str(base))
    monkeypatch.setenv("LANGXANH_METRICS_HOST", "127.0.0.1")
    return base


def test_commands_relay_and_follower_metrics_in_the_registry_the_ping_and_over_http(
        make_container, store_env, exchange_name, metrics_base, monkeypatch):
    counted = [("register_site", "ok"), ("register_site", "refused"), ("amend_site", "error")]
    before = {k: commands("sites", *k) for k in counted}
    before_query = commands("sites", "get_site", "ok", kind="query")
    before_published = value("langxanh_relay_published_total", service="sites")
    before_applied = value("langxanh_follower_applied_total", service="inspections", source="sites")
    before_seconds = value("langxanh_command_duration_seconds_count", service="sites", kind="command",
                           command="register_site")

    sites = make_container(SitesService)
    sites.start()
    inspections = make_container(InspectionsService)
    inspections.start()
    ids = [call(sites, "register_site", kind="craft_village", name=f"Làng {i}", old_district="gia-lam")["id"]
           for i in range(3)]
    with pytest.raises(InvalidInput):
        call(sites, "register_site", kind="no_such_kind", name="X", old_district="gia-lam")
    with pytest.raises(Forbidden):
        call(sites, "register_site", RESIDENT, kind="craft_village", name="Y", old_district="gia-lam")
    call(sites, "get_site", site_id=ids[0])

    def broken(self, *args, **kwargs):
        raise RuntimeError("a bug in amend_site")

    monkeypatch.setattr(SitesApplication, "amend_site", broken)
    with pytest.raises(RuntimeError):
        call(sites, "amend_site", site_id=ids[0], changes={"name": "Làng mới"})

    assert commands("sites", "register_site", "ok") - before["register_site", "ok"] == 3
    assert commands("sites", "register_site", "refused") - before["register_site", "refused"] == 2
    assert commands("sites", "amend_site", "error") - before["amend_site", "error"] == 1
    assert commands("sites", "get_site", "ok", kind="query") - before_query == 1
    assert value("langxanh_command_duration_seconds_count", service="sites", kind="command",
                 command="register_site") - before_seconds == 5

    head = ping(sites)["log_head"]
    assert head == 3
    eventually(lambda: value("langxanh_relay_position", service="sites") == head
               and value("langxanh_follower_position", service="inspections", source="sites") == head,
               what="relay and follower at the head")
    assert value("langxanh_log_head", service="sites") == head
    assert value("langxanh_relay_lag", service="sites") == 0
    assert value("langxanh_relay_holder", service="sites") == 1
    assert value("langxanh_relay_published_total", service="sites") - before_published == head
    assert value("langxanh_follower_lag", service="inspections", source="sites") == 0
    assert value("langxanh_follower_source_sequence", service="inspections", source="sites") == head
    assert value("langxanh_follower_applied_total", service="inspections", source="sites") - before_applied == head

    # the ping answer carries what `langxanh health` shows; the old keys stay
    answer = ping(sites)
    assert answer["service"] == "sites" and answer["log_head"] == head and isinstance(answer["pid"], int)
    assert answer["relay"] == {"position": head, "lag": 0, "holder": True}
    assert answer["followers"] == {} and answer["metrics_port"] == metrics_base
    followed = ping(inspections)["followers"]["sites"]
    assert (followed["position"], followed["source_sequence"], followed["lag"]) == (head, head, 0)
    assert followed["applied"] >= head and ping(inspections)["metrics_port"] == metrics_base  # one endpoint per process

    # the endpoint serves the same figures (this process runs both services: one endpoint, both in it)
    scraped = scrape(metrics_base)

    def s(name, **labels):
        return scraped[(name, tuple(sorted(labels.items())))]

    assert s("langxanh_relay_position", service="sites") == head
    assert s("langxanh_relay_lag", service="sites") == 0
    assert s("langxanh_follower_position", service="inspections", source="sites") == head
    assert s("langxanh_follower_lag", service="inspections", source="sites") == 0
    assert s(COMMANDS, service="sites", kind="command", command="register_site", outcome="ok") == \
        commands("sites", "register_site", "ok")
    assert s(COMMANDS, service="sites", kind="command", command="amend_site", outcome="error") == \
        commands("sites", "amend_site", "error")
    assert any(name == "process_resident_memory_bytes" for name, _ in scraped)
    with pytest.raises(OSError):
        scrape(metrics_base + 1)  # inspections did not open a second one


def test_the_endpoint_stops_with_the_last_service_of_the_process(make_container, store_env, exchange_name,
                                                                 metrics_base):
    sites = make_container(SitesService)
    sites.start()
    assert scrape(metrics_base)
    sites.stop()
    with pytest.raises(OSError):
        scrape(metrics_base)


def test_a_relay_that_cannot_publish_counts_errors_and_its_lag_grows_then_drains(
        make_container, store_env, exchange_name):
    published = KombuPublisher.publish

    def refuse(self, routing_key, event):
        raise ConnectionError("the broker refuses")

    errors_before = value("langxanh_errors_total", service="sites", where="relay")
    KombuPublisher.publish = refuse
    try:
        sites = make_container(SitesService)
        sites.start()
        for i in range(2):
            call(sites, "register_site", kind="craft_village", name=f"Làng {i}", old_district="gia-lam")
        eventually(lambda: value("langxanh_errors_total", service="sites", where="relay") - errors_before >= 2
                   and value("langxanh_relay_lag", service="sites") == 2, what="relay errors counted and lag 2")
        assert ping(sites)["relay"]["lag"] == 2 and ping(sites)["relay"]["position"] == 0
    finally:
        KombuPublisher.publish = published
    eventually(lambda: value("langxanh_relay_lag", service="sites") == 0, what="the lag drained")
    assert value("langxanh_relay_position", service="sites") == 2 and ping(sites)["relay"]["lag"] == 0


def test_a_follower_whose_projection_fails_counts_errors_and_shows_its_lag_then_catches_up(
        make_container, store_env, exchange_name, monkeypatch):
    sites = make_container(SitesService)
    sites.start()
    inspections = make_container(InspectionsService)
    inspections.start()
    where = {"service": "inspections", "where": "follow:sites"}
    errors_before = value("langxanh_errors_total", **where)
    project = SitesDirectory.project

    def failing(self, cur, event):
        raise RuntimeError("the projection's store is away")

    monkeypatch.setattr(SitesDirectory, "project", failing)
    for i in range(2):
        call(sites, "register_site", kind="craft_village", name=f"Làng {i}", old_district="gia-lam")
    eventually(lambda: value("langxanh_errors_total", **where) > errors_before
               and value("langxanh_follower_lag", service="inspections", source="sites") >= 1,
               what="follower errors counted and a lag")
    followed = ping(inspections)["followers"]["sites"]
    assert followed["position"] == 0 and followed["lag"] >= 1
    monkeypatch.setattr(SitesDirectory, "project", project)
    eventually(lambda: value("langxanh_follower_position", service="inspections", source="sites") == 2
               and value("langxanh_follower_lag", service="inspections", source="sites") == 0,
               what="the follower caught up")
    assert ping(inspections)["followers"]["sites"]["lag"] == 0
