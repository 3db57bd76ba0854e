"""Stories of the sites Application on POPO, SQLite and PostgreSQL."""
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from services.sites.views import SitesViews
from shared.kit.actor import Actor
from shared.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kit.sql import Db

AGENCY = Actor("officer-1", "agency")
ADMIN = Actor("admin-1", "admin")
INSPECTOR = Actor("inspector-1", "inspector")
RESIDENT = Actor("resident-1", "resident")


def register(app, command_id=None, **kw):
    fields = dict(kind="craft_village", name="Bát Tràng", trade="gốm sứ", old_district="gia-lam", old_commune="Bát Tràng")
    fields.update(kw)
    return app.register_site(AGENCY, command_id, **fields)


def test_the_agency_registers_recognises_classifies_and_checks_a_village(sites):
    site = register(sites, location={"lat": 20.976543, "lon": 105.912345})
    sites.recognise_site(AGENCY, None, site["id"], "QĐ 1234/QĐ-UBND", date(2010, 5, 1), "NĐ 52/2018")
    sites.classify_site(INSPECTOR, None, site["id"], date(2024, 5, 1), "polluted", "not_polluted", "not_polluted",
                        1, "Sở NN&MT Hà Nội", "QĐ 2546/QĐ-UBND")
    sites.set_condition(AGENCY, None, site["id"], "protection_plan", "met", date(2025, 1, 10), "Luật BVMT Điều 56",
                        evidence="Phương án BVMT 2024")
    sites.set_wwtp(AGENCY, None, site["id"], "idle", 400.0, False, date(2020, 1, 1), "chưa vận hành ổn định")
    doc = sites.get_site(site["id"])
    assert doc["version"] == 5
    assert doc["location"] == {"lat": 20.98, "lon": 105.91}
    assert doc["recognition"]["decision"] == "QĐ 1234/QĐ-UBND"
    assert doc["classification"]["water"] == "polluted" and doc["classification"]["hanoi_list"] == 1
    assert doc["conditions"]["protection_plan"]["state"] == "met"
    assert doc["wwtp"] == {"status": "idle", "capacity_m3_day": 400.0, "auto_monitoring": False,
                           "since": "2020-01-01", "note": "chưa vận hành ổn định"}
    history = sites.history(AGENCY, site["id"])
    assert [h["event"] for h in history] == ["Registered", "Recognised", "Classified", "ConditionSet", "WwtpStatusSet"]
    assert history[2]["actor_role"] == "inspector" and history[2]["actor_id"] == "inspector-1"
    assert "actor_id" not in sites.history(RESIDENT, site["id"])[0]


def test_the_reform_is_an_event_so_the_site_is_right_on_either_date(sites):
    site = register(sites)
    answer = sites.record_reform(AGENCY, "reform-1", [{"site_id": site["id"], "commune": "xa-bat-trang"}])
    assert answer == {"changed": [site["id"]]}
    assert sites.get_site(site["id"], on=date(2025, 6, 30))["jurisdiction"]["old_district"] == "gia-lam"
    assert sites.get_site(site["id"], on=date(2025, 7, 1))["jurisdiction"]["commune"] == "xa-bat-trang"
    # recording the same mapping again (another command) changes nothing
    assert sites.record_reform(AGENCY, "reform-2", [{"site_id": site["id"], "commune": "xa-bat-trang"}]) == {"changed": []}
    assert sites.get_site(site["id"])["version"] == 2


def test_reform_by_old_unit_uses_the_finder(sites):
    a = register(sites, name="Bát Tràng")
    register(sites, name="Kim Lan", old_commune="Kim Lan")
    finder = lambda district, commune: [a["id"]] if (district, commune) == ("gia-lam", "Bát Tràng") else []  # noqa: E731
    answer = sites.record_reform(AGENCY, None, [{"old_district": "gia-lam", "old_commune": "Bát Tràng", "commune": "xa-bat-trang"}],
                                 site_ids_by_unit=finder)
    assert answer["changed"] == [a["id"]]


def test_a_site_as_of_an_instant_is_what_the_registry_knew_then(sites, clock):
    site = register(sites)
    first = datetime.now(timezone.utc)
    sites.set_wwtp(AGENCY, None, site["id"], "operating")
    assert sites.get_site(site["id"], as_of=first)["wwtp"] is None
    assert sites.get_site(site["id"])["wwtp"]["status"] == "operating"
    with pytest.raises(NotFound):
        sites.get_site(site["id"], as_of=first - timedelta(days=1))


def test_the_same_command_id_acts_once_and_answers_the_same(sites):
    first = register(sites, "cmd-1")
    again = register(sites, "cmd-1", name="something else")
    assert again == first
    sites.set_wwtp(AGENCY, "cmd-2", first["id"], "planned")
    assert sites.set_wwtp(AGENCY, "cmd-2", first["id"], "planned") == {"id": first["id"], "version": 2}
    assert sites.get_site(first["id"])["version"] == 2
    assert sites.log_head() == 2


def test_roles_are_checked_by_the_application(sites):
    with pytest.raises(Forbidden) as e:
        sites.register_site(RESIDENT, None, kind="craft_village", name="X", old_district="gia-lam")
    assert e.value.field == "actor.role"
    site = register(sites)
    with pytest.raises(Forbidden):
        sites.classify_site(RESIDENT, None, site["id"], date(2024, 1, 1), "severe", "severe", "severe", None, "x", "y")
    with pytest.raises(Forbidden):
        sites.issue_link_code(INSPECTOR, None, "inspector", None, 72)
    assert sites.log_head() == 1


def test_invalid_commands_change_nothing(sites, clock):
    site = register(sites)
    zone = register(sites, kind="industrial_zone", name="KCN Thăng Long", trade=None)
    head = sites.log_head()
    with pytest.raises(InvalidInput):
        sites.classify_site(AGENCY, None, zone["id"], date(2024, 1, 1), "severe", "severe", "severe", None, "x", "y")
    with pytest.raises(InvalidInput) as e:
        sites.classify_site(AGENCY, None, site["id"], date(2027, 1, 1), "severe", "severe", "severe", None, "x", "y")
    assert e.value.field == "classified_on"
    with pytest.raises(NotFound):
        sites.set_wwtp(AGENCY, None, "7d444840-9dc0-11d1-b245-5ffdce74fad2", "none")
    with pytest.raises(InvalidInput) as e:
        sites.set_wwtp(AGENCY, None, "not-a-uuid", "none")
    assert e.value.rule == "uuid"
    with pytest.raises(InvalidInput):
        sites.set_condition(AGENCY, None, site["id"], "drainage", "not_applicable", date(2025, 1, 1), "Điều 56")
    with pytest.raises(InvalidInput):
        register(sites, reference_key=None, old_district=None)
    sites.deactivate_site(AGENCY, None, site["id"], "merged into another record")
    head += 1
    with pytest.raises(Conflict):
        sites.set_wwtp(AGENCY, None, site["id"], "none")
    assert sites.log_head() == head


def test_establishments_and_link_codes(sites, clock):
    site = register(sites)
    est = sites.register_establishment(AGENCY, None, site_id=site["id"], name="Công ty Gốm Minh Long", form="enterprise",
                                       registration_code="0101234567", trades=["gốm sứ"], hw_generator=True,
                                       permit={"type": "GPMT", "number": "123/GP", "date": "2023-01-01"})
    with pytest.raises(InvalidInput) as e:
        sites.register_establishment(AGENCY, None, site_id=site["id"], name="dup", form="enterprise",
                                     registration_code="0101234567", trades=[])
    assert e.value.rule == "unique"
    with pytest.raises(InvalidInput):
        sites.issue_link_code(AGENCY, None, "transporter", est["id"], 72)  # not registered as transporter
    issued = sites.issue_link_code(AGENCY, "link-1", "business", est["id"], 72)
    assert len(issued["code"]) == 19 and issued["code"].count("-") == 3  # 4 groups of 4: 80 bits (issue 13)
    assert sites.issue_link_code(AGENCY, "link-1", "business", est["id"], 72) == issued
    redeemed = sites.redeem_link_code(RESIDENT, None, issued["code"].lower().replace("-", " "), "tg:abc")
    assert redeemed["role"] == "business" and redeemed["establishment_id"] == est["id"]
    assert sites.redeem_link_code(RESIDENT, None, issued["code"], "tg:abc") == redeemed  # a retry: the same answer
    with pytest.raises(Forbidden) as e:
        sites.redeem_link_code(RESIDENT, None, issued["code"], "tg:other")
    assert e.value.rule == "once"
    late = sites.issue_link_code(ADMIN, None, "agency", None, 1)
    clock.now += timedelta(hours=2)
    with pytest.raises(Forbidden) as e:
        sites.redeem_link_code(RESIDENT, None, late["code"], "tg:abc")
    assert e.value.rule == "expired"
    with pytest.raises(NotFound):
        sites.redeem_link_code(RESIDENT, None, "ZZZZZZZZZZ", "tg:abc")
    with pytest.raises(InvalidInput):
        sites.issue_link_code(AGENCY, None, "agency", None, 72)  # only an admin issues agency codes
    amended = sites.amend_establishment(AGENCY, None, est["id"], {"transporter": True, "licence": {"number": "L-1", "waste_codes": ["16 01 06"]}})
    assert amended["version"] == 2
    assert sites.get_establishment(est["id"])["transporter"] is True


SQL_STORES = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)  # read models live in SQL
LICENCE = {"number": "1-2-3.045.VX", "date": "2022-06-01", "waste_codes": ["16 01 06", "12 01 05"]}


def establishment(app, site_id, name, code, form="enterprise", **kw):
    return app.register_establishment(AGENCY, None, site_id=site_id, name=name, form=form, registration_code=code,
                                      trades=[], **kw)["id"]


@SQL_STORES
def test_a_manifest_filer_finds_transporters_and_facilities_by_name_or_code(sites):
    views = SitesViews(Db.of(sites), sites)
    site = register(sites)["id"]
    hoa_binh = establishment(sites, site, "Công ty Môi trường Hòa Bình", "0105550001", transporter=True, licence=LICENCE)
    both = establishment(sites, site, "Công ty Xử lý Chất thải Đông Anh", "0105550002", transporter=True,
                         treatment_facility=True, licence=LICENCE)
    facility = establishment(sites, site, "Nhà máy Xử lý Nam Sơn", "0105550003", treatment_facility=True, licence=LICENCE)
    establishment(sites, site, "Gốm Hòa Bình", "0105550004", hw_generator=True)  # a generator only
    establishment(sites, site, "Hộ Nguyễn Văn Hòa Bình", "HKD-77", form="household", transporter=True,
                  licence=LICENCE)  # households are individuals: never listed
    gone = establishment(sites, site, "Vận tải Hòa Bình Cũ", "0105550006", transporter=True, licence=LICENCE)
    est = sites.repository.get(UUID(gone))  # no command deactivates an establishment yet: the aggregate does
    est.deactivate(reason="ngừng hoạt động", actor=AGENCY.to_dict())
    sites.save(est)

    # given a query without diacritics, only active enterprises in that role are found, best first
    found = views.search_establishments("hoa binh", "transporter")
    assert [f["id"] for f in found] == [hoa_binh]
    assert found[0] == {"id": hoa_binh, "name": "Công ty Môi trường Hòa Bình", "registration_code": "0105550001",
                        "site_id": site, "transporter": True, "treatment_facility": False, "licence": LICENCE,
                        "score": found[0]["score"]}
    assert found[0]["score"] > 0
    assert views.search_establishments("HOA BINH", "treatment_facility") == []
    # by registration code, and the role decides who is listed
    assert [f["id"] for f in views.search_establishments("0105550002", "transporter")] == [both]
    assert [f["id"] for f in views.search_establishments("0105550002", "treatment_facility")] == [both]
    assert [f["id"] for f in views.search_establishments("xu ly", "treatment_facility")] == [both, facility]
    assert [f["id"] for f in views.search_establishments("nam son", "treatment_facility")] == [facility]
    # an exact name outranks a partial match; an empty query lists the role by name; limit applies
    assert views.search_establishments("nha may xu ly nam son", "treatment_facility")[0]["id"] == facility
    assert [f["id"] for f in views.search_establishments("", "transporter")] == [hoa_binh, both]
    assert len(views.search_establishments("", "treatment_facility", limit=1)) == 1
    # nothing personal or internal leaves: no households, no actor ids, no permits
    text = repr(views.search_establishments("", "transporter", limit=50))
    assert "HKD-77" not in text and "Nguyễn" not in text and AGENCY.id not in text and "permit" not in text
    with pytest.raises(InvalidInput) as e:
        views.search_establishments("hoa binh", "business")
    assert e.value.field == "role"
    # an establishment that gains the role is found after the amendment
    sites.amend_establishment(AGENCY, None, facility, {"transporter": True})
    assert [f["id"] for f in views.search_establishments("nam son", "transporter")] == [facility]
