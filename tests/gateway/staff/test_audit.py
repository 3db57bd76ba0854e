"""The audit page (/staff/audit) and /v1/staff/audit: who did what and when, by person and by record,
merged across the four services and (for admins) the staff accounts, paged exactly; agency and
admins only, city-wide; a resident's pseudonym shown to admins only."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.kit.actor import Actor, Role

RESIDENT = Actor("tg:audit-resident", Role.RESIDENT)


def as_member(staff_gateway, client, role: str = "agency") -> Actor:
    return Actor(f"staff:{client.email}", Role(role))


def report(staff_gateway) -> str:
    return staff_gateway.cluster.call_sync(RESIDENT, "inspections", "report_incident", category="wastewater",
                                           description="Nước thải đen ngòm", location={"lat": 21.0123, "lon": 105.9234},
                                           command_id=str(uuid.uuid4()))["id"]


def act(staff_gateway, actor: Actor, service: str, rpc: str, **kw):  # type: ignore[no-untyped-def]
    return staff_gateway.cluster.call_sync(actor, service, rpc, **kw)


@pytest.fixture
def story(staff_gateway):
    """An agency member registers a site, triages a resident's report and issues a quarterly report."""
    agency = staff_gateway.member("agency")
    me = as_member(staff_gateway, agency)
    site = act(staff_gateway, me, "sites", "register_site", kind="craft_village", name="Làng Nhật Ký",
               old_district="gia-lam")["id"]
    incident = report(staff_gateway)
    act(staff_gateway, me, "inspections", "triage_incident", incident_id=incident, category="wastewater",
        priority="high")
    issued = act(staff_gateway, me, "indicators", "issue_report", period="2025Q4")["id"]
    return {"agency": agency, "site": site, "incident": incident, "report": issued}


def test_a_person_s_trail_spans_the_services_newest_first_with_links_to_each_record(staff_gateway, story):
    agency = story["agency"]
    page = agency.get(f"/staff/audit?actor={agency.email}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert text.index("<code>Issued</code>") < text.index("<code>Triaged</code>") \
        < text.index("<code>Registered</code>")  # newest first
    assert f'href="/staff/inbox/{story["incident"]}"' in text
    assert f'href="/staff/registry/sites/{story["site"]}"' in text
    assert "Nhật ký: ai làm gì, khi nào" in text and "Phản ánh" in text  # Vietnamese first
    rows = agency.get(f"/v1/staff/audit?actor={agency.email}").json()["rows"]
    assert [(r["service"], r["event"]) for r in rows] == [
        ("indicators", "Issued"), ("inspections", "Triaged"), ("sites", "Registered")]
    assert {r["actor_id"] for r in rows} == {f"staff:{agency.email}"}
    assert rows[0]["href"] is None and rows[1]["href"] == f"/staff/inbox/{story['incident']}"
    assert [r["recorded_at"] for r in rows] == sorted((r["recorded_at"] for r in rows), reverse=True)


def test_paging_walks_the_merged_logs_once_each(staff_gateway, story):
    agency = story["agency"]
    seen, before = [], None
    for _ in range(5):
        answer = agency.get(f"/v1/staff/audit?actor={agency.email}&limit=1" + (f"&before={before}" if before else ""))
        assert answer.status_code == 200, answer.text
        seen += [(r["service"], r["sequence"]) for r in answer.json()["rows"]]
        before = answer.json()["next"]
        if before is None:
            break
    assert len(seen) == len(set(seen)) == 3 and [s for s, _ in seen] == ["indicators", "inspections", "sites"]
    first = agency.get(f"/staff/audit?actor={agency.email}&limit=2")
    assert 'id="audit-next"' in first.text
    href = re.search(r'href="([^"]+)" id="audit-next"', first.text).group(1).replace("&amp;", "&")
    older = agency.get("/staff/audit" + href)
    assert older.status_code == 200 and "Registered" in older.text and "Triaged" not in older.text
    assert 'id="audit-next"' not in older.text


def test_until_a_local_day(staff_gateway, story):
    agency = story["agency"]
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert len(agency.get(f"/v1/staff/audit?actor={agency.email}&until={today}").json()["rows"]) == 3
    assert agency.get(f"/v1/staff/audit?actor={agency.email}&until={today - timedelta(days=1)}").json() == {
        "rows": [], "next": None}
    page = agency.get(f"/staff/audit?actor={agency.email}&until={today - timedelta(days=1)}")
    assert page.status_code == 200 and 'id="audit-empty"' in page.text
    assert agency.get(f"/staff/audit?actor={agency.email}&until=hôm-qua").status_code == 400


def test_a_record_s_trail_hides_the_resident_from_all_but_admins(staff_gateway, story):
    agency, incident = story["agency"], story["incident"]
    rows = agency.get(f"/v1/staff/audit?record={incident}").json()["rows"]
    assert [(r["event"], r["actor_role"], r["actor_id"]) for r in rows] == [
        ("Triaged", "agency", f"staff:{agency.email}"), ("Reported", "resident", None)]
    page = agency.get(f"/staff/audit?record={incident}").text
    assert RESIDENT.id not in page and "(ẩn danh)" in page and "Nước thải" not in page
    assert agency.get(f"/v1/staff/audit?actor={RESIDENT.id}").json() == {"rows": [], "next": None}
    admin = staff_gateway.member("admin")
    assert admin.get(f"/v1/staff/audit?record={incident}").json()["rows"][-1]["actor_id"] == RESIDENT.id
    assert admin.get(f"/v1/staff/audit?actor={RESIDENT.id}").json()["rows"][0]["aggregate_id"] == incident


def test_admins_see_the_staff_accounts_own_events(staff_gateway):
    admin = staff_gateway.member("admin")
    target = staff_gateway.member("agency")
    account = staff_gateway.staff.account(target.email).id
    assert staff_gateway.login(staff_gateway.client(), target.email, "sai mật khẩu rồi nhé").status_code != 303
    staff_gateway.staff.disable({"id": f"staff:{admin.email}", "role": "admin"}, target.email)
    rows = admin.get(f"/v1/staff/audit?record={account}").json()["rows"]
    assert [(r["event"], r["actor_id"]) for r in rows] == [
        ("Disabled", f"staff:{admin.email}"), ("LoginFailed", None), ("LoggedIn", f"staff:{target.email}"),
        ("PasswordSet", f"staff:{target.email}"), ("PasswordLinkIssued", "cli:staff"), ("Created", "cli:staff")]
    assert {r["service"] for r in rows} == {"staff"} and rows[0]["aggregate_kind"] == "staff_account"
    by_admin = admin.get(f"/v1/staff/audit?actor={admin.email}").json()["rows"]
    assert by_admin[0]["event"] == "Disabled"
    other = staff_gateway.member("agency")
    assert other.get(f"/v1/staff/audit?record={account}").json() == {"rows": [], "next": None}
    refused = other.get("/v1/staff/audit?actor=cli:staff&before=staff:5")
    assert refused.status_code == 400 and refused.json()["field"] == "before"


def test_admins_see_who_issued_and_revoked_api_keys(staff_gateway):
    issued = staff_gateway.app.issue_key(None, None, "so-tnmt", ["events:read"])  # `langxanh gateway key`
    staff_gateway.app.revoke_key(None, None, issued["key_id"])
    admin = staff_gateway.member("admin")
    rows = admin.get(f"/v1/staff/audit?record={issued['key_id']}").json()["rows"]
    assert [(r["service"], r["aggregate_kind"], r["event"], r["actor_id"]) for r in rows] == [
        ("gateway", "api_key", "Revoked", "cli:operator"), ("gateway", "api_key", "Issued", "cli:operator")]
    assert "Khoá API" in admin.get(f"/staff/audit?record={issued['key_id']}").text
    assert staff_gateway.member("agency").get(f"/v1/staff/audit?record={issued['key_id']}").json()["rows"] == []


@pytest.mark.parametrize("who", ["inspector", "commune officer"])
def test_inspectors_and_commune_officers_are_refused(staff_gateway, who):
    member = staff_gateway.member("inspector") if who == "inspector" else \
        staff_gateway.member("agency", communes=["xa-phu-thi"])
    page = member.get(f"/staff/audit?actor={member.email}")
    assert page.status_code == 403 and "Không được phép" in page.text
    assert member.get(f"/v1/staff/audit?actor={member.email}").status_code == 403
    assert member.get("/staff/audit").status_code == 403


def test_without_a_session_and_with_bad_input(staff_gateway):
    anonymous = staff_gateway.client()
    assert anonymous.get("/staff/audit?actor=x", follow_redirects=False).status_code == 303
    assert anonymous.get("/v1/staff/audit?actor=x").status_code == 401
    agency = staff_gateway.member("agency")
    empty = agency.get("/staff/audit")
    assert empty.status_code == 200 and 'id="audit-rows"' not in empty.text and 'name="actor"' in empty.text
    bad = agency.get("/staff/audit?record=not-a-record")
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text and 'id="err-record"' in bad.text
    assert 'id="err-actor"' in agency.get("/staff/audit?actor=kh%C3%B4ng@").text
    for query, field in (("record=0000", "record"), ("actor=x&limit=500", "limit"), ("actor=x&before=nope", "before"),
                         ("", "actor"), ("actor=" + "x" * 301, "actor"), ("actor=a@b", "actor")):
        answer = agency.get(f"/v1/staff/audit?{query}")
        assert answer.status_code == 400 and answer.json()["field"] == field, (query, answer.text)


def test_the_json_twin_is_in_the_openapi_document(staff_gateway):
    doc = staff_gateway.http.get("/openapi.json").json()
    op = doc["paths"]["/v1/staff/audit"]["get"]
    assert op["tags"] == ["staff"] and {p["name"] for p in op["parameters"]} >= {"actor", "record", "before", "limit"}
    assert "/staff/audit" not in doc["paths"]
