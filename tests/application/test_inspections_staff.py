"""Stories of the inspections Application's staff queries (issue 14, the page "Thanh tra"): the
plan of a quarter, the inspections list with paging, an unannounced inspection opened from
reports, samples evaluated on the spot, a fine outside the band, the overdue remedial measures.
On SQLite and PostgreSQL (the lists are read models)."""
from datetime import date, datetime, timezone

import pytest

from services.inspections.domainmodel import FINE_BAND_RULE, fine_band
from shared.kit.actor import Actor
from shared.kit.errors import Forbidden, InvalidInput, NotFound
from tests.application.test_inspections_app import (  # noqa: F401  (insp and clock are fixtures)
    ADMIN, AGENCY, FIRM, FIRM_USER, HOUSEHOLD, INSPECTOR, RESIDENT, SITE, FakeDirectory, clock, entry, insp, record,
    report,
)

FAR_SITE = "5b4e28ba-2fa1-11d2-883f-0016d3cca427"
FAR_FIRM = "6b4e28ba-2fa1-11d2-883f-0016d3cca427"
pytestmark = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)


class TwoCommunes(FakeDirectory):
    sites = dict(FakeDirectory.sites, **{FAR_SITE: {"id": FAR_SITE, "name": "Vạn Phúc", "commune": "phuong-ha-dong",
                                                    "active": True}})
    establishments = dict(FakeDirectory.establishments, **{
        FAR_FIRM: {"id": FAR_FIRM, "site_id": FAR_SITE, "form": "enterprise", "active": True}})


class WithPlaces(TwoCommunes):
    """As the service's directory (services/inspections/places.py): sites by new commune or old district."""

    PLACES = {SITE: ("xa-bat-trang", "gia-lam"), FAR_SITE: ("phuong-ha-dong", "ha-dong")}

    def sites_in(self, codes):  # type: ignore[no-untyped-def]
        return sorted(s for s, place in self.PLACES.items() if set(place) & set(codes))

    def places(self, site_ids):  # type: ignore[no-untyped-def]
        return {s: {"name": self.sites[s]["name"], "commune": self.PLACES[s][0], "old_district": self.PLACES[s][1]}
                for s in site_ids if s in self.PLACES}


@pytest.fixture
def directory():
    return TwoCommunes()


@pytest.fixture
def app(insp):
    return insp


def schedule(app, site=SITE, when=date(2026, 3, 7), **kw):
    incidents = kw.pop("incident_ids", None) or [report(app, site_id=site)["id"]]
    return app.schedule_inspection(AGENCY, None, kind="unannounced", scheduled_for=when, site_id=site,
                                   incident_ids=incidents, **kw)


def test_the_plan_of_a_quarter_lists_its_items_with_the_state_of_their_inspection(app):
    app.add_plan_item(AGENCY, None, 2026, "KH-02", SITE, FIRM, 2, "Nước thải")
    app.add_plan_item(AGENCY, None, 2026, "KH-05", FAR_SITE, None, 5, "Khí thải")
    app.add_plan_item(AGENCY, None, 2026, "KH-X", SITE, None, None, None)  # no month: in the year only
    q1 = app.plan_quarter(INSPECTOR, 2026, 1)
    assert [i["ref"] for i in q1["items"]] == ["KH-02"] and q1["items"][0]["inspection_state"] is None
    assert q1["items"][0]["site_name"] == "Bát Tràng" and q1["items"][0]["commune"] == "xa-bat-trang"
    ins = app.schedule_inspection(AGENCY, None, kind="planned", scheduled_for=date(2026, 2, 10), plan_year=2026,
                                  plan_ref="KH-02", unit="Đội 1")
    item = app.plan_quarter(INSPECTOR, 2026, 1)["items"][0]
    assert item["inspection_id"] == ins["id"] and item["inspection_state"] == "scheduled"
    assert [i["ref"] for i in app.plan_quarter(AGENCY, 2026)["items"]] == ["KH-02", "KH-05", "KH-X"]
    assert app.plan_quarter(AGENCY, 2027, 1) == {"year": 2027, "quarter": 1, "exists": False, "version": 0, "items": []}


def test_the_inspections_list_filters_by_state_site_quarter_assignment_and_commune_with_paging(app):
    a = schedule(app, when=date(2026, 3, 7), unit="Đội 1", inspector="thanh@hanoi.gov.vn")
    b = schedule(app, when=date(2026, 4, 2), unit="Đội 2")
    c = schedule(app, site=FAR_SITE, when=date(2026, 3, 9), unit="Đội 1")
    app.conduct_inspection(INSPECTOR, None, a["id"], date(2026, 3, 6), ["Thanh"], "Lấy mẫu",
                           [{"parameter": "COD", "value": 300, "unit": "mg/L"}])
    ids = lambda **kw: [r["id"] for r in app.list_inspections(INSPECTOR, **kw)["rows"]]  # noqa: E731
    assert ids() == [b["id"], c["id"], a["id"]]  # the latest scheduled first
    assert ids(state="conducted") == [a["id"]] and ids(state="scheduled", site_id=FAR_SITE) == [c["id"]]
    assert ids(year=2026, quarter=1) == [c["id"], a["id"]] and ids(year=2026, quarter=2) == [b["id"]]
    assert ids(unit="Đội 1") == [c["id"], a["id"]] and ids(inspector="thanh@hanoi.gov.vn") == [a["id"]]
    assert ids(communes=["phuong-ha-dong"]) == [c["id"]] and ids(communes=["xa-khac"]) == []
    page = app.list_inspections(AGENCY, limit=2, offset=2)
    assert page["total"] == 3 and [r["id"] for r in page["rows"]] == [a["id"]]
    row = app.list_inspections(AGENCY, state="conducted")["rows"][0]
    assert row["exceeded"] is True and row["commune"] == "xa-bat-trang" and row["incidents"] == 1
    assert row["site_name"] == "Bát Tràng"
    with pytest.raises(InvalidInput) as e:
        app.list_inspections(AGENCY, quarter=1)
    assert (e.value.field, e.value.rule) == ("quarter", "with_year")


def test_an_unannounced_inspection_opened_from_reports_takes_their_site_and_assignment(app):
    r1, r2 = report(app)["id"], report(app)["id"]
    app.triage_incident(AGENCY, None, r1, "wastewater", "high")
    app.assign_incident(AGENCY, None, r1, "Đội 3", "lan@hanoi.gov.vn")
    ins = app.schedule_inspection(AGENCY, None, kind="unannounced", scheduled_for=date(2026, 3, 7),
                                  incident_ids=[r2, r1])
    doc = app.get_inspection(INSPECTOR, ins["id"])
    assert doc["site_id"] == SITE and doc["incident_ids"] == [r2, r1]
    assert (doc["unit"], doc["inspector"]) == ("Đội 3", "lan@hanoi.gov.vn")
    far = report(app, site_id=FAR_SITE)["id"]
    with pytest.raises(InvalidInput) as e:  # reports of two sites: say which one
        app.schedule_inspection(AGENCY, None, kind="unannounced", scheduled_for=date(2026, 3, 7), incident_ids=[r1, far])
    assert e.value.field == "site_id"
    firm_view = app.get_inspection(Actor("tg:firm", "business", establishment=FIRM),
                                   schedule(app, establishment_id=FIRM, inspector="lan@hanoi.gov.vn")["id"])
    assert "inspector" not in firm_view and "unit" not in firm_view  # staff ids stay with staff


def test_samples_are_evaluated_on_the_spot_against_the_table_in_force_and_nothing_is_stored(app):
    before = len(app.select_notifications(0, 1000))
    out = app.evaluate_samples(INSPECTOR, on=date(2025, 6, 1), establishment_id=FIRM, samples=[
        {"parameter": "COD", "value": 300, "unit": "mg/L"}, {"parameter": "pH", "value": 7, "unit": "-"},
        {"parameter": "Unobtainium", "value": 1, "unit": "mg/L"}, {"parameter": "TSS", "value": 1, "unit": "g/L"},
        {"parameter": "BOD5", "value": 60, "unit": "mg/L", "kq": 1.2, "kf": 1.1}])
    assert (out["table"], out["column"], out["exceeded"], out["evaluable"]) == ("QCVN 40:2011/BTNMT", "B", True, True)
    assert out["selection"]["reason"] == "before_successor" and out["selection"]["column_assumed"]
    cod, ph, unknown, wrong_unit, bod = out["samples"]
    assert (cod["limit_max"], cod["exceedance"], cod["exceeds"], cod["column"]) == (150, 2.0, True, "B")
    assert not ph["exceeds"] and (ph["limit_min"], ph["limit_max"]) == (5.5, 9)
    assert unknown["error"]["field"] == "samples.2.parameter" and unknown["error"]["rule"] == "in_table"
    assert wrong_unit["error"]["rule"] == "unit" and "exceeds" not in wrong_unit
    assert bod["limit_max"] == pytest.approx(66.0) and not bod["exceeds"]  # Cmax = C × Kq × Kf
    assert {"code": "COD", "unit": "mg/L"}.items() <= next(p for p in out["parameters"] if p["code"] == "COD").items()
    later = app.evaluate_samples(INSPECTOR, on=date(2026, 3, 6), site_id=SITE, samples=[])
    assert later["table"] == "QCVN 40:2011/BTNMT" and later["selection"]["reason"] == "transition_assumed"
    assert len(app.select_notifications(0, 1000)) == before  # pure: no event
    with pytest.raises(InvalidInput) as e:
        app.evaluate_samples(INSPECTOR, on=date(2026, 3, 6), samples=[])
    assert (e.value.field, e.value.rule) == ("site_id", "required_one_of")
    with pytest.raises(InvalidInput) as e:
        app.evaluate_samples(INSPECTOR, on=date(2026, 3, 6), site_id=SITE, establishment_id=FAR_FIRM, samples=[])
    assert e.value.rule == "at_site"
    with pytest.raises(NotFound):
        app.evaluate_samples(INSPECTOR, on=date(2026, 3, 6), site_id=HOUSEHOLD, samples=[])


def test_a_sample_over_the_limit_leads_to_a_violation_and_a_fine_outside_the_band_names_the_band(app):
    ins = schedule(app, establishment_id=FIRM)
    app.conduct_inspection(INSPECTOR, None, ins["id"], date(2026, 3, 6), ["Thanh"], "Lấy mẫu",
                           [{"parameter": "COD", "value": 300, "unit": "mg/L"}])
    e = entry(app, 15)
    lo, hi = fine_band(e, "organisation", app.sanctions["rules"])
    with pytest.raises(InvalidInput) as err:
        record(app, FIRM, "organisation", fine=hi + 1_000_000, inspection_id=ins["id"])
    assert (err.value.field, err.value.rule) == ("fine_vnd", FINE_BAND_RULE)
    assert f"{lo:,}–{hi:,} VND" in err.value.message and e["code"] in err.value.message
    assert app.inspection_violations(INSPECTOR, ins["id"]) == []  # nothing recorded
    for other, rule in ((FAR_FIRM, "at_site"), (HOUSEHOLD, "same_inspection")):  # not the inspected establishment
        with pytest.raises(InvalidInput) as err:
            app.record_violation(INSPECTOR, None, establishment_id=other, catalogue_code=e["code"], description="x",
                                 offender_type="organisation" if other == FAR_FIRM else "household",
                                 fine_vnd=fine_band(e, "organisation" if other == FAR_FIRM else "household",
                                                    app.sanctions["rules"])[0], inspection_id=ins["id"])
        assert (err.value.field, err.value.rule) == ("establishment_id", rule)
    v = record(app, FIRM, "organisation", fine=hi, inspection_id=ins["id"])
    other = record(app, FIRM, "organisation")  # not at this inspection
    assert [x["id"] for x in app.inspection_violations(AGENCY, ins["id"])] == [v["id"]] != [other["id"]]
    with pytest.raises(InvalidInput) as err:
        app.decide_sanction(AGENCY, None, v["id"], "QĐ 1", date(2026, 3, 6), lo - 1, "commune_chair")
    assert err.value.rule == FINE_BAND_RULE


def test_overdue_remedial_measures_are_listed_oldest_first_until_the_violation_closes(app, clock):
    v1 = record(app, FIRM, "organisation", remedial_measures=[
        {"measure": "Lắp hệ thống xử lý", "deadline": date(2026, 3, 10)},
        {"measure": "Quan trắc định kỳ", "deadline": date(2026, 5, 1)}])
    v2 = record(app, HOUSEHOLD, "household", remedial_measures=[
        {"measure": "Nạo vét mương", "deadline": date(2026, 3, 8)}])
    far = app.record_violation(INSPECTOR, None, establishment_id=FAR_FIRM, catalogue_code=entry(app, 15)["code"],
                               description="Xả thải", offender_type="organisation",
                               fine_vnd=fine_band(entry(app, 15), "organisation", app.sanctions["rules"])[0],
                               remedial_measures=[{"measure": "Dừng xả", "deadline": date(2026, 3, 9)}])
    assert app.overdue_measures(AGENCY)["total"] == 0  # 6/3: nothing due yet
    clock.now = datetime(2026, 3, 20, 3, 0, tzinfo=timezone.utc)
    out = app.overdue_measures(INSPECTOR)
    assert [(r["violation_id"], r["measure"], r["days_overdue"]) for r in out["rows"]] == [
        (v2["id"], "Nạo vét mương", 12), (far["id"], "Dừng xả", 11), (v1["id"], "Lắp hệ thống xử lý", 10)]
    assert [r["violation_id"] for r in app.overdue_measures(AGENCY, communes=["phuong-ha-dong"])["rows"]] == [far["id"]]
    assert app.overdue_measures(AGENCY, on=date(2026, 5, 2))["total"] == 4
    assert app.overdue_measures(AGENCY, limit=1, offset=1)["rows"][0]["violation_id"] == far["id"]
    lo = fine_band(entry(app, 15), "household", app.sanctions["rules"])[0]
    app.decide_sanction(AGENCY, None, v2["id"], "QĐ 2", date(2026, 3, 20), lo, "commune_chair")
    hh = Actor("tg:hh", "business", establishment=HOUSEHOLD)
    app.submit_evidence(hh, None, v2["id"], "Đã nạo vét", [])
    app.review_evidence(INSPECTOR, None, v2["id"], True, "Đạt")
    assert [r["violation_id"] for r in app.overdue_measures(AGENCY)["rows"]] == [far["id"], v1["id"]]


def test_only_staff_read_the_staff_queries(app):
    ins = schedule(app)
    for actor in (RESIDENT, FIRM_USER, Actor("public", "public")):
        for ask in (lambda: app.plan_quarter(actor, 2026, 1), lambda: app.list_inspections(actor),
                    lambda: app.overdue_measures(actor), lambda: app.inspection_violations(actor, ins["id"]),
                    lambda: app.evaluate_samples(actor, on=date(2026, 3, 6), site_id=SITE, samples=[])):
            with pytest.raises(Forbidden):
                ask()
    assert app.list_inspections(ADMIN)["total"] == 1


def test_a_commune_officer_by_old_district_sees_the_sites_of_that_district(app):
    app.directory = WithPlaces()
    here, far = schedule(app), schedule(app, site=FAR_SITE)
    ids = lambda codes: [r["id"] for r in app.list_inspections(AGENCY, communes=codes)["rows"]]  # noqa: E731
    assert ids(["ha-dong"]) == [far["id"]] and ids(["gia-lam"]) == [here["id"]] and ids(["xa-bat-trang"]) == [here["id"]]
    assert ids(["ba-vi"]) == [] and len(ids([])) == 2  # no communes: city-wide
    record(app, FIRM, "organisation", remedial_measures=[{"measure": "Nạo vét", "deadline": date(2026, 3, 8)}])
    assert app.overdue_measures(AGENCY, on=date(2026, 4, 1), communes=["gia-lam"])["total"] == 1
    assert app.overdue_measures(AGENCY, on=date(2026, 4, 1), communes=["ha-dong"])["total"] == 0
    app.add_plan_item(AGENCY, None, 2026, "KH-HD", FAR_SITE, None, 2, None)
    item = app.plan_quarter(AGENCY, 2026, 1)["items"][0]
    assert (item["site_name"], item["commune"], item["old_district"]) == ("Vạn Phúc", "phuong-ha-dong", "ha-dong")
