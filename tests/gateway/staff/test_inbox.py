"""Page 1, the inbox: the list and its filters, a report and its actions as forms and JSON, the
scope of a commune officer and of an inspector, photos only to staff and never cached."""
from __future__ import annotations

import io
import re
import uuid

import pytest
from PIL import Image

from shared.kit.actor import SYSTEM, Actor

RESIDENT = Actor("tg:inbox-resident", "resident")


def png(color=(30, 160, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def places(cluster):
    sites = cluster.client(SYSTEM).sites.list_sites(limit=200)["sites"]
    bat_trang = next(s for s in sites if s["commune"] == "xa-bat-trang")
    dong_anh = next(s for s in sites if s["old_district"] == "dong-anh" and not s["commune"])
    return {"bat_trang": bat_trang, "dong_anh": dong_anh}


def report(cluster, site=None, category="dust", photo=False, location=None):  # type: ignore[no-untyped-def]
    resident = cluster.client(RESIDENT).inspections
    photos = [resident.store_photo(data_b64=__import__("base64").b64encode(png()).decode())["photo"]] if photo else []
    where = {"site_id": site["id"]} if site else {"location": {"lat": 21.0123, "lon": 105.9123}}
    if location:
        where["location"] = location
    return resident.report_incident(category=category, description="Khói bụi từ lò nung cả buổi sáng",
                                    photos=photos, command_id=str(uuid.uuid4()), **where)["id"]


def state(cluster, incident_id):  # type: ignore[no-untyped-def]
    return cluster.client(SYSTEM).inspections.get_incident(incident_id=incident_id)["state"]


def events(cluster, incident_id):  # type: ignore[no-untyped-def]
    staff = Actor("staff:check@hanoi.gov.vn", "agency")
    return [e["event"] for e in cluster.client(staff).inspections.incident_history(incident_id=incident_id)]


def test_the_list_filters_by_category_commune_site_state_and_overdue(staff_gateway, cluster, places):
    a = report(cluster, places["bat_trang"])
    b = report(cluster, places["dong_anh"], category="noise")
    c = report(cluster)
    agency = staff_gateway.member("agency")
    page = agency.get("/staff/inbox")
    assert page.status_code == 200 and all(f'id="row-{i}"' in page.text for i in (a, b, c))
    assert page.headers["cache-control"] == "no-store" and "script-src 'self'" in page.headers["content-security-policy"]
    assert 'id="inbox-map"' in page.text and 'id="inbox-points"' in page.text and "<script>" not in page.text
    noise = agency.get("/staff/inbox?category=noise").text
    assert f'row-{b}' in noise and f'row-{a}' not in noise
    bat = agency.get("/staff/inbox?commune=xa-bat-trang").text
    assert f'row-{a}' in bat and f'row-{b}' not in bat and f'row-{c}' not in bat
    old = agency.get("/staff/inbox?commune=dong-anh").text  # an old district's code
    assert f'row-{b}' in old and f'row-{a}' not in old
    site = agency.get(f"/staff/inbox?site_id={places['bat_trang']['id']}").text
    assert f'row-{a}' in site and f'row-{b}' not in site
    assert f'row-{a}' not in agency.get("/staff/inbox?state=triaged").text
    assert f'row-{a}' not in agency.get("/staff/inbox?overdue=1").text  # due in two working days
    assert agency.get("/staff/inbox?state=nonsense").status_code == 400
    bad_site = agency.get("/staff/inbox?site_id=not-a-site")
    assert bad_site.status_code == 400 and re.search(r'<input id="f-site_id"[^>]*value="not-a-site"[^>]*aria-invalid', bad_site.text)
    english = agency.get("/staff/inbox?lang=en").text
    assert "Inbox of reports" in english and "Hộp thư phản ánh" in agency.get("/staff/inbox?lang=vi").text
    twin = agency.api("GET", "/v1/staff/inbox?category=noise&limit=200").json()
    assert b in [r["id"] for r in twin["rows"]] and "reporter" not in str(twin) and RESIDENT.id not in str(twin)
    assert twin["rows"][0]["clock"]["deadline"] == "triage"


def test_a_commune_officer_sees_and_acts_only_in_their_communes(staff_gateway, cluster, places):
    mine, theirs = report(cluster, places["bat_trang"]), report(cluster, places["dong_anh"])
    unsited = report(cluster)
    officer = staff_gateway.member("agency", communes=("xa-bat-trang",))
    listed = officer.get("/staff/inbox").text
    assert f"row-{mine}" in listed and f"row-{theirs}" not in listed and f"row-{unsited}" not in listed
    assert f"/staff/inbox/{theirs}" not in listed
    assert officer.get(f"/staff/inbox/{mine}").status_code == 200
    assert officer.get(f"/staff/inbox/{theirs}").status_code == 403
    assert officer.get(f"/staff/inbox/{unsited}").status_code == 403
    assert officer.get("/staff/inbox?commune=dong-anh").status_code == 403
    refused = officer.form(f"/staff/inbox/{theirs}/triage", {"category": "dust", "priority": "high"})
    assert refused.status_code == 403
    json_refused = officer.api("POST", f"/v1/staff/inbox/{theirs}/triage",
                               {"command_id": str(uuid.uuid4()), "category": "dust", "priority": "high"})
    assert json_refused.status_code == 403, json_refused.text
    assert officer.api("GET", f"/v1/staff/inbox/{theirs}").status_code == 403
    assert state(cluster, theirs) == "reported" and events(cluster, theirs) == ["Reported"]  # nothing changed
    moved = officer.form(f"/staff/inbox/{mine}/triage", {"category": "dust", "priority": "high",
                                                         "site_id": places["dong_anh"]["id"]})
    assert moved.status_code == 403 and 'aria-invalid="true"' in moved.text and state(cluster, mine) == "reported"


def test_a_report_is_triaged_assigned_verified_and_resolved_and_a_double_submit_acts_once(staff_gateway, cluster, places):
    iid = report(cluster, places["bat_trang"], photo=True)
    agency = staff_gateway.member("agency")
    page = agency.get(f"/staff/inbox/{iid}")
    assert 'id="triage-form"' in page.text and 'id="reject-form"' in page.text
    photo_url = re.search(rf'src="(/staff/inbox/{iid}/photos/[0-9a-f]{{64}})"', page.text).group(1)
    once = str(uuid.uuid4())
    for _ in range(2):  # a double click: the same command id twice
        sent = agency.form(f"/staff/inbox/{iid}/triage", {"category": "smoke_odour", "priority": "high"}, command_id=once)
        assert sent.status_code == 303 and sent.headers["location"] == f"/staff/inbox/{iid}?done=triage"
    assert events(cluster, iid) == ["Reported", "Triaged"]
    inspector = staff_gateway.member("inspector", unit="Đội 2")
    other = staff_gateway.member("inspector", unit="Đội 9")
    assert agency.form(f"/staff/inbox/{iid}/assign", {"unit": "Đội 2", "inspector": inspector.email}).status_code == 303
    refused = other.form(f"/staff/inbox/{iid}/verify", {"finding": "Không phải việc của tôi"})
    assert refused.status_code == 403 and "Chỉ thanh tra viên hoặc đơn vị được giao" in refused.text
    assert state(cluster, iid) == "assigned"
    junk = inspector.form(f"/staff/inbox/{iid}/verify", {"finding": "Ảnh hỏng"},
                          files={"photo": ("hong.png", b"not an image at all", "image/png")})
    assert junk.status_code == 400 and re.search(r'<input id="verify-photo"[^>]*aria-invalid="true"', junk.text)
    assert state(cluster, iid) == "assigned"
    done = inspector.form(f"/staff/inbox/{iid}/verify", {"finding": "Lò nung xả khói đen"},
                          files={"photo": ("hien-truong.png", png((200, 10, 10)), "image/png")})
    assert done.status_code == 303 and state(cluster, iid) == "verified"
    shown = inspector.get(f"/staff/inbox/{iid}").text
    assert "Lò nung xả khói đen" in shown and len(re.findall(rf"/staff/inbox/{iid}/photos/[0-9a-f]{{64}}", shown)) >= 2
    resolved = inspector.api("POST", f"/v1/staff/inbox/{iid}/resolve",
                             {"command_id": str(uuid.uuid4()), "note": "Đã yêu cầu cơ sở lắp lọc khói"})
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert cluster.client(RESIDENT).inspections.get_incident(incident_id=iid)["resolution_note"] == \
        "Đã yêu cầu cơ sở lắp lọc khói"  # the reporter reads the note
    got = agency.get(photo_url)
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert got.headers["cache-control"] == "private, no-store" and got.content.startswith(b"\x89PNG")
    assert 'id="close-form"' in agency.get(f"/staff/inbox/{iid}").text
    closed = agency.form(f"/staff/inbox/{iid}/close", {"reason": "Cơ sở đã khắc phục", "reason_code": "resolved"})
    assert closed.status_code == 303 and state(cluster, iid) == "closed"
    assert events(cluster, iid) == ["Reported", "Triaged", "Assigned", "Verified", "Resolved", "Closed"]


def test_a_duplicate_is_merged_from_the_suggestions(staff_gateway, cluster, places):
    first = report(cluster, places["dong_anh"], category="open_burning")
    second = report(cluster, places["dong_anh"], category="open_burning")
    agency = staff_gateway.member("agency")
    page = agency.get(f"/staff/inbox/{second}").text
    assert f'id="merge-{first}"' in page
    merged = agency.form(f"/staff/inbox/{second}/merge", {"into": first})
    assert merged.status_code == 303 and state(cluster, second) == "merged" and state(cluster, first) == "reported"
    assert f"/staff/inbox/{first}" in agency.get(f"/staff/inbox/{second}").text  # "merged into" links it
    spot = {"lat": 21.00011, "lon": 105.93011}  # the same spot, reported at sites of two communes
    across = report(cluster, places["dong_anh"], category="noise", location=spot)
    near = report(cluster, places["bat_trang"], category="noise", location=spot)
    assert f'id="merge-{across}"' in agency.get(f"/staff/inbox/{near}").text  # city-wide: suggested
    officer = staff_gateway.member("agency", communes=("xa-bat-trang",))
    assert f"/staff/inbox/{across}" not in officer.get(f"/staff/inbox/{near}").text  # not linked outside scope
    assert officer.form(f"/staff/inbox/{near}/merge", {"into": across}).status_code == 403  # the target's commune
    assert state(cluster, near) == "reported"


def test_photos_are_refused_without_a_session_and_outside_the_scope(staff_gateway, cluster, places):
    iid = report(cluster, places["dong_anh"], photo=True)
    agency = staff_gateway.member("agency")
    url = re.search(rf'src="(/staff/inbox/{iid}/photos/[0-9a-f]{{64}})"', agency.get(f"/staff/inbox/{iid}").text).group(1)
    anonymous = staff_gateway.client()
    page = anonymous.get(url, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/staff/login") and b"PNG" not in page.content
    twin = anonymous.get("/v1" + url, follow_redirects=False)
    assert twin.status_code in (401, 403) and b"PNG" not in twin.content
    officer = staff_gateway.member("agency", communes=("xa-bat-trang",))
    assert officer.get(url).status_code == 403
    assert agency.get(f"/staff/inbox/{iid}/photos/{'0' * 64}").status_code == 404  # not this report's


def test_an_error_is_shown_next_to_its_field_in_vietnamese_and_nothing_changes(staff_gateway, cluster, places):
    iid = report(cluster, places["bat_trang"])
    agency = staff_gateway.member("agency")
    bad = agency.form(f"/staff/inbox/{iid}/triage", {"category": "dust", "priority": "gấp lắm"})
    assert bad.status_code == 400
    field = re.search(r'<select id="triage-priority"[^>]*>', bad.text).group(0)
    assert 'aria-invalid="true"' in field and "Hãy chọn một giá trị trong danh sách." in bad.text
    empty = agency.form(f"/staff/inbox/{iid}/reject", {"reason": "", "reason_code": "duplicate"})
    assert empty.status_code == 400 and 'id="reject-reason"' in empty.text
    assert re.search(r'<input id="reject-reason"[^>]*aria-invalid="true"', empty.text)
    assert "Trường này là bắt buộc." in empty.text
    wrong = agency.form(f"/staff/inbox/{iid}/assign", {"unit": "Đội 1"})  # not triaged yet
    assert wrong.status_code == 400 and "không có gì thay đổi" in wrong.text
    assert state(cluster, iid) == "reported" and events(cluster, iid) == ["Reported"]
    csrfless = agency.form(f"/staff/inbox/{iid}/reject", {"reason": "trùng"}, csrf=False)
    assert csrfless.status_code == 403 and state(cluster, iid) == "reported"


def test_the_report_page_shows_the_reopen_history_and_the_json_twin_is_documented(staff_gateway, cluster, places):
    iid = report(cluster, places["bat_trang"])
    inspector = staff_gateway.member("inspector", unit="Đội 3")
    no_token = inspector.api("POST", f"/v1/staff/inbox/{iid}/triage",
                             {"command_id": str(uuid.uuid4()), "category": "dust", "priority": "normal"}, csrf=False)
    assert no_token.status_code == 403 and state(cluster, iid) == "reported"
    for action, body in (("triage", {"category": "dust", "priority": "normal"}), ("assign", {"unit": "Đội 3"}),
                         ("verify", {"finding": "Có bụi"}), ("resolve", {"note": "Đã xử lý"})):
        answer = inspector.api("POST", f"/v1/staff/inbox/{iid}/{action}", {"command_id": str(uuid.uuid4()), **body})
        assert answer.status_code == 200, (action, answer.text)
    resident = cluster.client(RESIDENT).inspections
    photo = resident.store_photo(data_b64=__import__("base64").b64encode(png((1, 2, 3))).decode())["photo"]
    resident.reopen_incident(incident_id=iid, reason="Bụi vẫn còn", photo=photo, command_id=str(uuid.uuid4()))
    page = inspector.get(f"/staff/inbox/{iid}").text
    assert "Các lần mở lại (1)" in page and "Bụi vẫn còn" in page and 'id="assign-form"' in page
    assert RESIDENT.id not in page
    twin = inspector.api("GET", f"/v1/staff/inbox/{iid}").json()
    assert [e["data"]["reason"] for e in twin["reopenings"]] == ["Bụi vẫn còn"] and "reporter" not in twin["report"]
    paths = staff_gateway.http.get("/openapi.json").json()["paths"]
    for action in ("triage", "assign", "verify", "resolve", "reject", "close", "merge"):
        assert f"/v1/staff/inbox/{{incident_id}}/{action}" in paths
    assert "/v1/staff/inbox" in paths and "/staff/inbox" not in paths
