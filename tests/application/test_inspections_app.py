"""Stories of the inspections Application on POPO, SQLite and PostgreSQL, with a controlled
clock, a fake sites directory, the real reference tables and a real blob store."""
import io
import json
from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from PIL import Image

from services.inspections.application import InspectionsApplication, STAFF
from services.inspections.domainmodel import fine_band
from services.inspections.views import InspectionsViews
from shared import reference
from shared.contracts.inspections import PUBLIC_EVENTS
from shared.kit.actor import Actor
from shared.kit.blobs import BlobStore
from shared.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kit.public import PublicMapper
from shared.kit.store import popo_env
from services.inspections.limits import LimitTables
from tests.history import Clock
from tests.ports import inspections_ports, on_store

SITE = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
OTHER_SITE = "2b4e28ba-2fa1-11d2-883f-0016d3cca427"
HOUSEHOLD = "3b4e28ba-2fa1-11d2-883f-0016d3cca427"
FIRM = "4b4e28ba-2fa1-11d2-883f-0016d3cca427"
RESIDENT = Actor("tg:resident-a", "resident")
NEIGHBOUR = Actor("tg:resident-b", "resident")
INSPECTOR = Actor("insp-1", "inspector")
AGENCY = Actor("agency-1", "agency")
ADMIN = Actor("admin-1", "admin")
FIRM_USER = Actor("tg:firm", "business", establishment=FIRM)
HOUSEHOLD_USER = Actor("tg:hh", "business", establishment=HOUSEHOLD)
HERE = {"lat": 20.97654, "lon": 105.91234}


class FakeDirectory:
    sites = {SITE: {"id": SITE, "name": "Bát Tràng", "commune": "xa-bat-trang", "active": True},
             OTHER_SITE: {"id": OTHER_SITE, "name": "Kim Lan", "commune": "xa-bat-trang", "active": True}}
    establishments = {HOUSEHOLD: {"id": HOUSEHOLD, "site_id": SITE, "form": "household", "active": True},
                      FIRM: {"id": FIRM, "site_id": SITE, "form": "enterprise", "active": True}}

    def site(self, site_id):
        return self.sites.get(site_id)

    def establishment(self, establishment_id):
        return self.establishments.get(establishment_id)


def photo_bytes(color=(10, 200, 10)):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def clock():
    return Clock(datetime(2026, 3, 6, 3, 0, tzinfo=timezone.utc))  # a Friday, 10:00 in Hanoi


@pytest.fixture
def directory():
    """The sites directory `insp` is built with (a module overrides it to name another)."""
    return FakeDirectory()


@pytest.fixture
def insp(store, clock, tmp_path, directory):
    def ports(store=None):  # type: ignore[no-untyped-def]
        views = {"views": InspectionsViews(store.db, store)} if store is not None else {}
        return inspections_ports(directory=directory, blobs=BlobStore(tmp_path / "blobs"),
                                 limits=reference.limit_tables(), sanctions=reference.load("sanctions_decree45.json"),
                                 holidays=["2026-04-30", "2026-05-01"], **views)

    if store is None:
        app = InspectionsApplication(env=popo_env(), ports=ports(), clock=clock)
    else:
        app = on_store(InspectionsApplication, "inspections", store, ports, clock=clock)
    yield app
    app.close()


SQL_STORES = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)  # read models live in SQL


def report(app, actor=RESIDENT, **kw):
    fields = dict(category="wastewater", description="Nước thải đen chảy ra mương", location=HERE, site_id=SITE)
    fields.update(kw)
    return app.report_incident(actor, None, **fields)


def entry(app, article):
    return next(e for e in app.sanctions["entries"] if e["article"] == article and e["band_individual_vnd"]["max"] > 0)


def test_an_incident_goes_from_report_to_closed(insp):
    photo = insp.blobs.put_photo(photo_bytes())
    r = report(insp, photos=[photo])
    assert r["ticket"].startswith("PA-") and r["state"] == "reported"
    insp.triage_incident(INSPECTOR, None, r["id"], "wastewater", "high", SITE)
    insp.assign_incident(AGENCY, None, r["id"], "Đội kiểm tra số 2", "insp-1")
    insp.verify_incident(INSPECTOR, None, r["id"], "Xả thải không qua xử lý")
    violation = record(insp, FIRM, "organisation")
    insp.resolve_incident(INSPECTOR, None, r["id"], violation["id"], "Đã lập biên bản")
    done = insp.close_incident(AGENCY, None, r["id"], "Đã xử lý")
    assert done["state"] == "closed"
    mine = insp.get_incident(RESIDENT, r["id"])
    assert mine["description"] and mine["violation_found"] and "reporter" not in mine
    assert insp.get_incident(INSPECTOR, r["id"])["reporter"] == RESIDENT.id
    other = insp.get_incident(FIRM_USER, r["id"])
    assert "description" not in other and "reporter" not in other and "photos" not in other
    assert other["location"] == {"lat": 20.98, "lon": 105.91}


ADDRESS = "Ngõ 12 Giang Cao, cạnh nhà văn hoá thôn 3"


def test_a_resident_without_coordinates_or_a_site_says_where_in_words(insp):
    r = report(insp, location=None, site_id=None, address=f"  {ADDRESS} ")
    assert r["state"] == "reported"
    head = insp.log_head()
    for nowhere in (dict(), dict(address=None), dict(address="   ")):
        with pytest.raises(InvalidInput, match="an address") as e:
            report(insp, location=None, site_id=None, **nowhere)
        assert (e.value.field, e.value.rule) == ("location", "required_one_of")
    assert insp.log_head() == head
    # the reporter and staff read the address; a business or another resident does not
    assert insp.get_incident(RESIDENT, r["id"])["address"] == ADDRESS
    assert insp.get_incident(INSPECTOR, r["id"])["address"] == ADDRESS
    for outsider in (FIRM_USER, NEIGHBOUR):
        doc = insp.get_incident(outsider, r["id"])
        assert "address" not in doc and doc["location"] is None and doc["site_id"] is None
    # nor does any public event
    insp.triage_incident(INSPECTOR, None, r["id"], "wastewater", "normal", SITE)
    events = PublicMapper("inspections", insp, PUBLIC_EVENTS, place=insp.place_of).events_since(0, 100)
    assert [e["type"].split(".")[3] for e in events] == ["incident_reported", "incident_triaged"]
    assert "Giang Cao" not in json.dumps(events, ensure_ascii=False)
    # a report with a site or coordinates may still add words; without any it is None
    assert insp.get_incident(RESIDENT, report(insp, address="cổng sau")["id"])["address"] == "cổng sau"
    assert insp.get_incident(RESIDENT, report(insp)["id"])["address"] is None


def test_a_reported_event_stored_before_the_address_existed_still_replays(insp):
    r = report(insp)
    stored = insp.mapper.to_domain_event(insp.recorder.select_events(UUID(r["id"]))[0])
    old_state = {k: v for k, v in vars(stored).items() if k != "address"}
    old_state["originator_id"] = old_id = uuid4()
    old_event = object.__new__(type(stored))
    object.__setattr__(old_event, "__dict__", old_state)
    insp.recorder.insert_events([insp.mapper.to_stored_event(old_event)])  # the shape written before
    assert "address" not in vars(insp.mapper.to_domain_event(insp.recorder.select_events(old_id)[0]))
    old = insp.get_incident(RESIDENT, str(old_id))
    assert old["address"] is None and old["description"] == "Nước thải đen chảy ra mương"
    assert old["site_id"] == SITE and old["state"] == "reported"
    insp.triage_incident(INSPECTOR, None, str(old_id), "wastewater", "low")  # and it takes new events
    assert insp.get_incident(INSPECTOR, str(old_id))["state"] == "triaged"


def record(app, establishment, offender_type, fine=None, **kw):
    e = entry(app, 15)
    lo, hi = fine_band(e, offender_type, app.sanctions["rules"])
    measures = kw.pop("remedial_measures", [{"measure": "Lắp đặt hệ thống xử lý nước thải", "deadline": date(2026, 6, 1)}])
    return app.record_violation(INSPECTOR, None, establishment_id=establishment, catalogue_code=e["code"],
                                description="Không có công trình xử lý nước thải tại chỗ", offender_type=offender_type,
                                fine_vnd=fine if fine is not None else lo, remedial_measures=measures, **kw)


def test_transitions_out_of_turn_are_refused_and_change_nothing(insp):
    r = report(insp)
    head = insp.log_head()
    with pytest.raises(Conflict) as e:
        insp.assign_incident(AGENCY, None, r["id"], "Đội 1")
    assert e.value.rule == "transition" and "reported" in str(e.value)
    with pytest.raises(Conflict):
        insp.resolve_incident(INSPECTOR, None, r["id"], None)
    with pytest.raises(NotFound):
        insp.triage_incident(INSPECTOR, None, r["id"], "dust", "low", "5b4e28ba-2fa1-11d2-883f-0016d3cca427")
    with pytest.raises(InvalidInput):
        report(insp, location=None, site_id=None)
    with pytest.raises(NotFound):
        report(insp, photos=["0" * 64])  # a photo that was never stored
    assert insp.log_head() == head


def test_reject_and_merge_a_duplicate(insp):
    first, second, third = report(insp), report(insp), report(insp, category="noise")
    insp.merge_incident(INSPECTOR, None, second["id"], first["id"])
    insp.reject_incident(INSPECTOR, None, third["id"], "Không thuộc thẩm quyền")
    with pytest.raises(InvalidInput):
        insp.merge_incident(INSPECTOR, None, first["id"], second["id"])  # into a merged one
    with pytest.raises(InvalidInput):
        insp.merge_incident(INSPECTOR, None, first["id"], first["id"])
    assert insp.get_incident(INSPECTOR, second["id"])["merged_into"] == first["id"]
    assert insp.get_incident(INSPECTOR, third["id"])["state"] == "rejected"


def test_the_reporter_adds_information_and_reopens_within_30_days_with_a_new_photo(insp, clock):
    r = report(insp)
    with pytest.raises(Forbidden) as e:
        insp.add_information(NEIGHBOUR, None, r["id"], "tôi cũng thấy", [])
    assert e.value.rule == "owner"
    p1, p2, p3, p4 = (insp.blobs.put_photo(photo_bytes((i, i, i))) for i in range(4))
    insp.add_information(RESIDENT, None, r["id"], "Mùi rất nặng buổi tối", [p1, p2, p3])
    with pytest.raises(InvalidInput) as e:
        insp.add_information(RESIDENT, None, r["id"], None, [p4])
    assert e.value.rule == "max_items"
    for step in (lambda: insp.triage_incident(INSPECTOR, None, r["id"], "wastewater", "normal"),
                 lambda: insp.assign_incident(AGENCY, None, r["id"], "Đội 1"),
                 lambda: insp.verify_incident(INSPECTOR, None, r["id"], "Không phát hiện"),
                 lambda: insp.resolve_incident(INSPECTOR, None, r["id"], None, "Không vi phạm")):
        step()
    with pytest.raises(Forbidden):
        insp.reopen_incident(NEIGHBOUR, None, r["id"], "vẫn còn", p4)
    clock.now += timedelta(days=10)
    again = insp.reopen_incident(RESIDENT, None, r["id"], "Vẫn xả thải", p4)
    assert again["state"] == "reopened"
    insp.assign_incident(AGENCY, None, r["id"], "Đội 2")
    insp.verify_incident(INSPECTOR, None, r["id"], "Xác minh lại")
    insp.resolve_incident(INSPECTOR, None, r["id"], None)
    clock.now += timedelta(days=31)
    with pytest.raises(Conflict) as e:
        insp.reopen_incident(RESIDENT, None, r["id"], "lại nữa", p4)
    assert e.value.rule == "reopen_window"


@SQL_STORES
def test_deadlines_in_working_days_with_a_controlled_clock(insp, clock):
    r = report(insp)  # Friday 6 March 2026, 10:00 local
    doc = insp.get_incident(INSPECTOR, r["id"])
    assert doc["triage_due"].startswith("2026-03-10T16:59:59")  # Tue 23:59:59 local = 16:59:59Z
    assert doc["resolution_due"].startswith("2026-03-21T16:59:59")
    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=timezone.utc)
    assert insp.check_deadlines()["triage"] == 0
    clock.now = datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc)
    assert insp.check_deadlines()["triage"] == 1
    assert insp.check_deadlines()["triage"] == 0  # once only
    clock.now = datetime(2026, 3, 22, 0, 0, tzinfo=timezone.utc)
    assert insp.check_deadlines()["resolution"] == 1
    assert insp.get_incident(INSPECTOR, r["id"])["overdue"] == ["triage", "resolution"]
    # holidays are not working days: Wed 29 April → Thu 30/4 and Fri 1/5 off, weekend → Tue 5 May
    clock.now = datetime(2026, 4, 29, 3, 0, tzinfo=timezone.utc)
    later = insp.get_incident(INSPECTOR, report(insp)["id"])
    assert later["triage_due"].startswith("2026-05-05T16:59:59")


@SQL_STORES
def test_duplicate_suggestions_same_category_same_site_or_within_300_m_within_7_days(insp, clock):
    base = report(insp)
    near = report(insp, site_id=None, location={"lat": HERE["lat"] + 0.0015, "lon": HERE["lon"]})  # ~167 m
    far = report(insp, site_id=None, location={"lat": HERE["lat"] + 0.004, "lon": HERE["lon"]})    # ~445 m
    other_kind = report(insp, category="noise")
    clock.now += timedelta(days=8)
    too_late = report(insp)
    found = {d["id"]: d for d in insp.suggest_duplicates(INSPECTOR, base["id"])}
    assert set(found) == {near["id"]}
    clock.now -= timedelta(days=2)
    same_site_later = report(insp, location=None)
    found = {d["id"] for d in insp.suggest_duplicates(INSPECTOR, base["id"])}
    assert found == {near["id"], same_site_later["id"]}
    assert far["id"] not in found and other_kind["id"] not in found and too_late["id"] not in found
    with pytest.raises(Forbidden):
        insp.suggest_duplicates(RESIDENT, base["id"])


def test_planned_inspection_with_samples_violations_and_conclusion(insp):
    insp.add_plan_item(AGENCY, None, 2026, "KH-01", SITE, FIRM, 3, "Nước thải")
    with pytest.raises(InvalidInput):
        insp.add_plan_item(AGENCY, None, 2026, "KH-01", SITE)
    ins = insp.schedule_inspection(INSPECTOR, None, kind="planned", scheduled_for=date(2026, 3, 5), plan_year=2026, plan_ref="KH-01")
    with pytest.raises(InvalidInput):
        insp.schedule_inspection(INSPECTOR, None, kind="planned", scheduled_for=date(2026, 3, 5), plan_year=2026, plan_ref="KH-01")
    assert insp.get_plan(2026)["items"][0]["inspection_id"] == ins["id"]
    insp.conduct_inspection(INSPECTOR, None, ins["id"], date(2026, 3, 5), ["insp-1", "insp-2"], "Lấy mẫu nước thải",
                            [{"parameter": "COD", "value": 300, "unit": "mg/L"},
                             {"parameter": "pH", "value": 10, "unit": "-"},
                             {"parameter": "TSS", "value": 50, "unit": "mg/L", "kq": 0.9, "kf": 1.1}])
    samples = insp.get_inspection(INSPECTOR, ins["id"])["conducted"]["samples"]
    assert samples[0]["exceedance"] == 2.0 and samples[0]["exceeds"] and samples[0]["limit_max"] == 150
    assert samples[1]["exceeds"] and samples[1]["limit_min"] == 5.5
    assert samples[2]["limit_max"] == pytest.approx(99.0) and not samples[2]["exceeds"]
    v = record(insp, FIRM, "organisation", inspection_id=ins["id"])
    done = insp.conclude_inspection(INSPECTOR, None, ins["id"], [v["id"]], "1 vi phạm")
    assert done["state"] == "concluded"
    with pytest.raises(Conflict):
        insp.cancel_inspection(AGENCY, None, ins["id"], "nhầm")
    with pytest.raises(InvalidInput) as e:
        insp.conduct_inspection(INSPECTOR, None, ins["id"], date(2026, 3, 5), ["a"], "x",
                                [{"parameter": "Unobtainium", "value": 1, "unit": "mg/L"}])
    assert e.value.rule == "in_table"
    # after 31/8/2025 a facility without an operating date on record is assumed to be an existing one
    # (QCVN 40:2011 until 2031), and each sample says so (services/inspections/limits.py)
    assert samples[0]["limit_reason"] == "transition_assumed" and "assumed" in samples[0]["limit_reason_text"]


def test_the_limit_table_in_force_on_the_sample_date_applies(insp):
    from services.inspections.limits import Facility

    old, _ = insp.limits.select(Facility(), date(2025, 8, 31))
    assert (old["table"], old["version"], old["reason"], old["evaluable"]) == ("QCVN 40:2011/BTNMT", "2011",
                                                                              "before_successor", True)
    tables = reference.limit_tables()
    b2011 = next(t for t in tables if t["table"] == "QCVN 40:2011/BTNMT")
    loaded = dict(b2011, table="QCVN 40:2025/BTNMT", version="2025", valid_from="2025-09-01", column="B",
                  sector="general", default_column=True, superseded_by=None, values_available=True,
                  transition=next(t for t in tables if t["table"] == "QCVN 40:2025/BTNMT")["transition"],
                  parameters=[dict(p, max=p["max"] / 2) if p["code"] == "COD" else p for p in b2011["parameters"]])
    insp.limits = LimitTables(tables + [loaded])  # the values loaded later (limit_tables_dir) replace the metadata
    new = Facility(operating_since=date(2026, 1, 1))
    table, _ = insp.limits.select(new, date(2026, 3, 5))
    assert (table["table"], table["version"], table["reason"], table["evaluable"]) == (
        "QCVN 40:2025/BTNMT", "2025", "new_facility", True)
    assert insp.limits.select(new, date(2024, 1, 1))[0]["version"] == "2011"


def test_unannounced_inspections_are_triggered_by_incidents_and_can_be_cancelled(insp):
    with pytest.raises(InvalidInput):
        insp.schedule_inspection(INSPECTOR, None, kind="unannounced", scheduled_for=date(2026, 3, 7), site_id=SITE)
    r = report(insp)
    ins = insp.schedule_inspection(INSPECTOR, None, kind="unannounced", scheduled_for=date(2026, 3, 7), site_id=SITE,
                                   incident_ids=[r["id"]])
    assert insp.cancel_inspection(AGENCY, None, ins["id"], "Cơ sở đóng cửa")["state"] == "cancelled"


def test_fines_outside_the_band_for_the_offender_type_are_refused(insp):
    e = entry(insp, 15)
    lo, hi = e["band_individual_vnd"]["min"], e["band_individual_vnd"]["max"]
    record(insp, HOUSEHOLD, "household", fine=hi)  # households are fined as individuals
    with pytest.raises(InvalidInput) as err:
        record(insp, HOUSEHOLD, "household", fine=hi + 1)
    assert err.value.field == "fine_vnd" and "household" in str(err.value) and f"{hi:,}" in str(err.value)
    record(insp, FIRM, "organisation", fine=2 * hi)  # organisations: twice the band
    with pytest.raises(InvalidInput):
        record(insp, FIRM, "organisation", fine=lo)  # below 2 × min
    with pytest.raises(InvalidInput) as err:
        record(insp, HOUSEHOLD, "organisation")
    assert err.value.field == "offender_type"
    with pytest.raises(NotFound):
        insp.record_violation(INSPECTOR, None, establishment_id=FIRM, catalogue_code="NO-SUCH", description="x",
                              offender_type="organisation", fine_vnd=1)


@SQL_STORES
def test_a_violation_is_sanctioned_remedied_by_the_business_and_verified(insp, clock):
    v = record(insp, FIRM, "organisation", remedial_measures=[{"measure": "Lắp hệ thống xử lý", "deadline": date(2026, 4, 1)}])
    e = entry(insp, 15)
    insp.decide_sanction(AGENCY, None, v["id"], "QĐ 12/QĐ-XPHC", date(2026, 3, 6), 2 * e["band_individual_vnd"]["max"],
                         authority="commune_chair")
    with pytest.raises(Forbidden) as err:
        insp.submit_evidence(HOUSEHOLD_USER, None, v["id"], "ảnh", [])
    assert err.value.rule == "owner"
    insp.submit_evidence(FIRM_USER, None, v["id"], "Đã lắp đặt", [insp.blobs.put_photo(photo_bytes())])
    insp.review_evidence(INSPECTOR, None, v["id"], False, "Chưa vận hành")
    clock.now = datetime(2026, 4, 2, 3, 0, tzinfo=timezone.utc)
    assert insp.check_deadlines()["remediation"] == 1
    assert insp.check_deadlines()["remediation"] == 0
    insp.submit_evidence(FIRM_USER, None, v["id"], "Đã vận hành", [])
    assert insp.review_evidence(INSPECTOR, None, v["id"], True, "Đạt")["state"] == "closed"
    doc = insp.get_violation(FIRM_USER, v["id"])
    assert doc["overdue"] == ["Lắp hệ thống xử lý"] and doc["decision"]["number"] == "QĐ 12/QĐ-XPHC"
    with pytest.raises(Forbidden):
        insp.get_violation(HOUSEHOLD_USER, v["id"])


@SQL_STORES
def test_resolved_incidents_close_by_themselves_after_the_reopen_window(insp, clock):
    r = report(insp)
    insp.triage_incident(INSPECTOR, None, r["id"], "wastewater", "low")
    insp.assign_incident(AGENCY, None, r["id"], "Đội 1")
    insp.verify_incident(INSPECTOR, None, r["id"], "ok")
    insp.resolve_incident(INSPECTOR, None, r["id"], None)
    clock.now += timedelta(days=31)
    assert insp.check_deadlines()["closed"] == 1
    assert insp.get_incident(INSPECTOR, r["id"])["state"] == "closed"


# -- role × command matrix -------------------------------------------------------------------------
ROLES = {"resident": RESIDENT, "business": FIRM_USER, "transporter": Actor("t", "transporter"),
         "treatment_facility": Actor("f", "treatment_facility"), "inspector": INSPECTOR, "agency": AGENCY,
         "admin": ADMIN}


def _setup_commands(app):
    """Each command with the state it needs, ready to run for one actor."""
    def reported():
        return report(app)["id"]

    def at(state):
        iid = reported()
        steps = ["triaged", "assigned", "verified", "resolved"]
        for s in steps[: steps.index(state) + 1]:
            {"triaged": lambda: app.triage_incident(ADMIN, None, iid, "wastewater", "low"),
             "assigned": lambda: app.assign_incident(ADMIN, None, iid, "Đội"),
             "verified": lambda: app.verify_incident(ADMIN, None, iid, "ok"),
             "resolved": lambda: app.resolve_incident(ADMIN, None, iid, None)}[s]()
        return iid

    def scheduled():
        return app.schedule_inspection(ADMIN, None, kind="unannounced", scheduled_for=date(2026, 3, 6), site_id=SITE,
                                       incident_ids=[reported()])["id"]

    def conducted():
        ins = scheduled()
        app.conduct_inspection(ADMIN, None, ins, date(2026, 3, 6), ["a"], "f", [])
        return ins

    def violation(state="recorded"):
        vid = record(app, FIRM, "organisation")["id"]
        if state in ("sanction_decided", "evidence_submitted"):
            app.decide_sanction(ADMIN, None, vid, "QĐ", date(2026, 3, 6), 2 * entry(app, 15)["band_individual_vnd"]["min"],
                                "commune_chair")
        if state == "evidence_submitted":
            app.submit_evidence(FIRM_USER, None, vid, "done", [])
        return vid

    e15 = entry(app, 15)
    photo = app.blobs.put_photo(photo_bytes())
    return {
        "report_incident": (None, lambda a, _: report(app, a)),
        "add_information": (reported, lambda a, i: app.add_information(a, None, i, "thêm", [])),
        "reopen_incident": (lambda: at("resolved"), lambda a, i: app.reopen_incident(a, None, i, "lại", photo)),
        "triage_incident": (reported, lambda a, i: app.triage_incident(a, None, i, "wastewater", "low")),
        "reject_incident": (reported, lambda a, i: app.reject_incident(a, None, i, "no")),
        "merge_incident": (lambda: (reported(), reported()), lambda a, p: app.merge_incident(a, None, p[0], p[1])),
        "assign_incident": (lambda: at("triaged"), lambda a, i: app.assign_incident(a, None, i, "Đội")),
        "verify_incident": (lambda: at("assigned"), lambda a, i: app.verify_incident(a, None, i, "ok")),
        "resolve_incident": (lambda: at("verified"), lambda a, i: app.resolve_incident(a, None, i, None)),
        "close_incident": (lambda: at("resolved"), lambda a, i: app.close_incident(a, None, i, "xong")),
        "add_plan_item": (None, lambda a, _: app.add_plan_item(a, None, 2026, f"KH-{a.id}-{app.log_head()}", SITE)),
        "schedule_inspection": (reported, lambda a, i: app.schedule_inspection(
            a, None, kind="unannounced", scheduled_for=date(2026, 3, 6), site_id=SITE, incident_ids=[i])),
        "conduct_inspection": (scheduled, lambda a, i: app.conduct_inspection(a, None, i, date(2026, 3, 6), ["a"], "f", [])),
        "conclude_inspection": (conducted, lambda a, i: app.conclude_inspection(a, None, i, [], "none")),
        "cancel_inspection": (scheduled, lambda a, i: app.cancel_inspection(a, None, i, "x")),
        "record_violation": (None, lambda a, _: app.record_violation(
            a, None, establishment_id=FIRM, catalogue_code=e15["code"], description="x", offender_type="organisation",
            fine_vnd=2 * e15["band_individual_vnd"]["min"])),
        "decide_sanction": (violation, lambda a, v: app.decide_sanction(
            a, None, v, "QĐ", date(2026, 3, 6), 2 * e15["band_individual_vnd"]["min"], "commune_chair")),
        "submit_evidence": (lambda: violation("sanction_decided"), lambda a, v: app.submit_evidence(a, None, v, "x", [])),
        "review_evidence": (lambda: violation("evidence_submitted"), lambda a, v: app.review_evidence(a, None, v, True, "ok")),
    }


ALLOWED = {
    "report_incident": {"resident", "inspector", "agency", "admin"},
    "add_information": {"resident", "inspector", "agency", "admin"},  # staff pass the role check, not the owner check
    "reopen_incident": {"resident"},
    "triage_incident": set(r.value for r in STAFF), "reject_incident": set(r.value for r in STAFF),
    "merge_incident": set(r.value for r in STAFF), "assign_incident": set(r.value for r in STAFF),
    "verify_incident": {"inspector", "admin"}, "resolve_incident": {"inspector", "admin"},
    "close_incident": set(r.value for r in STAFF),
    "add_plan_item": {"agency", "admin"}, "schedule_inspection": set(r.value for r in STAFF),
    "conduct_inspection": {"inspector", "admin"}, "conclude_inspection": {"inspector", "admin"},
    "cancel_inspection": set(r.value for r in STAFF),
    "record_violation": {"inspector", "admin"}, "decide_sanction": {"inspector", "agency", "admin"},
    "submit_evidence": {"business"}, "review_evidence": {"inspector", "admin"},
}
OWNER_ONLY = {"add_information": {"resident"}}  # roles that also succeed the owner check


@pytest.mark.parametrize("store", ["popo"], indirect=True)
def test_role_by_command_matrix_every_pair_allowed_or_refused(insp):
    commands = _setup_commands(insp)
    assert set(commands) == set(ALLOWED)
    pairs = 0
    for name, (setup, run) in commands.items():
        for role, actor in ROLES.items():
            target = setup() if setup else None
            head = insp.log_head()
            if role in ALLOWED[name] and role in OWNER_ONLY.get(name, {role}):
                run(actor, target)
                assert insp.log_head() > head, (name, role)
            else:
                with pytest.raises(Forbidden, match="may not|only") as e:
                    run(actor, target)
                assert e.value.field.startswith("actor"), (name, role)
                assert insp.log_head() == head, (name, role)
            pairs += 1
    assert pairs == len(ALLOWED) * len(ROLES)


# -- public events and replay ----------------------------------------------------------------------
@SQL_STORES
def test_public_events_cover_every_change_and_carry_no_reporter_or_description(insp):
    test_an_incident_goes_from_report_to_closed(insp)
    report(insp, address=ADDRESS)
    mapper = PublicMapper("inspections", insp, PUBLIC_EVENTS, place=insp.place_of)
    events = mapper.events_since(0, 1000)
    text = json.dumps(events, ensure_ascii=False)
    assert RESIDENT.id not in text and "Nước thải đen" not in text and INSPECTOR.id not in text
    assert ADDRESS not in text and "Giang Cao" not in text
    assert all(e.get("communecode") == "xa-bat-trang" for e in events if e["type"].split(".")[3].startswith("incident_"))
    assert {e["type"].split(".")[3] for e in events} >= {"incident_reported", "incident_closed", "violation_recorded"}
    for e in events:  # every one a valid CloudEvent for the official SDK
        assert JSONFormat().read(CloudEvent, json.dumps(e).encode()).get_attributes()["id"] == e["id"]


@SQL_STORES
def test_replaying_the_whole_log_rebuilds_the_same_state(insp, store, clock, tmp_path):
    test_planned_inspection_with_samples_violations_and_conclusion(insp)
    test_reject_and_merge_a_duplicate(insp)
    views = insp.views
    before = {r: views.list_incidents(None, None, 500, 0) for r in ("all",)}
    docs = {i: insp.get_incident(ADMIN, i) for i in before["all"]}
    twin = on_store(InspectionsApplication, "inspections", store,  # a fresh process: nothing cached
                    lambda s: inspections_ports(directory=FakeDirectory(), views=InspectionsViews(s.db, s)))
    assert {i: twin.get_incident(ADMIN, i) for i in before["all"]} == docs
    rebuilt = twin.views.rebuild()
    assert rebuilt == twin.log_head()
    assert twin.views.list_incidents(None, None, 500, 0) == before["all"]
    assert twin.views.site_counts(SITE) == views.site_counts(SITE)
    twin.close()


def test_photos_are_stored_without_exif(insp):
    img = Image.new("RGB", (16, 16), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    raw = io.BytesIO()
    img.save(raw, format="JPEG", exif=exif.tobytes())
    ref = insp.blobs.put_photo(raw.getvalue())
    stored = Image.open(io.BytesIO(insp.blobs.get(ref)))
    assert dict(stored.getexif()) == {} and stored.size == (16, 16)
    with pytest.raises(InvalidInput):
        insp.blobs.put_photo(b"not an image")
