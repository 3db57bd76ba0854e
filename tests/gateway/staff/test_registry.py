"""The registry in the staff workspace (issue 14, page 2), in-process: the gateway's pages and their
JSON twins over the four services (tests/gateway/staff/conftest.py). Stories: search and filters,
a commune officer's scope (no link, 403, nothing changed), the site page's record as of a date and
its timeline, each action's happy path and its error next to its field (nothing changed), the
Art. 56 checklist's evidence file, establishments and a link code shown once with its QR code."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from shared.kit.actor import SYSTEM
from shared.kit.calendar import local_date


def hanoi_today():  # the registry's dates are Hanoi's: a day ahead of UTC's from 17:00 UTC
    return local_date(datetime.now(timezone.utc))

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ITEMS = ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point")


@pytest.fixture
def reg(staff_gateway):
    """Two villages of this test's own: one in xã A (an officer's commune), one in xã B."""
    tag = uuid.uuid4().hex[:6]
    sites = staff_gateway.cluster.client(SYSTEM).sites
    a = sites.register_site(kind="craft_village", name=f"Làng gốm Thử Nghiệm {tag}", trade="gốm sứ",
                            old_district=f"huyen-{tag}", commune=f"xa-a-{tag}")["id"]
    b = sites.register_site(kind="craft_village", name=f"Làng dệt Thử Nghiệm {tag}", old_district=f"huyen-{tag}",
                            commune=f"xa-b-{tag}")["id"]
    return type("Reg", (), {"tag": tag, "a": a, "b": b, "sites": sites, "g": staff_gateway})


def version(reg, site_id: str) -> int:
    return reg.sites.get_site(site_id=site_id)["version"]


def form_html(html: str, form_id: str) -> str:
    """The markup of one form of a page (its fields and the errors next to them)."""
    start = html.index(f'id="{form_id}"')
    return html[start:html.index("</form>", start)]


def test_the_search_folds_diacritics_filters_and_pages(reg):
    agency = reg.g.member("agency")
    page = agency.get(f"/staff/registry?q=lang+thu+nghiem+{reg.tag}")
    assert page.status_code == 200
    assert f'id="site-{reg.a}"' in page.text and f'id="site-{reg.b}"' in page.text
    assert "2 cơ sở" in page.text
    only_a = agency.get(f"/staff/registry?q=GỐM+{reg.tag}&kind=craft_village&recognised=false")
    assert f'id="site-{reg.a}"' in only_a.text and f'id="site-{reg.b}"' not in only_a.text
    assert f'id="site-{reg.a}"' not in agency.get(f"/staff/registry?q={reg.tag}&conditions_met=true").text
    assert f'id="site-{reg.b}"' in agency.get(f"/staff/registry?commune=xa-b-{reg.tag}").text
    everything = agency.get("/staff/registry?kind=craft_village")
    assert 'rel="next"' in everything.text and "offset=50" in everything.text  # the seed's villages: pages
    bad = agency.get("/staff/registry?kind=volcano")
    assert bad.status_code == 400 and 'id="err-kind"' in bad.text
    assert 'id="err-offset"' in agency.get("/staff/registry?offset=-5").text
    data = agency.get(f"/v1/staff/registry/sites?q=thu+nghiem+{reg.tag}").json()
    assert data["total"] == 2 and {s["id"] for s in data["sites"]} == {reg.a, reg.b}


def test_a_commune_officer_sees_and_acts_only_on_their_communes(reg):
    officer = reg.g.member("agency", communes=[f"xa-a-{reg.tag}"])
    page = officer.get(f"/staff/registry?q=thu+nghiem+{reg.tag}")
    assert f'href="/staff/registry/sites/{reg.a}"' in page.text
    assert reg.b not in page.text  # no link outside the scope
    assert reg.b not in officer.get("/staff/registry?q=thu+nghiem").text
    assert officer.get(f"/staff/registry/sites/{reg.a}").status_code == 200
    assert officer.get(f"/staff/registry/sites/{reg.b}").status_code == 403
    before = version(reg, reg.b)
    refused = officer.form(f"/staff/registry/sites/{reg.b}/wwtp", {"status": "operating"})
    assert refused.status_code == 403
    refused = officer.form(f"/staff/registry/sites/{reg.b}/conditions/drainage",
                           {"state": "met", "checked_on": "2025-01-10"})
    assert refused.status_code == 403
    assert officer.api("POST", f"/v1/staff/registry/sites/{reg.b}/wwtp", {"status": "operating"}).status_code == 403
    assert officer.api("GET", f"/v1/staff/registry/sites/{reg.b}").status_code == 403
    assert version(reg, reg.b) == before  # nothing changed
    assert officer.api("GET", f"/v1/staff/registry/sites?q={reg.tag}").json()["total"] == 1
    by_district = reg.g.member("inspector", communes=[f"huyen-{reg.tag}"])  # the old district covers both
    assert by_district.get(f"/staff/registry/sites/{reg.b}").status_code == 200


def test_the_site_page_shows_its_timeline_and_the_record_as_of_a_date(reg):
    agency = reg.g.member("agency")
    assert agency.form(f"/staff/registry/sites/{reg.a}/wwtp", {"status": "planned", "note": "dự án 2027"}).status_code == 303
    page = agency.get(f"/staff/registry/sites/{reg.a}")
    assert 'id="event-2"' in page.text and f"staff:{agency.email}" in page.text  # by whom
    assert "Cập nhật trạm XLNT" in page.text and "dự án 2027" in page.text
    today = agency.get(f"/staff/registry/sites/{reg.a}?at={hanoi_today().isoformat()}")
    assert today.status_code == 200 and 'id="asof-banner"' in today.text and "phiên bản 2" in today.text
    assert 'id="form-wwtp"' not in today.text  # the past is read, not edited
    before = agency.get(f"/staff/registry/sites/{reg.a}?at={(hanoi_today() - timedelta(days=400)).isoformat()}")
    assert before.status_code == 400
    assert 'id="err-at"' in form_html(before.text, "asof-form") and "Không tìm thấy" in before.text
    as_json = agency.api("GET", f"/v1/staff/registry/sites/{reg.a}?at={hanoi_today().isoformat()}").json()
    assert as_json["site"]["as_of"]["version"] == 2 and [h["event"] for h in as_json["history"]] == \
        ["Registered", "WwtpStatusSet"]
    assert as_json["history"][1]["actor_id"] == f"staff:{agency.email}"


ACTIONS = [  # action, a valid form, what the page then shows; an invalid form and the field named
    ("amend", {"households": "420", "name": "Làng gốm Mới"}, 'id="card-households">420',
     {"households": "-3"}, "households"),
    ("recognise", {"decision": "QĐ 77/QĐ-UBND", "recognised_on": "2011-04-01", "legal_basis": "NĐ 52/2018"},
     "QĐ 77/QĐ-UBND", {"decision": "QĐ 1", "legal_basis": ""}, "legal_basis"),
    ("classify", {"classified_on": "2024-05-01", "water": "polluted", "air": "not_polluted", "soil": "not_polluted",
                  "hanoi_list": "2", "assessor": "Sở NN&MT", "legal_basis": "QĐ 2546/QĐ-UBND"}, "Ô nhiễm",
     {"classified_on": "2999-01-01", "water": "polluted", "air": "polluted", "soil": "polluted", "assessor": "Sở",
      "legal_basis": "QĐ"}, "classified_on"),
    ("wwtp", {"status": "operating", "capacity_m3_day": "350", "auto_monitoring": "true"}, "350",
     {"status": "exploded"}, "status"),
    ("reform", {"commune": "xa-moi-ha-noi"}, 'id="card-commune">xa-moi-ha-noi', {"commune": "xã mới"}, "commune"),
    ("deactivate", {"reason": "trùng bản ghi"}, "Đã ngừng theo dõi", {"reason": ""}, "reason"),
]


@pytest.mark.parametrize("action,good,shown,bad,field", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_each_action_acts_once_or_shows_its_error_next_to_its_field(reg, action, good, shown, bad, field):
    agency = reg.g.member("agency")
    before = version(reg, reg.a)
    refused = agency.form(f"/staff/registry/sites/{reg.a}/{action}", bad)
    assert refused.status_code == 400, refused.text
    errors = form_html(refused.text, f"form-{action}")
    assert f'id="err-{field}"' in errors and 'aria-invalid="true"' in errors
    assert version(reg, reg.a) == before  # nothing changed
    command = str(uuid.uuid4())
    done = agency.form(f"/staff/registry/sites/{reg.a}/{action}", good, command_id=command)
    assert done.status_code == 303 and done.headers["location"].startswith(f"/staff/registry/sites/{reg.a}?done=")
    again = agency.form(f"/staff/registry/sites/{reg.a}/{action}", good, command_id=command)  # a double submit
    assert again.status_code == 303 and version(reg, reg.a) == before + 1  # acted once
    assert shown in agency.get(f"/staff/registry/sites/{reg.a}").text


def test_the_json_twins_need_the_csrf_header_and_are_in_openapi(reg):
    agency = reg.g.member("agency")
    assert agency.api("POST", f"/v1/staff/registry/sites/{reg.a}/amend", {"changes": {"households": 9}},
                      csrf=False).status_code == 403
    done = agency.api("POST", f"/v1/staff/registry/sites/{reg.a}/amend",
                      {"command_id": "json-amend-1", "changes": {"households": 9}})
    assert done.status_code == 200 and done.json()["version"] == 2
    bad = agency.api("POST", f"/v1/staff/registry/sites/{reg.a}/classify", {"water": "lava"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_input"
    paths = reg.g.http.get("/openapi.json").json()["paths"]
    for path in ("/v1/staff/registry/sites", "/v1/staff/registry/sites/{site_id}",
                 "/v1/staff/registry/sites/{site_id}/conditions", "/v1/staff/registry/sites/{site_id}/reform",
                 "/v1/staff/registry/evidence", "/v1/staff/registry/establishments/{est_id}/link-code",
                 "/v1/staff/registry/establishments/{est_id}/licence"):
        assert path in paths, path


def test_five_conditions_with_evidence_files_make_a_village_meet_them(reg):
    inspector = reg.g.member("inspector")
    refused = inspector.form(f"/staff/registry/sites/{reg.a}/conditions/drainage",
                             {"state": "met", "checked_on": "2025-01-10"},
                             files={"evidence_file": ("bien-ban.exe", b"MZ\x90\x00not a pdf", "application/pdf")})
    assert refused.status_code == 400
    assert 'id="err-evidence_file"' in form_html(refused.text, "form-condition-drainage")
    assert "PDF, JPEG, PNG hoặc WebP" in refused.text
    wrong = inspector.form(f"/staff/registry/sites/{reg.a}/conditions/drainage",
                           {"state": "not_applicable", "checked_on": "2025-01-10"})
    assert wrong.status_code == 400 and 'id="err-state"' in form_html(wrong.text, "form-condition-drainage")
    assert version(reg, reg.a) == 1
    for item in ITEMS:
        done = inspector.form(f"/staff/registry/sites/{reg.a}/conditions/{item}",
                              {"state": "met", "checked_on": "2025-01-10", "evidence": f"Biên bản {item}"},
                              files={"evidence_file": (f"{item}.pdf", PDF, "application/pdf")})
        assert done.status_code == 303, done.text
    page = inspector.get(f"/staff/registry/sites/{reg.a}")
    assert "Đạt 5/5 điều kiện" in page.text
    link = re.search(r'href="(/staff/registry/sites/[^"]+/evidence/[0-9a-f]{64})" id="condition-drainage-file"', page.text)
    served = inspector.get(link.group(1))
    assert served.status_code == 200 and served.content == PDF and served.headers["content-type"] == "application/pdf"
    assert "no-store" in served.headers["cache-control"]
    assert inspector.get(f"/staff/registry/sites/{reg.b}/evidence/{link.group(1)[-64:]}").status_code == 404
    found = inspector.api("GET", f"/v1/staff/registry/sites?q={reg.tag}&conditions_met=true").json()
    assert [s["id"] for s in found["sites"]] == [reg.a]


def test_establishments_register_amend_licence_and_a_link_code_shown_once(reg):
    agency = reg.g.member("agency")
    refused = agency.form(f"/staff/registry/sites/{reg.a}/establishments",
                          {"name": "Công ty Gốm", "form": "enterprise", "registration_code": "0101",
                           "transporter": "on"})
    assert refused.status_code == 400 and 'id="err-licence_number"' in form_html(refused.text, "form-register")
    made = agency.form(f"/staff/registry/sites/{reg.a}/establishments",
                       {"name": "Công ty Gốm Thử Nghiệm", "form": "enterprise", "registration_code": f"0101{reg.tag}",
                        "trades": "gốm, men", "hw_generator": "on", "permit_type": "GPMT", "permit_number": "12/GPMT"})
    assert made.status_code == 303
    est_url = made.headers["location"].split("?")[0]
    page = agency.get(est_url)
    assert "Công ty Gốm Thử Nghiệm" in page.text and "12/GPMT" in page.text
    bad = agency.form(f"{est_url}/licence", {"licence_number": "XL-1", "licence_waste_codes": "16 01 06\n160107"})
    assert bad.status_code == 400 and 'id="err-licence_waste_codes"' in form_html(bad.text, "form-licence")
    assert agency.form(f"{est_url}/licence", {"licence_number": "XL-1",
                                              "licence_waste_codes": "16 01 06\n16 01 07"}).status_code == 303
    assert agency.form(f"{est_url}/amend", {"name": "Công ty Gốm Hai", "trades": "gốm", "hw_generator": "on",
                                            "transporter": "on"}).status_code == 303
    page = agency.get(est_url)
    assert "16 01 06, 16 01 07" in page.text and "Công ty Gốm Hai" in page.text and "Vận chuyển CTNH" in page.text
    issued = agency.form(f"{est_url}/link-code", {"role": "business", "ttl_hours": "48"})
    assert issued.status_code == 200
    code = re.search(r'id="link-code">([0-9A-Z-]+)<', issued.text).group(1)
    assert "<svg" in issued.text and f"https://t.me/LangXanhBot?start={code}" in issued.text
    assert "no-store" in issued.headers["cache-control"]
    assert code not in agency.get(est_url).text  # shown once
    inspector = reg.g.member("inspector")
    no = inspector.form(f"{est_url}/link-code", {"role": "business"})
    assert no.status_code == 403 and 'id="page-error"' in no.text and "Vai trò của bạn không được" in no.text
    est_id = est_url.rsplit("/", 1)[1]
    js = agency.api("POST", f"/v1/staff/registry/establishments/{est_id}/link-code", {"role": "business"}).json()
    assert js["deep_link"] == f"https://t.me/LangXanhBot?start={js['code']}" and js["qr_svg"].startswith("<svg")
    listed = agency.api("GET", f"/v1/staff/registry/establishments?q=gom+hai&site_id={reg.a}").json()
    assert [e["id"] for e in listed["establishments"]] == [est_id]
    officer = reg.g.member("agency", communes=[f"xa-b-{reg.tag}"])
    assert officer.get(est_url).status_code == 403
    assert officer.form(f"{est_url}/link-code", {"role": "business"}).status_code == 403
    assert est_id not in officer.get("/staff/registry/establishments?q=gom").text


def test_a_village_recognised_classified_and_meeting_its_five_conditions_moves_the_targets(reg):
    """The story the browser tests tell (tests/staff): the forms' commands reach the indicators."""
    today = hanoi_today()
    period, unit = f"{today.year}Q{(today.month - 1) // 3 + 1}", f"commune:xa-a-{reg.tag}"

    def figure(target: str) -> tuple[int, int]:
        fig = reg.g.cluster.call_sync(SYSTEM, "indicators", "figures", period=period, unit=unit).get(unit, {})
        return (fig[target]["numerator"], fig[target]["denominator"]) if target in fig else (0, 0)

    agency, inspector = reg.g.member("agency"), reg.g.member("inspector", communes=[f"xa-a-{reg.tag}"])
    assert agency.form(f"/staff/registry/sites/{reg.a}/recognise",
                       {"decision": "QĐ 9", "recognised_on": "2012-01-01", "legal_basis": "NĐ 52/2018"}).status_code == 303
    assert figure("villages_classified") == (0, 1) and figure("villages_meeting_conditions") == (0, 1)
    assert inspector.form(f"/staff/registry/sites/{reg.a}/classify", {
        "classified_on": today.isoformat(), "water": "polluted", "air": "not_polluted", "soil": "not_polluted",
        "assessor": "Sở NN&MT", "legal_basis": "QĐ 2546/QĐ-UBND"}).status_code == 303
    assert figure("villages_classified") == (1, 1)
    for item in ITEMS[:4]:
        assert inspector.form(f"/staff/registry/sites/{reg.a}/conditions/{item}",
                              {"state": "met", "checked_on": today.isoformat()}).status_code == 303
    assert figure("villages_meeting_conditions") == (0, 1)  # four of five: not yet
    assert inspector.form(f"/staff/registry/sites/{reg.a}/conditions/solid_waste_point",
                          {"state": "met", "checked_on": today.isoformat()}).status_code == 303
    assert figure("villages_meeting_conditions") == (1, 1)
