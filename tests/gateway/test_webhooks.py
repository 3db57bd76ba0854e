"""Signed webhooks: a real HTTP receiver on loopback verifies every delivery with the
`standardwebhooks` library and the webhook's secret. The feed is fed from the in-process
cluster's streams (as a follower pulls them), the dispatcher flushes once per call with a clock
the test moves (so backoff is seen without waiting)."""
from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from services.gateway.views import WebhookDeliveries, WebhookDispatcher, WebhookLog, WebhookTargets
from shared.catalog import SERVICES
from shared.kit.actor import SYSTEM, Actor, Role
from shared.kit.follower import Follower
from shared.kit.relay import FileLock
from shared.kit.sql import Db
from shared.kit.config import with_values

RESIDENT = Actor(id="tg-webhook-resident", role=Role.RESIDENT)


# -- the receiver --------------------------------------------------------------------------------------
class Receiver:
    """An agency's endpoint: /hooks/<name>. Answers from a script of statuses (then 204), and
    verifies each request's signature with the secret of that name."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.scripts: dict[str, list[int]] = {}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode("utf-8")
                name = self.path.rsplit("/", 1)[-1]
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Verifier(receiver.secrets[name]).verify(body, headers)
                    verified = True
                except (WebhookVerificationError, KeyError):
                    verified = False
                with receiver.lock:
                    script = receiver.scripts.get(name) or []
                    status = script.pop(0) if script else 204
                    receiver.requests.append({"name": name, "headers": headers, "body": body, "status": status,
                                              "verified": verified, "event": json.loads(body)})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{name}"

    def got(self, name: str, ok_only: bool = True) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["name"] == name and (r["status"] < 300 or not ok_only)]

    def ids(self, name: str) -> list[str]:
        return [r["headers"]["webhook-id"] for r in self.got(name)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# -- the world -----------------------------------------------------------------------------------------
class Hooks:
    def __init__(self, gateway, receiver: Receiver, tmp_path, **settings) -> None:  # type: ignore[no-untyped-def]
        self.gateway = gateway
        self.receiver = receiver
        self.settings = with_values(gateway.settings, **{"webhook_max_attempts": 8, "webhook_backoff_base": 2.0,
                                                          "webhook_backoff_max": 3600.0, **settings})
        self.db = Db.of(gateway.app)
        self.targets = WebhookTargets(self.db, gateway.app)
        self.projection = WebhookDeliveries(self.db, self.targets)
        self.clock = Clock()
        self.lock_path = tmp_path / "gateway.webhooks.lock"
        self.dispatcher = self.new_dispatcher()
        self.log = WebhookLog(self.db)

    def new_dispatcher(self) -> WebhookDispatcher:
        return WebhookDispatcher(self.db, self.gateway.app, self.settings, self.gateway.services,
                                 FileLock(self.lock_path), self.targets, clock=self.clock)

    def feed(self, projection: WebhookDeliveries | None = None, page: int = 500) -> int:
        """The feed takes every public event so far (a follower's catch-up per source)."""
        applied = 0
        for source in SERVICES:
            mapper = self.gateway.cluster.kits[source].mapper
            applied += Follower(source, projection or self.projection,
                                lambda p, n, m=mapper: m.events_since(p, n), page=page).catch_up()
        return applied

    def flush(self, dispatcher: WebhookDispatcher | None = None) -> int:
        return asyncio.run((dispatcher or self.dispatcher).flush())

    def register(self, key: dict, name: str, types: list[str], communes: list[str] | None = None) -> dict:
        r = self.gateway.http.post("/v1/webhooks", json={"url": self.receiver.url(name), "types": types,
                                                         "communes": communes or []}, headers=key)
        assert r.status_code == 201, r.text
        hook = r.json()
        self.receiver.secrets[name] = hook["secret"]
        return hook

    def deliveries(self, key: dict, hook: dict, **params) -> list[dict]:  # type: ignore[no-untyped-def]
        r = self.gateway.http.get(f"/v1/webhooks/{hook['id']}/deliveries", params=params, headers=key)
        assert r.status_code == 200, r.text
        return r.json()

    def state(self, key: dict, hook: dict) -> dict:
        return self.gateway.http.get(f"/v1/webhooks/{hook['id']}", headers=key).json()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hooks(gateway, receiver, tmp_path):
    return Hooks(gateway, receiver, tmp_path)


def sites(gateway) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Bát Tràng and a craft village in another commune."""
    found = gateway.cluster.call_sync(SYSTEM, "sites", "search_sites", query="", kind="craft_village", limit=500)
    bat_trang = next(s for s in found if s["name"] == "Bát Tràng")
    other = next(s for s in found if s.get("commune") and s["commune"] != bat_trang["commune"])
    return bat_trang, other


def report(gateway, site: dict, text: str = "Khói đen từ lò nung") -> str:  # type: ignore[no-untyped-def]
    return gateway.cluster.call_sync(RESIDENT, "inspections", "report_incident", category="smoke_odour",
                                     description=f"Sự cố: {text}", site_id=site["id"])["id"]


def names(requests: list[dict]) -> list[str]:
    return [r["event"]["type"].split(".")[-2] for r in requests]


# -- stories -------------------------------------------------------------------------------------------
def test_deliveries_arrive_signed_and_filtered_by_types_and_communes(gateway, hooks, receiver):
    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, other = sites(gateway)
    incidents_here = hooks.register(key, "here", ["incident_*"], [bat_trang["commune"]])
    every_site = hooks.register(key, "sites", ["sites.*"])
    reported = hooks.register(key, "reported", ["inspections.incident_reported"])
    assert gateway.http.post("/v1/webhooks", json={"url": receiver.url("x"), "types": ["*"]}).status_code == 401
    assert gateway.http.post("/v1/webhooks", json={"url": receiver.url("x"), "types": ["*"]},
                             headers=gateway.key("so-nnmt", "events:read")).status_code == 403

    here = report(gateway, bat_trang)
    report(gateway, other)
    site = gateway.cluster.call_sync(SYSTEM, "sites", "register_site", kind="craft_village", name="Làng thử webhook",
                                     old_district="gia-lam")
    assert hooks.feed() > 0
    assert hooks.flush() >= 4

    assert receiver.requests and all(r["verified"] for r in receiver.requests)
    got_here = receiver.got("here")
    assert names(got_here) == ["incident_reported"] and got_here[0]["event"]["subject"] == here
    assert {r["event"]["communecode"] for r in got_here} == {bat_trang["commune"]}
    assert [r["event"]["subject"] for r in receiver.got("sites")] == [site["id"]]
    assert names(receiver.got("sites")) == ["site_registered"]
    assert names(receiver.got("reported")) == ["incident_reported", "incident_reported"]
    for r in receiver.requests:  # Standard Webhooks headers; the webhook id is the CloudEvent's id
        h = r["headers"]
        assert h["content-type"] == "application/cloudevents+json" and h["webhook-id"] == r["event"]["id"]
        assert abs(int(h["webhook-timestamp"]) - datetime.now(timezone.utc).timestamp()) < 60
        assert h["webhook-signature"].startswith("v1,")
        assert r["event"]["specversion"] == "1.0"
    # nothing from before a webhook was registered (the seed's thousands of site events)
    assert len(receiver.got("sites")) == 1

    # the delivery log, newest first
    log = hooks.deliveries(key, every_site)
    assert [(d["event_id"], d["state"], d["attempts"], d["last_status"]) for d in log] == [
        (receiver.got("sites")[0]["event"]["id"], "delivered", 1, 204)]
    assert hooks.deliveries(key, incidents_here, state="pending") == []
    assert hooks.flush() == 0 and len(receiver.requests) == 4  # nothing sent twice
    assert reported["secret"].startswith("whsec_")


def test_a_tampered_delivery_fails_verification(gateway, hooks, receiver):
    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, _ = sites(gateway)
    hooks.register(key, "check", ["incident_reported"])
    report(gateway, bat_trang)
    hooks.feed()
    hooks.flush()
    [r] = receiver.got("check")
    secret = receiver.secrets["check"]
    assert r["verified"] and Verifier(secret).verify(r["body"], r["headers"])["id"] == r["event"]["id"]
    tampered_body = r["body"].replace('"incident_reported"', '"incident_closed"').replace("smoke_odour", "noise")
    assert tampered_body != r["body"]
    with pytest.raises(WebhookVerificationError):
        Verifier(secret).verify(tampered_body, r["headers"])
    with pytest.raises(WebhookVerificationError):  # another id, the same signature
        Verifier(secret).verify(r["body"], r["headers"] | {"webhook-id": r["headers"]["webhook-id"] + "0"})
    with pytest.raises(WebhookVerificationError):  # another timestamp
        Verifier(secret).verify(r["body"], r["headers"] | {"webhook-timestamp": str(int(r["headers"]["webhook-timestamp"]) + 1)})
    with pytest.raises(WebhookVerificationError):  # another webhook's secret
        Verifier("whsec_" + "A" * 43).verify(r["body"], r["headers"])


def test_a_failing_receiver_gets_retries_with_growing_backoff_then_delivered(gateway, hooks, receiver):
    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, _ = sites(gateway)
    hook = hooks.register(key, "flaky", ["incident_reported"])
    receiver.scripts["flaky"] = [500, 503]
    first, second = report(gateway, bat_trang, "lần một"), report(gateway, bat_trang, "lần hai")
    hooks.feed()

    assert hooks.flush() == 0  # attempt 1: 500
    assert [r["status"] for r in receiver.got("flaky", ok_only=False)] == [500]
    [head, behind] = sorted(hooks.deliveries(key, hook), key=lambda d: int(d["sequence"]))
    assert head["attempts"] == 1 and head["last_status"] == 500 and head["last_error"] == "HTTP 500"
    assert behind["attempts"] == 0  # in order: the second waits behind the first
    due = datetime.fromisoformat(head["next_attempt_at"])
    assert due - hooks.clock() == timedelta(seconds=2)

    assert hooks.flush() == 0 and len(receiver.got("flaky", ok_only=False)) == 1  # not yet due
    hooks.clock.advance(2)
    assert hooks.flush() == 0  # attempt 2: 503, then 4 s
    head = next(d for d in hooks.deliveries(key, hook) if d["id"] == head["id"])
    assert head["attempts"] == 2 and datetime.fromisoformat(head["next_attempt_at"]) - hooks.clock() == timedelta(seconds=4)
    hooks.clock.advance(3)
    assert hooks.flush() == 0
    hooks.clock.advance(1)
    assert hooks.flush() == 2  # attempt 3 succeeds, and the one behind it goes too

    calls = receiver.got("flaky", ok_only=False)
    assert [r["status"] for r in calls] == [500, 503, 204, 204]
    assert [r["event"]["subject"] for r in calls] == [first, first, first, second]
    assert len({r["headers"]["webhook-id"] for r in calls[:3]}) == 1  # a retry keeps its webhook-id
    log = {d["event_id"]: d for d in hooks.deliveries(key, hook)}
    assert log[calls[0]["event"]["id"]]["attempts"] == 3 and log[calls[0]["event"]["id"]]["state"] == "delivered"
    assert hooks.state(key, hook)["state"] == "active"


def test_parked_after_n_failures_then_resumed(gateway, receiver, tmp_path):
    hooks = Hooks(gateway, receiver, tmp_path, webhook_max_attempts=3, webhook_backoff_base=10.0,
                  webhook_backoff_max=15.0)
    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, _ = sites(gateway)
    hook = hooks.register(key, "down", ["incident_reported"])
    receiver.scripts["down"] = [500] * 100
    first, second = report(gateway, bat_trang, "một"), report(gateway, bat_trang, "hai")
    hooks.feed()
    waits = []
    for _ in range(3):
        hooks.flush()
        [head] = [d for d in hooks.deliveries(key, hook) if d["attempts"]]
        waits.append((datetime.fromisoformat(head["next_attempt_at"]) - hooks.clock()).total_seconds())
        hooks.clock.advance(20)
    assert waits == [10.0, 15.0, 15.0]  # doubled, capped
    assert len(receiver.got("down", ok_only=False)) == 3
    doc = hooks.state(key, hook)
    assert doc["state"] == "parked" and "3 deliveries in a row failed" in doc["parked_reason"]
    assert "HTTP 500" in doc["parked_reason"]

    hooks.clock.advance(3600)
    report(gateway, bat_trang, "ba")  # queued while parked, waits too
    hooks.feed()
    assert hooks.flush() == 0 and len(receiver.got("down", ok_only=False)) == 3  # nothing more attempted
    assert len(hooks.deliveries(key, hook, state="pending")) == 3

    receiver.scripts["down"] = []
    r = gateway.http.post(f"/v1/webhooks/{hook['id']}/resume", headers=key)
    assert r.status_code == 200 and r.json()["state"] == "active"
    assert gateway.http.post(f"/v1/webhooks/{hook['id']}/resume", headers=key).status_code == 409
    assert hooks.flush() == 3
    delivered = receiver.got("down")
    assert [r["event"]["subject"] for r in delivered][:2] == [first, second]  # in order, after the resume
    assert all(r["verified"] for r in delivered)
    assert hooks.deliveries(key, hook, state="pending") == []


def test_replay_from_a_position_delivers_again_with_the_same_webhook_id(gateway, hooks, receiver):
    key = gateway.key("so-nnmt", "webhooks", "events:read")  # a replay reads history
    bat_trang, other = sites(gateway)
    hook = hooks.register(key, "replayed", ["incident_reported"], [bat_trang["commune"]])
    for text in ("một", "hai", "ba"):
        report(gateway, bat_trang, text)
    report(gateway, other, "elsewhere")  # another commune: never for this webhook
    hooks.feed()
    assert hooks.flush() == 3
    original = receiver.got("replayed")
    positions = [int(r["event"]["sequence"]) for r in original]

    r = gateway.http.post(f"/v1/webhooks/{hook['id']}/replay", json={"source": "inspections",
                                                                     "after": positions[0]}, headers=key)
    assert r.status_code == 200 and r.json()["replays"][-1]["after"] == positions[0]
    assert hooks.flush() == 2
    again = receiver.got("replayed")[3:]
    assert [x["headers"]["webhook-id"] for x in again] == [x["headers"]["webhook-id"] for x in original[1:]]
    assert [x["body"] for x in again] == [x["body"] for x in original[1:]] and all(x["verified"] for x in again)
    log = hooks.deliveries(key, hook)
    assert sorted(d["replay"] for d in log if d["replay"] is not None) == [0, 0]
    assert len({d["id"] for d in log}) == 5  # new delivery ids for the replay
    assert hooks.flush() == 0  # a replay happens once
    hooks.feed()
    assert hooks.flush() == 0

    # a replay from 0 brings history from before the registration too (still filtered)
    assert gateway.http.post(f"/v1/webhooks/{hook['id']}/replay", json={"source": "inspections", "after": 0},
                             headers=key).status_code == 200
    hooks.flush()
    history = receiver.got("replayed")[5:]
    assert len(history) >= 3 and {x["event"]["communecode"] for x in history} == {bat_trang["commune"]}
    assert [int(x["event"]["sequence"]) for x in history] == sorted(int(x["event"]["sequence"]) for x in history)


def test_a_replay_waits_for_the_feed_to_reach_the_source_head(gateway, hooks, receiver):
    key = gateway.key("so-nnmt", "webhooks", "events:read")
    bat_trang, _ = sites(gateway)
    hook = hooks.register(key, "late", ["incident_reported"])
    report(gateway, bat_trang)
    gateway.http.post(f"/v1/webhooks/{hook['id']}/replay", json={"source": "inspections", "after": 0}, headers=key)
    assert hooks.flush() == 0 and receiver.got("late") == []  # the feed has not caught up yet
    hooks.feed()
    hooks.flush()
    got = receiver.got("late")
    ids = [r["headers"]["webhook-id"] for r in got]
    assert ids.count(got[-1]["headers"]["webhook-id"]) == 2  # the new one: by the feed, and by the replay
    assert len(ids) - len(set(ids)) == 1  # and nothing else twice


def test_a_deleted_webhook_gets_nothing(gateway, hooks, receiver):
    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, _ = sites(gateway)
    kept = hooks.register(key, "kept", ["incident_*"])
    gone = hooks.register(key, "gone", ["incident_*"])
    report(gateway, bat_trang, "trước khi xoá")
    hooks.feed()  # queued for both
    assert gateway.http.delete(f"/v1/webhooks/{gone['id']}", headers=key).status_code == 200
    report(gateway, bat_trang, "sau khi xoá")
    hooks.feed()
    assert hooks.flush() == 2
    assert receiver.got("gone") == [] and len(receiver.got("kept")) == 2
    assert gateway.http.get(f"/v1/webhooks/{gone['id']}", headers=key).status_code == 404
    assert gateway.http.get(f"/v1/webhooks/{gone['id']}/deliveries", headers=key).status_code == 404
    assert gateway.http.post(f"/v1/webhooks/{gone['id']}/replay", json={"source": "inspections"},
                             headers=key).status_code == 404
    assert [h["id"] for h in gateway.http.get("/v1/webhooks", headers=key).json()] == [kept["id"]]


def test_another_agency_cannot_see_replay_or_resume_a_webhook(gateway, hooks):
    mine, theirs = gateway.key("so-nnmt", "webhooks"), gateway.key("ubnd-gia-lam", "webhooks")
    hook = hooks.register(mine, "private", ["*"])
    for method, path, body in (("get", "", None), ("get", "/deliveries", None), ("post", "/resume", None),
                               ("post", "/replay", {"source": "sites", "after": 0}), ("delete", "", None)):
        r = gateway.http.request(method.upper(), f"/v1/webhooks/{hook['id']}{path}", json=body, headers=theirs)
        assert r.status_code == 404 and r.json()["error"] == "not_found", (method, path, r.text)
    assert gateway.http.get("/v1/webhooks", headers=theirs).json() == []
    assert gateway.http.get(f"/v1/webhooks/{hook['id']}/deliveries").status_code == 401
    assert gateway.http.get(f"/v1/webhooks/{hook['id']}", headers=mine).json()["replays"] == []
    admin = gateway.key("it", "admin")
    assert gateway.http.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=admin).status_code == 200


def test_the_feed_restarted_mid_stream_delivers_each_event_once(gateway, hooks, receiver):
    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, _ = sites(gateway)
    hooks.register(key, "once", ["incident_*"])
    start = hooks.gateway.cluster.kits["inspections"].mapper.app.log_head()
    subjects = [report(gateway, bat_trang, f"sự cố {i}") for i in range(5)]
    mapper = gateway.cluster.kits["inspections"].mapper
    for source in SERVICES:  # the feed has seen everything up to here
        if source != "inspections":
            Follower(source, hooks.projection, lambda p, n, m=gateway.cluster.kits[source].mapper:
                     m.events_since(p, n)).catch_up()
    before = lambda p, n: [e for e in mapper.events_since(p, n) if int(e["sequence"]) <= start]  # noqa: E731
    Follower("inspections", hooks.projection, before).catch_up()
    assert hooks.projection.view.max_tracking_id("inspections") == start

    class Crashing(WebhookDeliveries):
        """Dies on the third new event, inside its transaction."""
        seen = 0

        def project(self, cur, event):  # type: ignore[no-untyped-def]
            Crashing.seen += 1
            if Crashing.seen == 3:
                raise RuntimeError("killed mid-stream")
            super().project(cur, event)

    crashing = Follower("inspections", Crashing(hooks.db, hooks.targets), mapper.events_since, page=1)
    with pytest.raises(RuntimeError):
        crashing.catch_up()
    assert hooks.flush() == 2  # what was committed before the crash
    # restarted: a new projection object, the same tables; the broker redelivers an old message too
    restarted = Follower("inspections", WebhookDeliveries(hooks.db, hooks.targets), mapper.events_since, page=2)
    restarted.catch_up()
    assert restarted.handle(mapper.events_since(start, 1)[0]) == "duplicate"
    hooks.feed()
    assert hooks.flush() == 3
    got = receiver.got("once")
    assert [r["event"]["subject"] for r in got] == subjects
    assert len(set(r["headers"]["webhook-id"] for r in got)) == 5


def test_one_dispatcher_sends_at_a_time(gateway, hooks, receiver):
    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, _ = sites(gateway)
    hooks.register(key, "single", ["incident_reported"])
    report(gateway, bat_trang)
    hooks.feed()
    other = hooks.new_dispatcher()  # a second replica: the lock is held by the first
    assert hooks.flush() == 1
    report(gateway, bat_trang)
    hooks.feed()
    assert hooks.flush(other) == 0 and len(receiver.got("single")) == 1
    hooks.dispatcher.lock.close()  # the first one stops
    assert hooks.flush(other) == 1 and len(receiver.got("single")) == 2
    other.lock.close()


def test_unreachable_receiver_counts_as_a_failure(gateway, hooks, receiver):
    import socket

    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, _ = sites(gateway)
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = gateway.http.post("/v1/webhooks", json={"url": f"http://127.0.0.1:{port}/nobody", "types": ["*"]}, headers=key)
    hook = r.json()
    report(gateway, bat_trang)
    hooks.feed()
    assert hooks.flush() == 0
    [d] = hooks.deliveries(key, hook)
    assert d["state"] == "pending" and d["attempts"] == 1 and d["last_status"] is None
    assert d["last_error"].startswith("ConnectError")


def readme_receiver() -> str:
    """The Python receiver of the README's "### Webhooks" section."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("### Webhooks", 1)[1].split("\n## ", 1)[0]
    return next(b.split("\n", 1)[1] for b in section.split("```")[1::2] if b.startswith("python"))


def test_the_readme_receiver_verifies_and_takes_deliveries(gateway, hooks):
    import socket

    key = gateway.key("so-nnmt", "webhooks")
    bat_trang, _ = sites(gateway)
    code = readme_receiver()
    assert 'SECRET = "whsec_…"' in code and "PORT = 8000" in code and "server.serve_forever()" in code
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    hook = gateway.http.post("/v1/webhooks", json={"url": f"http://127.0.0.1:{port}/hooks", "types": ["incident_*"]},
                             headers=key).json()
    code = (code.replace('SECRET = "whsec_…"', f'SECRET = "{hook["secret"]}"').replace("PORT = 8000", f"PORT = {port}")
            .replace('HTTPServer(("", PORT)', 'HTTPServer(("127.0.0.1", PORT)').replace("server.serve_forever()", ""))
    scope: dict = {"__name__": "readme_receiver"}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the README's own example, on loopback
    server = scope["server"]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        incident = report(gateway, bat_trang, "README")
        hooks.feed()
        assert hooks.flush() == 1
        [event] = scope["received"].values()
        assert event["subject"] == incident and event["type"].endswith(".incident_reported.v1")
        scope["verifier"] = Verifier("whsec_" + "B" * 43)  # the receiver now expects another secret:
        report(gateway, bat_trang, "README forged")         # it refuses (401), so the delivery stays pending
        hooks.feed()
        assert hooks.flush() == 0 and len(scope["received"]) == 1
        assert hooks.deliveries(key, hook)[0]["last_status"] == 401
    finally:
        server.shutdown()
        server.server_close()


def test_the_whole_cycle_on_each_store_kind(cluster, settings, receiver, tmp_path):
    """Feed, dispatch, park, resume, replay and the one-dispatcher lock on SQLite and PostgreSQL."""
    from services.gateway.application import GatewayApplication
    from services.gateway.service import create_app
    from services.gateway.views import dispatcher_lock
    from shared.kit.store import app_for
    from tests.bot.cluster import LocalServices
    from fastapi.testclient import TestClient

    from tests.gateway.conftest import Gateway

    class StoreGateway(Gateway):
        def __init__(self) -> None:  # the conftest's Gateway, on the store kind of `settings`
            self.settings = with_values(settings, gateway_allow_http_webhooks=True, gateway_allow_private_webhooks=True)
            self.app = app_for(GatewayApplication, "gateway", self.settings)
            self.services = LocalServices(cluster)
            self.api = create_app(self.settings, self.services, self.app)
            self.http = TestClient(self.api)
            self.cluster = cluster

    gateway = StoreGateway()
    try:
        hooks = Hooks(gateway, receiver, tmp_path, webhook_max_attempts=2)
        hooks.dispatcher.lock = dispatcher_lock(gateway.settings)
        key = gateway.key("so-nnmt", "webhooks", "events:read")
        bat_trang, _ = sites(gateway)
        good = hooks.register(key, "good", ["incident_reported"])
        bad = hooks.register(key, "bad", ["incident_*"], [bat_trang["commune"]])
        receiver.scripts["bad"] = [500, 500]
        subjects = [report(gateway, bat_trang, f"store {i}") for i in range(2)]
        hooks.feed()
        assert hooks.flush() == 2
        hooks.clock.advance(2)
        assert hooks.flush() == 0 and hooks.state(key, bad)["state"] == "parked"
        assert gateway.http.post(f"/v1/webhooks/{bad['id']}/resume", headers=key).json()["state"] == "active"
        assert hooks.flush() == 2
        assert [r["event"]["subject"] for r in receiver.got("bad")] == subjects
        assert [r["event"]["subject"] for r in receiver.got("good")] == subjects
        after = int(receiver.got("good")[0]["event"]["sequence"])
        gateway.http.post(f"/v1/webhooks/{good['id']}/replay", json={"source": "inspections", "after": after},
                          headers=key)
        first, second_id = receiver.ids("good")
        assert hooks.flush() == 1 and receiver.ids("good") == [first, second_id, second_id]
        assert all(r["verified"] for r in receiver.requests)
        second = hooks.new_dispatcher()
        second.lock = dispatcher_lock(gateway.settings)
        report(gateway, bat_trang, "store lock")
        hooks.feed()
        assert hooks.flush(second) == 0  # the first holds the lock
        hooks.dispatcher.lock.close()
        assert hooks.flush(second) == 2
        second.lock.close()
    finally:
        gateway.http.close()
        gateway.app.close()
