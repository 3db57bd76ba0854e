"""The gateway's JSON API: public reads without personal data, keys and scopes, replay, reports,
webhook registrations; errors as JSON with the field and the rule."""
from __future__ import annotations

import json

from shared.kit.actor import SYSTEM, Actor, Role

RESIDENT = Actor(id="tg-secret-pseudonym", role=Role.RESIDENT)


def bat_trang(gateway) -> dict:  # type: ignore[no-untyped-def]
    return gateway.http.get("/v1/sites", params={"q": "bat trang", "kind": "craft_village"}).json()[0]


def test_public_reads_need_no_key_and_carry_no_personal_data(gateway):
    site = bat_trang(gateway)
    assert site["name"] == "Bát Tràng" and site["kind"] == "craft_village"
    gateway.cluster.call_sync(RESIDENT, "inspections", "report_incident", category="wastewater",
                              description="Nhà ông Tư xả nước thải", site_id=site["id"])
    doc = gateway.http.get(f"/v1/sites/{site['id']}").json()
    assert doc["id"] == site["id"] and doc["commune"] == site["commune"]
    card = gateway.http.get(f"/v1/sites/{site['id']}/status").json()
    assert card["site"]["name"] == "Bát Tràng" and card["indicators"]["incidents_total"] >= 1
    body = json.dumps(card, ensure_ascii=False) + json.dumps(doc, ensure_ascii=False)
    assert RESIDENT.id not in body and "ông Tư" not in body
    figures = gateway.http.get("/v1/indicators/2025Q4", params={"unit": "city:hanoi"}).json()
    [city] = figures["units"]
    assert city["unit"] == "city:hanoi" and set(city["targets"]) == {
        "hw_treated", "clusters_with_wwtp", "villages_classified", "villages_meeting_conditions"}
    own = gateway.cluster.call_sync(SYSTEM, "indicators", "figures", period="2025Q4", unit="city:hanoi")
    assert city["targets"]["villages_classified"]["denominator"] == own["city:hanoi"]["villages_classified"]["denominator"]


def test_keys_scopes_and_revocation(gateway):
    events = {"service": "sites", "limit": 3}
    r = gateway.http.get("/v1/events", params=events)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized" and r.json()["field"] == "X-API-Key"
    assert gateway.http.get("/v1/events", params=events, headers={"X-API-Key": "nope"}).status_code == 403
    assert gateway.http.get("/v1/events", params=events,
                            headers={"X-API-Key": "lx_00000000_wrongsecret"}).status_code == 403
    reports_only = gateway.key("so-nnmt", "reports:read")
    r = gateway.http.get("/v1/events", params=events, headers=reports_only)
    assert r.status_code == 403 and r.json()["rule"] == "scope"
    admin = gateway.key("it", "admin")
    issued = gateway.http.post("/v1/keys", json={"agency": "cuc-kiem-soat", "scopes": ["events:read"]}, headers=admin)
    assert issued.status_code == 201
    key = {"X-API-Key": issued.json()["api_key"]}
    assert gateway.http.get("/v1/events", params=events, headers=key).status_code == 200
    assert gateway.http.post("/v1/keys", json={"agency": "x", "scopes": ["admin"]}, headers=key).status_code == 403
    assert gateway.http.post("/v1/keys", json={"agency": "x", "scopes": ["root"]}, headers=admin).status_code == 400
    assert gateway.http.delete(f"/v1/keys/{issued.json()['key_id']}", headers=admin).json()["revoked"] is True
    assert gateway.http.get("/v1/events", params=events, headers=key).status_code == 403
    assert gateway.http.delete(f"/v1/keys/{issued.json()['key_id']}", headers=admin).status_code == 409


def test_replay_returns_json_lines_after_a_position_with_filters(gateway):
    key = gateway.key("so-nnmt", "events:read")
    first = gateway.http.get("/v1/events", params={"service": "sites", "limit": 10}, headers=key)
    assert first.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(x) for x in first.text.splitlines()]
    assert [int(e["sequence"]) for e in lines] == list(range(1, 11))
    assert first.headers["X-Next-Position"] == "10"
    after = gateway.http.get("/v1/events", params={"service": "sites", "after": 10, "limit": 5}, headers=key)
    assert [int(json.loads(x)["sequence"]) for x in after.text.splitlines()] == list(range(11, 16))
    recognised = gateway.http.get("/v1/events", params={"service": "sites", "type": "site_recognised", "limit": 1000},
                                  headers=key)
    types = {json.loads(x)["type"] for x in recognised.text.splitlines()}
    assert types == {"vn.langxanh.sites.site_recognised.v1"}
    assert gateway.http.get("/v1/events", params={"service": "nowhere"}, headers=key).status_code == 400


def test_a_report_is_issued_and_downloaded_in_each_format(gateway):
    key = gateway.key("so-nnmt", "reports:read")
    assert gateway.http.get("/v1/reports/2025Q4").status_code == 401
    csv = gateway.http.get("/v1/reports/2025Q4", params={"format": "csv"}, headers=key)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "city:hanoi" in csv.text and csv.headers["X-Report-Id"]
    html = gateway.http.get("/v1/reports/2025Q4", params={"format": "html", "unit": "city:hanoi"}, headers=key)
    assert html.text.lstrip().startswith("<!DOCTYPE html>") or "<html" in html.text
    assert gateway.http.get("/v1/reports/2025Q9", headers=key).status_code == 400


def test_webhook_registrations_belong_to_their_agency(gateway):
    mine, theirs = gateway.key("so-nnmt", "webhooks", "events:read"), gateway.key("ubnd-gia-lam", "webhooks")
    bad = gateway.http.post("/v1/webhooks", json={"url": "ftp://x", "types": ["incident_*"]}, headers=mine)
    assert bad.status_code == 400 and bad.json()["field"] == "url"
    r = gateway.http.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "types": ["incident_*"],
                                                "communes": ["xa-bat-trang"]}, headers=mine)
    assert r.status_code == 201 and r.json()["secret"].startswith("whsec_") and r.json()["state"] == "active"
    hook = r.json()["id"]
    assert [h["id"] for h in gateway.http.get("/v1/webhooks", headers=mine).json()] == [hook]
    assert "secret" not in gateway.http.get(f"/v1/webhooks/{hook}", headers=mine).json() or \
        gateway.http.get(f"/v1/webhooks/{hook}", headers=mine).json()["secret"] is None
    assert gateway.http.get("/v1/webhooks", headers=theirs).json() == []
    assert gateway.http.get(f"/v1/webhooks/{hook}", headers=theirs).status_code == 404
    assert gateway.http.post(f"/v1/webhooks/{hook}/resume", headers=mine).status_code == 409  # not parked
    replay = gateway.http.post(f"/v1/webhooks/{hook}/replay", json={"source": "inspections", "after": 0}, headers=mine)
    assert replay.status_code == 200 and replay.json()["replays"][0]["source"] == "inspections"
    assert gateway.http.delete(f"/v1/webhooks/{hook}", headers=mine).json()["state"] == "deleted"
    assert gateway.http.get(f"/v1/webhooks/{hook}", headers=mine).status_code == 404
    assert gateway.http.get("/v1/webhooks", headers=gateway.key("x", "events:read")).status_code == 403


def test_bad_input_is_a_json_error_naming_the_field(gateway):
    r = gateway.http.get("/v1/sites", params={"limit": 0})
    assert r.status_code == 400 and r.json()["field"] == "limit"
    r = gateway.http.get("/v1/sites/not-a-uuid")
    assert r.status_code == 400 and r.json()["error"] == "invalid_input"
    r = gateway.http.get("/v1/sites/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    gateway.services.down.add("sites")
    r = gateway.http.get("/v1/sites", params={"q": "bat trang"})
    assert r.status_code == 503 and r.json()["error"] == "unavailable"
    gateway.services.down.clear()
