"""Issue 13, medium and low — Open311 POST: a retry doubled the incident (a 503 "try again" after
a timeout, posted again), and nothing bounded how many reports one reporter could file.

Real inspections service and real gateway processes on each store kind: the same POST twice
with an Idempotency-Key is one incident (one service_request_id); without a key, the same form
posted twice the same day is one too; a reporter's reports per day are counted in the gateway's
store, so two gateway replicas share the quota."""
from __future__ import annotations

import httpx
import pytest

from shared.kit.actor import Actor, Role
from shared.kit.client import ServiceClient
from tests.security.gateway_procs import base, environment, free_port, issue_key, start_gateway, start_service

STAFF = Actor(id="inspector-13", role=Role.AGENCY)
HOAN_KIEM = {"lat": "21.028511", "long": "105.854167"}


@pytest.fixture(params=["sqlite", "postgres"])
def world(request, amqp_uri, tmp_path, schema_prefix):  # type: ignore[no-untyped-def]
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    env = environment(amqp_uri, tmp_path, request.param, pg, schema_prefix, webhook_delivery="false",
                      open311_reports_per_day="3", gateway_secret="a-shared-secret")
    procs = [start_service("inspections", env, tmp_path)]
    try:
        key = issue_key(env, "so-nnmt", "open311:write")
        procs.append(start_gateway(env, tmp_path))
        yield env, key, procs
    finally:
        for p in reversed(procs):
            p.stop()


def form(text: str, email: str = "chi.lan@example.vn") -> dict:
    return {"service_code": "wastewater", "description": text, "email": email, **HOAN_KIEM}


def post(env: dict, key: dict, data: dict, **headers: str) -> httpx.Response:
    return httpx.post(f"{base(env)}/open311/v2/requests.json", data=data, headers={**key["header"], **headers},
                      timeout=60)


def incidents(env: dict) -> list[dict]:
    with ServiceClient(actor=STAFF, amqp_uri=env["AMQP_URI"], timeout=30) as c:
        return c.inspections.list_incidents(limit=500)


def test_a_retried_post_is_one_incident(world):
    env, key, _ = world
    first = post(env, key, form("Cống xả nước thải đen ngòm"), **{"Idempotency-Key": "app-7f3a-0001"})
    again = post(env, key, form("Cống xả nước thải đen ngòm"), **{"Idempotency-Key": "app-7f3a-0001"})
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    # a form posted again without a key (the spec's clients send none): the same day, the same request
    plain = [post(env, key, form("Mùi hôi từ xưởng nhuộm")).json()[0]["service_request_id"] for _ in range(2)]
    assert plain[0] == plain[1]
    assert sorted(i["id"] for i in incidents(env)) == sorted({first.json()[0]["service_request_id"], plain[0]})


def test_a_reporter_quota_is_shared_by_gateway_replicas(world, tmp_path):
    env, key, procs = world
    other = dict(env, LANGXANH_GATEWAY_PORT=str(free_port()))
    (tmp_path / "second").mkdir()
    procs.append(start_gateway(other, tmp_path / "second"))
    answers = [post(env, key, form("Khói đen lần một")), post(other, key, form("Khói đen lần hai")), post(env, key, form("Khói đen lần ba"))]
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    refused = post(other, key, form("Khói đen lần bốn"))  # the fourth of the day, through the other replica
    assert refused.status_code == 429 and refused.json()[0]["code"] == 429
    assert post(env, key, form("Khói đen lần ba")).status_code == 200  # a retry of a counted report is not a new one
    assert post(env, key, form("Khói đen lần năm", email="someone.else@example.vn")).status_code == 200  # another reporter
    assert len(incidents(env)) == 4
