"""The kit's Prometheus metrics as plain objects: each on a registry of its own, fed by a real relay
and a real follower (no broker), the RPC wrapper's counting, the errors a follow loop reports,
the per-service port, and the refcounted HTTP endpoint."""
import socket
import urllib.request

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from shared.contracts.base import Command, Query
from shared.kit.amqp import FollowLoop
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.follower import Follower, MemoryProjection
from shared.kit.metrics import MetricsServer, Metrics, kit_metrics, metrics_port
from shared.kit.relay import Relay
from tests.kit.conftest import make_history
from tests.kit.test_follower import CountingBackfill, SitesPerPlace
from tests.kit.test_relay import RecordingPublisher, lock_for


@pytest.fixture
def metrics():
    return Metrics(CollectorRegistry())


def ev(n):
    return {"sequence": f"{n:020d}"}


def test_commands_are_counted_by_kind_name_and_outcome_with_their_latency(metrics):
    metrics.command("sites", "command", "register_site", "ok", 0.003)
    metrics.command("sites", "command", "register_site", "ok", 0.2)
    metrics.command("sites", "command", "register_site", "refused", 0.001)
    metrics.command("sites", "query", "get_site", "error", 0.01)
    v = metrics.value
    assert v("langxanh_commands_total", service="sites", kind="command", command="register_site", outcome="ok") == 2
    assert v("langxanh_commands_total", service="sites", kind="command", command="register_site",
             outcome="refused") == 1
    assert v("langxanh_commands_total", service="sites", kind="query", command="get_site", outcome="error") == 1
    assert v("langxanh_command_duration_seconds_count", service="sites", kind="command", command="register_site") == 3
    assert v("langxanh_command_duration_seconds_bucket", service="sites", kind="command", command="register_site",
             le="0.005") == 2
    assert v("langxanh_command_duration_seconds_sum", service="sites", kind="command",
             command="register_site") == pytest.approx(0.204)
    assert v("langxanh_commands_total", service="sites", kind="command", command="nothing", outcome="ok") == 0


def test_the_rpc_wrapper_counts_ok_refused_and_error_and_tells_commands_from_queries():
    from shared.kit.nameko_glue import rpc_method  # imports nameko (and eventlet, unpatched)

    class Register(Command):
        name: str

    class Get(Query):
        id: str


    from shared.kit.access import EVERYONE, table
    from shared.kit.actor import SYSTEM

    class FakeService:
        name = "metrics-test"
        access = table({"register": EVERYONE, "get": EVERYONE})  # every entrypoint has its role entry
        actor = SYSTEM  # the actor provider (shared/kit/providers.py), as injected

        @rpc_method(Register)
        def register(self, cmd):
            if cmd.name == "boom":
                raise RuntimeError("a bug")
            return {"name": cmd.name}

        @rpc_method(Get)
        def get(self, q):
            raise NotFound("no such thing", "id", "exists")

    m = kit_metrics()

    def count(command, outcome, kind="command"):
        return m.value("langxanh_commands_total", service="metrics-test", kind=kind, command=command, outcome=outcome)

    before = {(c, o): count(c, o, "query" if c == "get" else "command")
              for c in ("register", "get") for o in ("ok", "refused", "error")}
    svc = FakeService()
    assert svc.register(name="a") == {"name": "a"}
    assert svc.register(name="b", command_id="c-1") == {"name": "b"}
    with pytest.raises(InvalidInput):
        svc.register(name=42)  # a validation error: refused
    with pytest.raises(InvalidInput):
        svc.register("c-2", "a", "too many")  # arity: refused
    with pytest.raises(RuntimeError):
        svc.register(name="boom")
    with pytest.raises(NotFound):
        svc.get(id="x")
    assert count("register", "ok") - before["register", "ok"] == 2
    assert count("register", "refused") - before["register", "refused"] == 2
    assert count("register", "error") - before["register", "error"] == 1
    assert count("get", "refused", "query") - before["get", "refused"] == 1
    assert count("get", "ok", "query") - before["get", "ok"] == 0
    assert FakeService.register.kind == "command" and FakeService.get.kind == "query"


def test_relay_state_and_metrics_before_and_after_a_run(sites_app, mapper, db, settings, metrics):
    make_history(sites_app, n_sites=4)
    head = sites_app.log_head()
    relay = Relay(mapper, db, RecordingPublisher(), lock_for(settings), batch=3)
    observed = metrics.relay("sites")
    try:
        state = relay.state()
        assert state == {"head": head, "position": 0, "lag": head, "holder": False}
        observed.observe(state)
        assert metrics.value("langxanh_relay_lag", service="sites") == head
        assert metrics.value("langxanh_relay_holder", service="sites") == 0

        published = relay.run_once()
        observed.observe(relay.state(), published)
        v = metrics.value
        assert v("langxanh_log_head", service="sites") == head
        assert v("langxanh_relay_position", service="sites") == head
        assert v("langxanh_relay_lag", service="sites") == 0
        assert v("langxanh_relay_holder", service="sites") == 1
        assert v("langxanh_relay_published_total", service="sites") == head

        make_history(sites_app, n_sites=1)  # more events, not yet relayed
        observed.observe(relay.state(), 0)
        assert v("langxanh_relay_lag", service="sites") == sites_app.log_head() - head > 0
        assert v("langxanh_relay_published_total", service="sites") == head
    finally:
        relay.close()


def test_a_relay_that_does_not_hold_the_lock_reports_the_recorded_position(sites_app, mapper, db, settings):
    make_history(sites_app, n_sites=2)
    publisher = Relay(mapper, db, RecordingPublisher(), lock_for(settings))
    other = Relay(mapper, db, RecordingPublisher(), lock_for(settings))
    try:
        publisher.run_once()
        assert other.run_once() == 0
        assert publisher.state()["holder"] and not other.state()["holder"]
        assert other.state()["position"] == sites_app.log_head() and other.state()["lag"] == 0
    finally:
        publisher.close()
        other.close()


def test_follower_metrics_applied_duplicates_pulls_position_and_lag(sites_app, mapper, db, metrics):
    make_history(sites_app, n_sites=4)
    events = mapper.events_since(0, 1000)
    n = len(events)
    follower = Follower("sites", SitesPerPlace(db), CountingBackfill(mapper), page=5,
                        metrics=metrics.follower("inspections", "sites"))

    def v(name):
        return metrics.value(name, service="inspections", source="sites")

    assert follower.handle(events[0]) == "applied"  # a wake-up: one page (5) pulled from the source
    assert follower.handle(events[1]) == "duplicate"  # served by that pull
    assert follower.handle(events[1]) == "duplicate"  # a redelivery
    assert (v("langxanh_follower_applied_total"), v("langxanh_follower_duplicates_total")) == (5, 2)
    assert (v("langxanh_follower_position"), v("langxanh_follower_lag")) == (5, 0)
    assert v("langxanh_follower_pulls_total") == 1

    assert 5 < n <= 10
    assert follower.handle(events[6]) == "applied"  # ahead of 5: one more page, 6..n (short: the head)
    assert v("langxanh_follower_pulls_total") == 2
    assert v("langxanh_follower_position") == n and follower.source_head == n
    assert v("langxanh_follower_source_sequence") == n and v("langxanh_follower_lag") == 0
    follower.catch_up()  # nothing more
    assert v("langxanh_follower_position") == n and v("langxanh_follower_applied_total") == n
    assert v("langxanh_follower_lag") == 0
    assert follower.applied == n and follower.duplicates == 2 and follower.lag == 0
    assert v("langxanh_follower_pulls_total") == follower.pulls


def test_follower_lag_is_what_it_has_seen_but_not_applied(metrics):
    """A projection that fails: the events pushed are seen, not applied; the lag says how many."""
    broken = {"on": True}

    def on_event(event):
        if broken["on"]:
            raise RuntimeError("the store is away")

    projection = MemoryProjection(on_event)
    log = [ev(i) for i in range(1, 11)]
    follower = Follower("sites", projection, lambda pos, lim: log[pos:pos + lim],
                        metrics=metrics.follower("indicators", "sites"))

    def v(name):
        return metrics.value(name, service="indicators", source="sites")

    with pytest.raises(RuntimeError):
        follower.handle(ev(1))  # a wake-up: pulls the source's log (10, a short page: its head), applies nothing
    assert (v("langxanh_follower_source_sequence"), v("langxanh_follower_position"), v("langxanh_follower_lag")) \
        == (10, 0, 10)
    assert follower.lag == 10 and follower.source_head == 10
    broken["on"] = False
    assert follower.handle(ev(4)) == "applied"
    assert (v("langxanh_follower_position"), v("langxanh_follower_lag"), v("langxanh_follower_applied_total")) \
        == (10, 0, 10)


def test_a_follow_loop_reports_each_failure(metrics):
    failures = []

    def backfill(position, limit):
        raise ConnectionError("the source is down")

    follower = Follower("sites", MemoryProjection(lambda e: None), backfill,
                        metrics=metrics.follower("inspections", "sites"))
    loop = FollowLoop(follower, "memory://", "x", "q", interval=0.0, owner="inspections",
                      on_error=lambda: (failures.append(1), metrics.error("inspections", "follow:sites")))
    loop._idle()  # the periodic catch-up fails: logged, counted, retried later
    with pytest.raises(ConnectionError):
        loop._handle(ev(3))  # a pushed event ahead of us needs a pull: fails, the message is requeued
    assert len(failures) == 2
    assert metrics.value("langxanh_errors_total", service="inspections", where="follow:sites") == 2
    # without on_error (the bot's loops) nothing changes
    FollowLoop(follower, "memory://", "x", "q", interval=0.0, owner="bot")._idle()


def test_each_service_of_the_catalogue_has_its_own_port():
    services = ["sites", "inspections", "manifests", "indicators"]
    assert [metrics_port(9100, s, services) for s in services] == [9100, 9101, 9102, 9103]
    assert metrics_port(0, "manifests", services) == 0  # off
    assert metrics_port(9200, "elsewhere", services) == 9200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples
            if s.labels.get("service") in (None, "srv")}


def test_the_http_endpoint_is_shared_by_a_process_and_stops_with_its_last_user(metrics):
    server = MetricsServer()
    port = free_port()
    metrics.error("srv", "relay")
    assert server.acquire(port, "127.0.0.1", metrics.registry) == port
    assert server.acquire(port + 1, "127.0.0.1", metrics.registry) == port  # a second service: same endpoint
    assert scrape(port)["langxanh_errors_total"] == 1
    busy = MetricsServer()
    assert busy.acquire(port, "127.0.0.1", metrics.registry) == 0  # taken: logged, the service runs on
    busy.release()
    server.release()
    assert scrape(port)["langxanh_errors_total"] == 1  # still one user
    server.release()
    with pytest.raises(OSError):
        scrape(port)
