"""Open311 GeoReport v2 on the gateway: the incident categories as services, reports posted by
agencies' apps, public reads of incidents without personal data. Every JSON answer is validated
against the GeoReport v2 JSON Schemas (tests/gateway/open311_schemas/, derived from the ones the
Open311 project published; see the README there). The GET routes are also driven by an Open311
client library nobody here wrote (PyPI `georeport`) against a real uvicorn server on loopback."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import stat
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT4

from shared.contracts import open311 as o311
from shared.contracts.inspections import Category, IncidentState
from shared.kit.actor import Actor, Role
from shared.kit.errors import InvalidInput
from tests.gateway.conftest import Gateway

BASE = "/open311/v2"
STAFF = Actor(id="inspector-7", role=Role.AGENCY)
SCHEMA_DIR = Path(__file__).parent / "open311_schemas"
SCHEMA = json.loads((SCHEMA_DIR / "georeport-v2.schema.json").read_text(encoding="utf-8"))
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
PUBLISHED = os.environ.get("LANGXANH_OPEN311_PUBLISHED_SCHEMAS")
HOAN_KIEM = {"lat": "21.028511", "long": "105.854167"}   # Hoàn Kiếm lake
SAIGON = {"lat": "10.776889", "long": "106.700806"}


def validate(kind: str, body: Any) -> Any:
    """Validate an answer against the derived schema ($defs/<kind>), and against the published
    file too when LANGXANH_OPEN311_PUBLISHED_SCHEMAS names a directory holding them."""
    jsonschema.Draft202012Validator({"$ref": f"#/$defs/{kind}", "$defs": SCHEMA["$defs"]},
                                    format_checker=FORMATS).validate(body)
    if PUBLISHED and kind in ("services", "requests", "service_definition"):
        files = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in Path(PUBLISHED).glob("*.json")
                 if p.name != "swagger.json"}
        registry = Registry().with_resources((name, DRAFT4.create_resource(doc)) for name, doc in files.items())
        top = {"services": "services.json", "requests": "requests.json",
               "service_definition": "service-definition.json"}[kind]
        jsonschema.Draft4Validator(files[top], registry=registry, format_checker=FORMATS).validate(body)
    return body


def spec_error(r: httpx.Response, status: int, code: int | None = None) -> str:
    """The answer is a spec error: the HTTP status, JSON, [{code, description}]; its description."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    body = validate("errors", r.json())
    assert body[0]["code"] == (code or status)
    return " ".join(e["description"] for e in body)


def post(g: Gateway, form: dict, headers: dict | None = None) -> httpx.Response:
    return g.http.post(f"{BASE}/requests.json", data=form, headers=headers or {})


def incidents(g: Gateway) -> list[dict]:
    return g.cluster.call_sync(STAFF, "inspections", "list_incidents", limit=500)


@pytest.fixture
def writer(gateway) -> dict:  # type: ignore[no-untyped-def]
    return gateway.key("so-nnmt", "open311:write")


# -- services ---------------------------------------------------------------------------------------------
def test_the_services_are_the_incident_categories(gateway):
    r = gateway.http.get(f"{BASE}/services.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json; charset=utf-8"
    services = validate("services", r.json())
    assert [s["service_code"] for s in services] == list(Category.__args__)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["wastewater"]["service_name"] == "Nước thải" and "Wastewater" in by_code["wastewater"]["description"]
    assert by_code["open_burning"]["service_name"] == "Đốt lộ thiên"
    assert all(s["metadata"] is False and s["type"] == "realtime" and s["keywords"] and s["group"] for s in services)
    assert gateway.http.get(f"{BASE}/services.json", params={"jurisdiction_id": "vn-hn"}).json() == services
    assert "jurisdiction_id" in spec_error(gateway.http.get(f"{BASE}/services.json",
                                                            params={"jurisdiction_id": "sf.gov"}), 404)
    definition = validate("service_definition", gateway.http.get(f"{BASE}/services/dust.json").json())
    assert definition == {"service_code": "dust", "attributes": []}
    assert "service_code" in spec_error(gateway.http.get(f"{BASE}/services/potholes.json"), 404)


# -- POST requests --------------------------------------------------------------------------------------------
def test_a_request_posted_with_a_location_becomes_an_incident_of_a_pseudonymous_resident(gateway, writer):
    form = {"service_code": "wastewater", **HOAN_KIEM, "email": "Chi.Lan@example.vn", "first_name": "Lan",
            "last_name": "Nguyễn", "phone": "0912345678", "device_id": "dev-42",
            "description": "Cống xả nước thải đen ngòm ra hồ, mùi rất nặng", "media_url": "http://x.example/1.jpg",
            "attribute[WHISPAWN]": "123", "jurisdiction_id": "vn-hn"}
    r = post(gateway, form, writer)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json; charset=utf-8"
    [created] = validate("request_created", r.json())
    assert set(created) == {"service_request_id", "service_notice", "account_id"} and created["account_id"] is None
    incident_id = str(UUID(created["service_request_id"]))
    ticket = "PA-" + UUID(incident_id).hex[:8].upper()
    assert ticket in created["service_notice"] and "resolution by" in created["service_notice"]

    doc = gateway.cluster.call_sync(STAFF, "inspections", "get_incident", incident_id=incident_id)
    assert doc["category"] == "wastewater" and doc["description"] == form["description"]
    assert doc["location"] == {"lat": 21.028511, "lon": 105.854167} and doc["address"] is None
    assert doc["photo_count"] == 0
    # the reporter: a pseudonym, the HMAC of the agency and the e-mail (lower-cased) under the gateway's key
    key_file = gateway.settings.data_dir / "gateway" / "open311.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    expected = "o311-" + hmac.new(key_file.read_text().strip().encode(), b"so-nnmt\x1femail\x1fchi.lan@example.vn",
                                  hashlib.sha256).hexdigest()[:24]
    assert doc["reporter"] == expected
    stored = json.dumps(doc, ensure_ascii=False)
    for personal in ("Chi.Lan", "chi.lan", "Lan\"", "Nguyễn", "0912345678", "dev-42", "x.example"):
        assert personal not in stored

    # the same person through the same agency is the same pseudonym; through another agency, another
    again = post(gateway, {**form, "email": "chi.lan@EXAMPLE.vn"}, writer).json()[0]["service_request_id"]
    assert gateway.cluster.call_sync(STAFF, "inspections", "get_incident", incident_id=again)["reporter"] == expected
    other = post(gateway, form, gateway.key("cuc-kiem-soat", "open311:write")).json()[0]["service_request_id"]
    assert gateway.cluster.call_sync(STAFF, "inspections", "get_incident", incident_id=other)["reporter"] != expected
    # device_id when there is no e-mail; a random one when nothing identifies the reporter
    by_device = post(gateway, {**form, "email": ""}, writer).json()[0]["service_request_id"]
    assert gateway.cluster.call_sync(STAFF, "inspections", "get_incident", incident_id=by_device)["reporter"] == (
        "o311-" + hmac.new(key_file.read_text().strip().encode(), b"so-nnmt\x1fdevice_id\x1fdev-42",
                           hashlib.sha256).hexdigest()[:24])
    bare = {k: v for k, v in form.items() if k not in ("email", "device_id")}
    # (two different forms: the same form posted twice the same day is one request, a retry — issue 13)
    anon = [post(gateway, {**bare, "description": f"{bare['description']} ({n})"}, writer).json()[0][
        "service_request_id"] for n in range(2)]
    reporters = {gateway.cluster.call_sync(STAFF, "inspections", "get_incident", incident_id=i)["reporter"]
                 for i in anon}
    assert len(reporters) == 2 and all(x.startswith("o311-anon-") for x in reporters)

    # GET it back by the id returned
    got = gateway.http.get(f"{BASE}/requests/{incident_id}.json")
    assert got.status_code == 200
    [public] = validate("requests", got.json())
    assert public["service_request_id"] == incident_id and public["status"] == "open"
    assert public["service_code"] == "wastewater" and public["service_name"] == "Nước thải"
    assert public["lat"] == 21.03 and public["long"] == 105.85
    assert public["description"] is None and public["address"] is None and public["media_url"] is None
    assert "received" in public["status_notes"] and ticket in public["service_notice"]
    assert public["requested_datetime"].endswith("+07:00")
    assert public["updated_datetime"] == public["requested_datetime"]
    assert public["expected_datetime"][:10] == doc["resolution_due"][:10]


def test_the_api_key_may_be_the_spec_form_field_and_a_secret_may_be_set(cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("LANGXANH_GATEWAY_SECRET", "a-configured-secret")
    g = Gateway(cluster, tmp_path)
    try:
        key = g.key("so-nnmt", "open311:write")["X-API-Key"]
        r = post(g, {"api_key": key, "service_code": "dust", **HOAN_KIEM, "account_id": "acc-1",
                     "description": "Bụi mù mịt từ bãi vật liệu"})
        assert r.status_code == 200, r.text
        doc = g.cluster.call_sync(STAFF, "inspections", "get_incident",
                                  incident_id=validate("request_created", r.json())[0]["service_request_id"])
        assert doc["reporter"] == "o311-" + hmac.new(b"a-configured-secret", b"so-nnmt\x1faccount_id\x1facc-1",
                                                     hashlib.sha256).hexdigest()[:24]
        assert not (tmp_path / "gateway" / "open311.key").exists()
    finally:
        g.http.close()
        g.app.close()


def test_a_request_posted_with_an_address_only(gateway, writer):
    r = post(gateway, {"service_code": "illegal_dumping", "address_string": "Ngõ 12 Bát Tràng, Gia Lâm",
                       "description": "Xe tải đổ trộm phế thải gốm ban đêm"}, writer)
    [created] = validate("request_created", r.json())
    doc = gateway.cluster.call_sync(STAFF, "inspections", "get_incident", incident_id=created["service_request_id"])
    assert doc["address"] == "Ngõ 12 Bát Tràng, Gia Lâm" and doc["location"] is None
    [public] = validate("requests", gateway.http.get(f"{BASE}/requests/{created['service_request_id']}.json").json())
    assert public["address"] is None and public["lat"] is None and public["long"] is None
    assert "Bát Tràng" not in json.dumps(public, ensure_ascii=False)


def test_refused_requests_answer_spec_errors_and_create_nothing(gateway, writer):
    before = len(incidents(gateway))
    good = {"service_code": "noise", **HOAN_KIEM, "description": "Máy nghiền đá chạy suốt đêm"}
    assert "api_key" in spec_error(post(gateway, good), 403)
    assert "api_key" in spec_error(post(gateway, {**good, "api_key": "lx_00000000_wrongsecret"}), 403)
    spec_error(post(gateway, good, {"X-API-Key": "nope"}), 403)
    assert "open311:write" in spec_error(post(gateway, good, gateway.key("so-nnmt", "events:read")), 403)
    assert "service_code" in spec_error(post(gateway, {**good, "service_code": "potholes"}, writer), 404)
    assert "service_code" in spec_error(post(gateway, {k: v for k, v in good.items() if k != "service_code"},
                                             writer), 400)
    assert "outside Hanoi" in spec_error(post(gateway, {**good, **SAIGON}, writer), 400)
    assert "together" in spec_error(post(gateway, {**good, "long": ""}, writer), 400)
    assert "lat" in spec_error(post(gateway, {**good, "lat": "north"}, writer), 400)
    assert "description" in spec_error(post(gateway, {k: v for k, v in good.items() if k != "description"},
                                            writer), 400)
    assert "description" in spec_error(post(gateway, {**good, "description": "  "}, writer), 400)
    assert "description" in spec_error(post(gateway, {**good, "description": "x" * 4001}, writer), 400)
    no_where = {"service_code": "noise", "description": "Máy nghiền đá chạy suốt đêm"}
    assert "location" in spec_error(post(gateway, no_where, writer), 400)
    assert "address_id" in spec_error(post(gateway, {**no_where, "address_id": "A-123"}, writer), 400)
    assert "jurisdiction_id" in spec_error(post(gateway, {**good, "jurisdiction_id": "sf.gov"}, writer), 404)
    as_json = gateway.http.post(f"{BASE}/requests.json", json=good, headers=writer)
    assert "x-www-form-urlencoded" in spec_error(as_json, 400)
    huge = gateway.http.post(f"{BASE}/requests.json", content=b"a=" + b"x" * 70_000, headers={
        **writer, "Content-Type": "application/x-www-form-urlencoded"})
    spec_error(huge, 400)
    assert len(incidents(gateway)) == before
    gateway.services.down.add("inspections")
    try:
        spec_error(post(gateway, good, writer), 400, 503)
        spec_error(gateway.http.get(f"{BASE}/requests.json"), 400, 503)
    finally:
        gateway.services.down.discard("inspections")
    assert len(incidents(gateway)) == before


# -- GET requests ---------------------------------------------------------------------------------------------
def _report(gateway, writer, code: str, description: str) -> str:  # type: ignore[no-untyped-def]
    r = post(gateway, {"service_code": code, **HOAN_KIEM, "email": f"{code}@example.vn", "description": description},
             writer)
    return validate("request_created", r.json())[0]["service_request_id"]


def test_get_requests_filters(gateway, writer, monkeypatch):
    smoke = _report(gateway, writer, "smoke_odour", "Khói đen từ lò nung gốm")
    dust = _report(gateway, writer, "dust", "Bụi từ xưởng xay đá")
    rejected = _report(gateway, writer, "other", "Không rõ là gì")
    gateway.cluster.call_sync(STAFF, "inspections", "reject_incident", incident_id=rejected,
                              reason="Không đủ thông tin")
    gateway.cluster.call_sync(STAFF, "inspections", "triage_incident", incident_id=dust, category="dust",
                              priority="high")
    gateway.cluster.call_sync(STAFF, "inspections", "assign_incident", incident_id=dust, unit="Đội QLTT Gia Lâm")

    def get(**params: str) -> list[dict]:
        r = gateway.http.get(f"{BASE}/requests.json", params=params)
        assert r.status_code == 200, r.text
        return validate("requests", r.json())

    everything = get()  # the last 90 days, newest first
    ids = [x["service_request_id"] for x in everything]
    assert {smoke, dust, rejected} <= set(ids) and ids.index(rejected) < ids.index(dust) < ids.index(smoke)
    times = [x["requested_datetime"] for x in everything]
    assert times == sorted(times, reverse=True)

    picked = get(service_request_id=f"{dust},{rejected},PA-12345678,{UUID(int=1)}")
    assert [x["service_request_id"] for x in picked] == [dust, rejected]
    assert [x["service_request_id"] for x in get(service_request_id=dust, status="closed")] == [dust]  # overrides
    assert get(service_request_id="nonsense") == []

    [assigned] = [x for x in everything if x["service_request_id"] == dust]
    assert assigned["agency_responsible"] == "Đội QLTT Gia Lâm" and assigned["status"] == "open"
    assert "assigned" in assigned["status_notes"] and assigned["updated_datetime"] is None
    [closed] = [x for x in everything if x["service_request_id"] == rejected]
    assert closed["status"] == "closed" and "rejected" in closed["status_notes"]
    assert "Không đủ thông tin" not in json.dumps(everything, ensure_ascii=False)

    assert {x["service_code"] for x in get(service_code="dust")} == {"dust"}
    assert {x["service_code"] for x in get(service_code="dust,smoke_odour")} == {"dust", "smoke_odour"}
    assert dust in [x["service_request_id"] for x in get(service_code="dust")]
    closed_ones = get(status="closed")
    assert rejected in [x["service_request_id"] for x in closed_ones]
    assert {x["status"] for x in closed_ones} == {"closed"}
    open_ones = get(status="open")
    assert {smoke, dust} <= {x["service_request_id"] for x in open_ones} and rejected not in {
        x["service_request_id"] for x in open_ones}
    assert len(get(status="open,closed")) == len(everything)

    today = everything[0]["requested_datetime"][:10]
    assert {smoke, dust, rejected} <= {x["service_request_id"] for x in get(start_date=today)}
    assert {smoke, dust, rejected} <= {x["service_request_id"] for x in get(start_date=f"{today}T00:00:00+07:00",
                                                                            end_date=f"{today}T23:59:59+07:00")}
    assert get(start_date="2031-01-01T00:00:00Z") == []
    assert get(end_date="2020-01-01T00:00:00Z") == []
    long_ago = f"{int(today[:4]) - 1}{today[4:]}T00:00:00+07:00"  # a year: cut to the last 90 days
    assert {smoke, dust, rejected} <= {x["service_request_id"] for x in get(start_date=long_ago, end_date=today)}
    assert get(start_date=today, end_date=long_ago) == []
    assert "start_date" in spec_error(gateway.http.get(f"{BASE}/requests.json", params={"start_date": "yesterday"}),
                                      400)
    assert "status" in spec_error(gateway.http.get(f"{BASE}/requests.json", params={"status": "pending"}), 400)
    assert "service_code" in spec_error(gateway.http.get(f"{BASE}/requests.json", params={"service_code": "x"}), 400)
    assert "jurisdiction_id" in spec_error(gateway.http.get(f"{BASE}/requests.json",
                                                            params={"jurisdiction_id": "nyc"}), 404)
    monkeypatch.setattr(o311, "MAX_REQUESTS", 2)  # the spec's first 1000, made small
    assert [x["service_request_id"] for x in get()] == ids[:2]


def test_get_one_request_and_the_spec_errors_around_it(gateway, writer):
    incident_id = _report(gateway, writer, "noise", "Tiếng máy dập kim loại cả đêm")
    r = gateway.http.get(f"{BASE}/requests/{incident_id}.json", params={"jurisdiction_id": "vn-hn"})
    assert [x["service_request_id"] for x in validate("requests", r.json())] == [incident_id]
    assert spec_error(gateway.http.get(f"{BASE}/requests/{UUID(int=7)}.json"), 404)
    ticket = "PA-" + UUID(incident_id).hex[:8].upper()
    assert "ticket" in spec_error(gateway.http.get(f"{BASE}/requests/{ticket}.json"), 404)
    spec_error(gateway.http.get(f"{BASE}/requests/{incident_id}.xml"), 404)
    spec_error(gateway.http.get(f"{BASE}/nowhere.json"), 404)
    not_allowed = gateway.http.delete(f"{BASE}/requests/{incident_id}.json")
    assert "GET" in spec_error(not_allowed, 405) and not_allowed.headers["allow"] == "GET"
    assert spec_error(gateway.http.post(f"{BASE}/services.json", headers=writer), 405)


def test_no_personal_data_in_any_get(gateway, writer):
    secret_text = "Ông Hùng nhà số 5 xả axit ra mương"
    form = {"service_code": "hazardous_waste", "lat": "21.0123456", "long": "105.9345678",
            "email": "nguoi.to.giac@example.vn", "first_name": "Tố", "phone": "0987654321",
            "description": secret_text, "address_string": "Số 5 ngõ Chùa"}
    incident_id = validate("request_created", post(gateway, form, writer).json())[0]["service_request_id"]
    pseudonym = gateway.cluster.call_sync(STAFF, "inspections", "get_incident", incident_id=incident_id)["reporter"]
    answers = [gateway.http.get(f"{BASE}/requests/{incident_id}.json"),
               gateway.http.get(f"{BASE}/requests.json"),
               gateway.http.get(f"{BASE}/requests.json", params={"service_request_id": incident_id}),
               gateway.http.get(f"{BASE}/requests.json", params={"service_code": "hazardous_waste", "status": "open"}),
               gateway.http.get(f"{BASE}/requests.json", headers=writer)]
    for r in answers:
        assert r.status_code == 200
        validate("requests", r.json())
        text = r.text + json.dumps(r.json(), ensure_ascii=False)
        for personal in (secret_text, "axit", "nguoi.to.giac", "0987654321", "Số 5 ngõ Chùa", pseudonym, "o311-",
                         "21.0123", "105.9345"):
            assert personal not in text, personal
    [mine] = [x for x in answers[1].json() if x["service_request_id"] == incident_id]
    assert (mine["lat"], mine["long"]) == (21.01, 105.93)
    assert set(mine) <= set(SCHEMA["$defs"]["request"]["properties"])


# -- the mappings, pure ---------------------------------------------------------------------------------------
def test_every_incident_state_maps_to_open_or_closed_with_notes():
    for state in IncidentState.__args__:
        assert o311.status_of(state) in ("open", "closed")
        assert " / " in o311.status_notes({"state": state})
    assert o311.status_of("resolved") == "closed" and o311.status_of("reopened") == "open"
    assert o311.OPEN_STATES | o311.CLOSED_STATES == set(IncidentState.__args__)
    for code in Category.__args__:
        assert o311.category_for(o311.service_code_for(code)) == code


def test_the_mapping_is_a_whitelist():
    full = {"id": str(UUID(int=5)), "ticket": "PA-00000000", "version": 3, "category": "dust", "state": "resolved",
            "site_id": None, "priority": "high", "reported_at": "2025-11-02T01:02:03.456+00:00",
            "triage_due": "2025-11-04T16:59:59+00:00", "resolution_due": "2025-11-17T16:59:59+00:00", "overdue": False,
            "assignment": {"unit": "Phòng TN&MT", "inspector": "Thanh tra Bình", "due": "2025-11-10"},
            "violation_found": True, "reopened": False, "location": {"lat": 21.0456789, "lon": 105.7654321},
            "photo_count": 2, "description": "mô tả riêng", "address": "địa chỉ riêng", "photos": ["a" * 64],
            "additions": [{"text": "thêm"}], "finding": "kết luận", "rejection": None, "merged_into": None,
            "violation_id": str(UUID(int=9)), "resolution_note": "ghi chú", "resolved_at": "2025-11-09T03:00:00+00:00",
            "reporter": "tg-abc"}
    out = o311.service_request(full).model_dump(mode="json")
    validate("requests", [out])
    assert out["requested_datetime"] == "2025-11-02T08:02:03+07:00"
    assert out["updated_datetime"] == "2025-11-09T10:00:00+07:00"
    assert out["expected_datetime"] == "2025-11-17T23:59:59+07:00"
    assert (out["lat"], out["long"]) == (21.05, 105.77) and out["agency_responsible"] == "Phòng TN&MT"
    assert "violation" in out["status_notes"]
    text = json.dumps(out, ensure_ascii=False)
    for private in ("mô tả", "địa chỉ", "a" * 64, "thêm", "kết luận", "ghi chú", "tg-abc", "Bình", str(UUID(int=9))):
        assert private not in text


def test_the_schemas_check_formats():
    with pytest.raises(jsonschema.ValidationError):
        validate("requests", [{"service_request_id": "1", "status": "open", "service_code": "dust",
                               "requested_datetime": "yesterday"}])
    with pytest.raises(jsonschema.ValidationError):
        validate("requests", [{"service_request_id": "1", "status": "pending", "service_code": "dust",
                               "requested_datetime": "2025-01-01T00:00:00Z"}])
    with pytest.raises(jsonschema.ValidationError):
        validate("errors", [{"code": "404"}])


def test_the_openapi_document_lists_the_open311_routes(gateway):
    paths = gateway.api.openapi()["paths"]
    assert set(paths[f"{BASE}/requests.json"]) == {"get", "post"}
    assert "application/x-www-form-urlencoded" in paths[f"{BASE}/requests.json"]["post"]["requestBody"]["content"]
    assert {f"{BASE}/services.json", f"{BASE}/services/{{service_code}}.json",
            f"{BASE}/requests/{{service_request_id}}.json"} <= set(paths)
    assert not any(p.startswith("/open311/{") for p in paths)


# -- an Open311 client library against a real server ---------------------------------------------------------
@pytest.fixture
def server(gateway):  # type: ignore[no-untyped-def]
    """The gateway's app under uvicorn on a loopback port (the services in-process, as in `gateway`)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(gateway.api, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_an_open311_client_library_reads_what_an_agency_posted(gateway, server, writer):
    import requests
    from georeport import GeoReport

    client = GeoReport(f"{server}{BASE}", jurisdiction="vn-hn", api_key=writer["X-API-Key"])
    services = validate("services", client.get_service_list())
    assert "open_burning" in [s["service_code"] for s in services]
    assert validate("service_definition", client.get_service_definition("open_burning"))["attributes"] == []

    # georeport 0.3.1 has no call to create requests: POSTed as the spec says, with the key in the form
    r = httpx.post(f"{server}{BASE}/requests.json", data={
        "api_key": writer["X-API-Key"], "jurisdiction_id": "vn-hn", "service_code": "open_burning", **HOAN_KIEM,
        "device_id": "phone-1", "description": "Đốt rơm rạ và rác nhựa ngoài đồng"}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json; charset=utf-8"
    incident_id = validate("request_created", r.json())[0]["service_request_id"]

    one = client.get_service_request(incident_id)
    validate("requests", [one])
    assert one["service_request_id"] == incident_id and one["service_code"] == "open_burning"
    assert one["status"] == "open" and (one["lat"], one["long"]) == (21.03, 105.85) and one["description"] is None
    listed = validate("requests", client.get_service_requests(service_code="open_burning", status="open"))
    assert incident_id in [x["service_request_id"] for x in listed]
    picked = client.get_service_requests(service_request_id=incident_id)
    assert [x["service_request_id"] for x in validate("requests", picked)] == [incident_id]
    today = one["requested_datetime"][:10]
    window = client.get_service_requests(start_date=f"{today}T00:00:00+07:00", end_date=f"{today}T23:59:59+07:00")
    assert incident_id in [x["service_request_id"] for x in validate("requests", window)]
    with pytest.raises(requests.HTTPError) as missing:
        client.get_service_request(str(UUID(int=3)))
    assert missing.value.response.status_code == 404
    validate("errors", missing.value.response.json())
    assert "Đốt rơm" not in json.dumps(listed, ensure_ascii=False)


def test_the_date_window():
    from datetime import datetime, timedelta, timezone

    now = datetime(2025, 6, 30, 12, tzinfo=timezone.utc)
    assert o311.date_window(None, None, now) == (now - timedelta(days=90), now)
    start, end = o311.date_window("2025-01-01T00:00:00Z", None, now)
    assert end - start == timedelta(days=90) and start.isoformat() == "2025-01-01T00:00:00+00:00"
    start, end = o311.date_window("2024-01-01", "2025-01-01", now)  # a year: its last 90 days
    assert end.isoformat().startswith("2025-01-01T23:59:59") and end - start == timedelta(days=90)
    start, end = o311.date_window("2025-03-01t00:00:00z", "2025-02-01T00:00:00+07:00", now)
    assert end < start  # empty
    assert o311.date_window("0001-01-01T00:00:00Z", None, now)[0].year == 1
    assert o311.date_window(None, "0001-01-02T00:00:00Z", now)[1].year == 1
    assert o311.date_window("9999-12-31T00:00:00Z", None, now)[1].year == 9999
    with pytest.raises(InvalidInput):
        o311.date_window("31/12/2025", None, now)
