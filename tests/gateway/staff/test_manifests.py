"""Page 4, manifests, through the gateway in-process over the in-process cluster: the list with its
filters, total and pager; the flagged lists; a manifest with its lines, signatures and the
discrepancy form (PRG, one act per command id, errors next to the field in Vietnamese, nothing
changed on a refusal); stock held over a year and the mass balance with its anomaly flag; a
commune officer's scope (no row, 403, nothing changed); the JSON twins and their CSRF header."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest

from shared.kit.actor import SYSTEM
from tests.bot.manifest_fixtures import register_parties

YEAR = datetime.now(timezone.utc).year


@pytest.fixture(scope="module")
def story(cluster):
    """A generator at Bát Tràng with a manifest received 20 % over its declared weight (an open
    discrepancy), one still in transit, and stock declared two years ago."""
    p = register_parties(cluster)
    off = p.file(f"CT-OFF-{p.sfx}", 1000)
    p.manifests("transporter", "sign_pickup", manifest_id=off)
    p.manifests("facility", "receive", manifest_id=off, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 1200}])
    moving = p.file(f"CT-MOV-{p.sfx}", 50)
    p.manifests("transporter", "sign_pickup", manifest_id=moving)
    p.manifests("generator", "declare_stock", generator_id=p.ids["generator"], year=YEAR, code="16 01 06",
                quantity_kg=300, stored_since=f"{YEAR - 2}-06-01")
    site = cluster.call_sync(SYSTEM, "sites", "get_site", site_id=p.site_id)
    p.off, p.moving, p.site = off, moving, site
    return p


def discrepancy_state(story):
    return story.manifests("generator", "get_manifest", manifest_id=story.off)["discrepancy"]["state"]


def test_the_list_filters_pages_and_flags(staff_gateway, story):
    agency = staff_gateway.member("agency")
    page = agency.get(f"/staff/manifests?generator_id={story.ids['generator']}")
    assert page.status_code == 200 and "Chứng từ chất thải nguy hại" in page.text
    assert f"CT-OFF-{story.sfx}" in page.text and f"CT-MOV-{story.sfx}" in page.text
    assert "2 chứng từ" in page.text and story.names["generator"] in page.text
    english = agency.get(f"/staff/manifests?generator_id={story.ids['generator']}&lang=en")
    assert "Hazardous-waste manifests" in english.text and "2 manifests" in english.text
    assert "Chứng từ chất thải nguy hại" in agency.get("/staff/manifests?lang=vi").text  # the switch back
    assert 'href="/staff/static/oversight.css"' in page.text
    assert ".tabs" in agency.get("/staff/static/oversight.css").text
    moving = agency.get(f"/staff/manifests?generator_id={story.ids['generator']}&state=in_transit")
    assert f"CT-MOV-{story.sfx}" in moving.text and f"CT-OFF-{story.sfx}" not in moving.text
    flagged = agency.get("/staff/manifests?flag=discrepancy_open")
    assert f"CT-OFF-{story.sfx}" in flagged.text and f"CT-MOV-{story.sfx}" not in flagged.text
    assert re.search(r'id="tab-discrepancy_open"[^>]*aria-current="page"', flagged.text)
    paged = agency.get(f"/staff/manifests?generator_id={story.ids['generator']}&limit=1")
    assert 'rel="next"' in paged.text and "offset=1" in paged.text
    bad = agency.get("/staff/manifests?state=lost&code=abc")
    assert bad.status_code == 400 and "Hãy chọn một giá trị trong danh sách." in bad.text
    assert "Định dạng không đúng." in bad.text  # the waste code, next to its field
    huge = agency.get("/staff/manifests?code=" + "9" * 50_000 + "&commune=" + ",".join(["x"] * 60))
    assert huge.status_code == 400 and 'value="' + "9" * 201 not in huge.text  # refused, the field not echoed whole
    assert "Độ dài không hợp lệ." in huge.text  # 60 communes: more than a list may ask


def test_a_manifest_shows_its_lines_signatures_and_takes_a_decision_once(staff_gateway, story):
    agency = staff_gateway.member("agency")
    page = agency.get(f"/staff/manifests/{story.off}")
    assert page.status_code == 200
    assert "Cân thực tế (kg)" in page.text and "1200.0" in page.text and "Chủ vận chuyển 1" in page.text
    assert 'id="discrepancy-form"' in page.text and "lệch 20 %" in page.text
    assert "Cân bằng khối lượng theo chủ nguồn thải" in page.text
    refused = agency.form(f"/staff/manifests/{story.off}/discrepancy", {"outcome": "", "note": "Cân lại"})
    assert refused.status_code == 400 and 'aria-invalid="true" aria-describedby="err-outcome"' in refused.text
    assert discrepancy_state(story) == "open"  # nothing changed
    assert agency.form(f"/staff/manifests/{story.off}/discrepancy", {"outcome": "agreed"}, csrf=False).status_code == 403
    command = str(uuid.uuid4())
    first = agency.form(f"/staff/manifests/{story.off}/discrepancy", {"outcome": "agreed", "note": "Sở quyết định"},
                        command_id=command)
    assert first.status_code == 303 and first.headers["location"] == f"/staff/manifests/{story.off}"
    again = agency.form(f"/staff/manifests/{story.off}/discrepancy", {"outcome": "agreed", "note": "Sở quyết định"},
                        command_id=command)  # a double submit: the same command id
    assert again.status_code == 303
    doc = story.manifests("generator", "get_manifest", manifest_id=story.off)
    assert doc["discrepancy"]["state"] == "agreed" and doc["discrepancy"]["note"] == "Sở quyết định"
    late = agency.form(f"/staff/manifests/{story.off}/discrepancy", {"outcome": "escalated", "note": "muộn"})
    assert late.status_code == 400 and "không có sai lệch nào đang chờ xử lý" in late.text
    assert agency.get(f"/staff/manifests/{uuid.uuid4()}").status_code == 404


def test_stock_held_over_a_year_and_the_mass_balance(staff_gateway, story):
    agency = staff_gateway.member("inspector")
    stock = agency.get("/staff/manifests/stock")
    assert stock.status_code == 200 and story.names["generator"] in stock.text and f"{YEAR - 2}-06-01" in stock.text
    balance = agency.get(f"/staff/manifests/balance?year={YEAR}&anomaly_only=true")
    assert balance.status_code == 200 and story.names["generator"] in balance.text
    assert "có lô lưu giữ quá một năm" in balance.text


def test_a_commune_officer_sees_and_acts_only_in_their_communes(staff_gateway, story):
    district = story.site["old_district"]
    mine = staff_gateway.member("agency", communes=[district])
    other = staff_gateway.member("agency", communes=["soc-son"])
    gen = story.ids["generator"]
    assert f"CT-OFF-{story.sfx}" in mine.get(f"/staff/manifests?generator_id={gen}").text
    assert mine.get(f"/staff/manifests/{story.moving}").status_code == 200
    listed = other.get(f"/staff/manifests?generator_id={gen}")
    assert listed.status_code == 200 and f"CT-OFF-{story.sfx}" not in listed.text and "0 chứng từ" in listed.text
    assert f"/staff/manifests/{story.off}" not in other.get("/staff/manifests?flag=in_transit_too_long").text
    assert other.get(f"/staff/manifests/{story.moving}").status_code == 403
    assert other.api("GET", f"/v1/staff/manifests/{story.moving}").status_code == 403
    before = story.manifests("generator", "get_manifest", manifest_id=story.moving)["version"]
    refused = other.form(f"/staff/manifests/{story.moving}/discrepancy", {"outcome": "escalated", "note": "x"})
    assert refused.status_code == 403
    assert story.manifests("generator", "get_manifest", manifest_id=story.moving)["version"] == before
    # asking for another commune does not widen the scope
    assert other.api("GET", f"/v1/staff/manifests?generator_id={gen}&commune={district}").json()["total"] == 0


def test_the_json_twins(staff_gateway, story):
    agency = staff_gateway.member("agency")
    gen = story.ids["generator"]
    listed = agency.api("GET", f"/v1/staff/manifests?generator_id={gen}").json()
    assert listed["total"] == 2 and {m["number"] for m in listed["items"]} == {f"CT-OFF-{story.sfx}", f"CT-MOV-{story.sfx}"}
    assert agency.api("GET", "/v1/staff/manifests?flag=nope").status_code == 400
    flags = agency.api("GET", "/v1/staff/manifests/flags").json()
    assert set(flags) == {"discrepancy_open", "copy4_overdue", "in_transit_too_long", "stock_held_too_long"}
    assert agency.api("GET", "/v1/staff/manifests/stock").json()["total"] >= 1
    balance = agency.api("GET", f"/v1/staff/manifests/balance?year={YEAR}&generator_id={gen}").json()["items"][0]
    assert balance["handed_over_kg"] == 1050 and balance["anomaly"] is True
    detail = agency.api("GET", f"/v1/staff/manifests/{story.moving}").json()
    assert detail["manifest"]["state"] == "in_transit" and detail["site"]["id"] == story.site_id
    body = {"command_id": str(uuid.uuid4()), "outcome": "escalated", "note": "Chuyển thanh tra"}
    assert agency.api("POST", f"/v1/staff/manifests/{story.moving}/discrepancy", body, csrf=False).status_code == 403
    refused = agency.api("POST", f"/v1/staff/manifests/{story.moving}/discrepancy", body)
    assert refused.status_code == 409 and refused.json()["rule"] == "discrepancy"  # it has none
    assert staff_gateway.client().get("/v1/staff/manifests").status_code == 401
    paths = staff_gateway.http.get("/openapi.json").json()["paths"]
    assert {"/v1/staff/manifests", "/v1/staff/manifests/{manifest_id}", "/v1/staff/manifests/balance",
            "/v1/staff/manifests/{manifest_id}/discrepancy"} <= set(paths)
