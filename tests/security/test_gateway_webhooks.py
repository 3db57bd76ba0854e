"""Issue 13, low ones in the gateway: a revoked key's webhooks kept receiving; a webhooks-only key
could replay history; webhooks could point inside (loopback, private, link-local, or a name that
resolves there — at registration or, re-pointed, at delivery); a caller without a key reached the
services as agency staff.

The gateway in-process over the in-process cluster (tests/bot/cluster.py: the real service
classes), its own store on each store kind, a real HTTP receiver on loopback."""
from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from services.gateway.application import GatewayApplication
from services.gateway.service import create_app
from shared.kit.actor import Role
from shared.kit.store import app_for
from shared.kit.config import with_values
from tests.bot.cluster import LocalServices, seeded_cluster
from tests.gateway.test_webhooks import Hooks, Receiver, report, sites


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):  # type: ignore[no-untyped-def]
    yield from seeded_cluster(tmp_path_factory, "services")


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    r = Receiver()
    yield r
    r.close()


class StoreGateway:
    """tests/gateway's Gateway, on the store kind of `settings`, with the webhook targets allowed or not."""

    def __init__(self, cluster, settings, allow_private: bool, services=None) -> None:  # type: ignore[no-untyped-def]
        self.settings = with_values(settings, gateway_allow_http_webhooks=True, gateway_allow_private_webhooks=allow_private)
        self.app = app_for(GatewayApplication, "gateway", self.settings)
        self.services = services or LocalServices(cluster)
        self.api = create_app(self.settings, self.services, self.app)
        self.http = TestClient(self.api)
        self.cluster = cluster

    def issue(self, agency: str, *scopes: str) -> tuple[str, dict]:
        issued = self.app.issue_key(None, None, agency, list(scopes))
        return issued["key_id"], {"X-API-Key": issued["api_key"]}

    def close(self) -> None:
        self.http.close()
        self.app.close()


@pytest.fixture
def open_gateway(cluster, settings):  # type: ignore[no-untyped-def]
    g = StoreGateway(cluster, settings, allow_private=True)  # the receiver is on loopback
    yield g
    g.close()


@pytest.fixture
def strict_gateway(cluster, settings):  # type: ignore[no-untyped-def]
    g = StoreGateway(cluster, settings, allow_private=False)  # the default
    yield g
    g.close()


def test_revoking_a_key_stops_its_webhooks(open_gateway, receiver, tmp_path):
    g = open_gateway
    hooks = Hooks(g, receiver, tmp_path)
    key_id, key = g.issue("so-nnmt", "webhooks")
    _, admin = g.issue("it", "admin")
    bat_trang, _ = sites(g)
    hook = hooks.register(key, "revoked", ["incident_*"])
    report(g, bat_trang, "trước khi thu hồi khoá")
    hooks.feed()
    assert hooks.flush() == 1
    report(g, bat_trang, "đang chờ gửi")
    hooks.feed()  # queued, not yet sent
    revoked = g.http.delete(f"/v1/keys/{key_id}", headers=admin)
    assert revoked.status_code == 200, revoked.text
    report(g, bat_trang, "sau khi thu hồi khoá")
    hooks.feed()
    hooks.flush()
    assert len(receiver.got("revoked", ok_only=False)) == 1  # nothing after the revocation, queued or new
    assert g.http.get(f"/v1/webhooks/{hook['id']}", headers=admin).status_code == 404


def test_a_webhooks_only_key_cannot_replay_history(open_gateway, receiver, tmp_path):
    g = open_gateway
    hooks = Hooks(g, receiver, tmp_path)
    _, webhooks_only = g.issue("so-nnmt", "webhooks")
    _, reader = g.issue("so-nnmt", "webhooks", "events:read")
    hook = hooks.register(webhooks_only, "history", ["incident_*"])
    replay = g.http.post(f"/v1/webhooks/{hook['id']}/replay", json={"source": "inspections", "after": 0},
                         headers=webhooks_only)
    assert replay.status_code == 403 and replay.json()["rule"] == "scope"
    assert g.http.post(f"/v1/webhooks/{hook['id']}/replay", json={"source": "inspections", "after": 0},
                       headers=reader).status_code == 200


@pytest.fixture
def dns(monkeypatch):  # type: ignore[no-untyped-def]
    """Names the test points where it likes (everything else resolves as usual)."""
    table: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        if name in table:
            family = socket.AF_INET6 if ":" in table[name] else socket.AF_INET
            address = (table[name], int(port or 0)) if family == socket.AF_INET else (table[name], int(port or 0), 0, 0)
            return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", address)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "172.16.5.4", "172.31.255.1", "192.168.1.10",
                                  "169.254.169.254", "localhost", "to-ula.example.test", "to-link-local.example.test",
                                  "to-loopback6.example.test", "to-mapped.example.test"])
def test_private_and_link_local_targets_are_refused_at_registration(strict_gateway, dns, host):
    dns.update({"to-ula.example.test": "fd12:3456::1", "to-link-local.example.test": "fe80::1",
                "to-loopback6.example.test": "::1", "to-mapped.example.test": "::ffff:10.0.0.1"})
    _, key = strict_gateway.issue("so-nnmt", "webhooks")
    r = strict_gateway.http.post("/v1/webhooks", json={"url": f"http://{host}:8080/hook", "types": ["incident_*"]},
                                 headers=key)
    assert r.status_code == 400 and r.json()["field"] == "url" and r.json()["rule"] == "public", r.text


def test_a_name_re_pointed_inside_after_registration_gets_nothing(strict_gateway, receiver, dns, tmp_path):
    g = strict_gateway
    hooks = Hooks(g, receiver, tmp_path)
    _, key = g.issue("so-nnmt", "webhooks")
    port = receiver.server.server_address[1]
    dns["hooks.agency.example.test"] = "93.184.216.34"  # public when registered
    r = g.http.post("/v1/webhooks", json={"url": f"http://hooks.agency.example.test:{port}/hooks/rebind",
                                          "types": ["incident_*"]}, headers=key)
    assert r.status_code == 201, r.text
    dns["hooks.agency.example.test"] = "127.0.0.1"  # then re-pointed at the gateway's own host
    bat_trang, _ = sites(g)
    report(g, bat_trang, "DNS rebinding")
    hooks.feed()
    assert hooks.flush() == 0
    assert receiver.got("rebind", ok_only=False) == []
    [delivery] = hooks.deliveries(key, r.json())
    assert delivery["state"] == "pending" and "127.0.0.1" in delivery["last_error"]


class Recording(LocalServices):
    """The cluster's services, noting which actor each call came as."""

    def __init__(self, cluster) -> None:  # type: ignore[no-untyped-def]
        super().__init__(cluster)
        self.actors: list[tuple[str, str, str]] = []

    async def call(self, actor, service, rpc, /, **kwargs):  # type: ignore[no-untyped-def]
        self.actors.append((actor.role.value, service, rpc))
        return await super().call(actor, service, rpc, **kwargs)


def test_callers_without_a_key_reach_the_services_as_the_public(cluster, settings):
    services = Recording(cluster)
    g = StoreGateway(cluster, settings, allow_private=False, services=services)
    try:
        bat_trang, _ = sites(g)
        incident = report(g, bat_trang, "một phản ánh công khai")
        for path in ("/v1/sites?q=bat%20trang", f"/v1/sites/{bat_trang['id']}", f"/v1/sites/{bat_trang['id']}/status",
                     "/v1/indicators/2025Q4", "/dashboard/sites.json", "/open311/v2/requests.json",
                     f"/open311/v2/requests/{incident}.json", "/healthz"):
            r = g.http.get(path)
            assert r.status_code == 200, (path, r.text)
        assert {a[0] for a in services.actors} == {Role.PUBLIC.value}, services.actors
        assert {(s, rpc) for _, s, rpc in services.actors} >= {("sites", "search_sites"), ("sites", "list_sites"),
                                                                ("inspections", "list_incidents"),
                                                                ("inspections", "get_incident")}
        ids = [x["service_request_id"] for x in g.http.get("/open311/v2/requests.json").json()]
        assert incident in ids
    finally:
        g.close()
