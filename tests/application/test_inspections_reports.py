"""The annual environmental protection report and monitoring results (issue 16) on POPO, SQLite
and PostgreSQL: who files, the due date (15 January; 20 for a cluster's infrastructure owner),
the owed and overdue list, corrections, monitoring evaluated against the limit table."""
from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from services.inspections.reports_model import MONITORING_DUE_BLOCKED, due_before
from shared.kit.errors import Forbidden, InvalidInput, NotFound
from tests.application.reports_world import (  # noqa: F401  (fixtures)
    AGENCY, AMENDED, FIRM, FIRM_USER, HOUSEHOLD, INSPECTOR, OWNER, OWNER_USER, RESIDENT, app, clock, clock_at, office,
    pdf,
)


def upload(app, actor=FIRM_USER, data=None):
    return app.store_report_document(actor, data or pdf())["sha256"]


def file(app, actor=FIRM_USER, establishment=FIRM, year=2026, data=None, **kw):
    return app.file_annual_report(actor, None, establishment, year, upload(app, actor, data), **kw)


def row(owed, establishment):
    return next(r for r in owed["rows"] if r["establishment_id"] == establishment)


def test_due_dates_follow_the_corrected_circular():
    assert due_before(2026) == date(2027, 1, 15)
    assert due_before(2026, infrastructure_owner=True) == date(2027, 1, 20)


def test_an_annual_report_filed_on_time_and_one_never_filed_goes_overdue(app, clock):
    done = file(app)
    assert done["due_before"] == "2027-01-15" and not done["late"] and not done["corrected"]
    owed = app.owed_reports(AGENCY, 2026)
    assert {r["establishment_id"] for r in owed["rows"]} == {FIRM, OWNER}  # GPMT and ĐKMT only
    assert row(owed, FIRM)["filed"] and not row(owed, OWNER)["overdue"] and owed["overdue"] == 0
    assert owed["permit_unknown"] == [{"establishment_id": AMENDED, "name": "Dệt Vạn Phúc",
                                       "site_id": app.directory.establishments[AMENDED]["site_id"]}]
    assert owed["monitoring"] == MONITORING_DUE_BLOCKED and owed["rule"]["confidence"] == "M"
    clock.now += timedelta(days=4)  # 14 January, 10:00 local: the last day on time
    assert app.owed_reports(AGENCY, 2026)["overdue"] == 0
    clock.now += timedelta(days=1)  # 15 January
    late = app.owed_reports(AGENCY, 2026, overdue_only=True)
    assert [r["establishment_id"] for r in late["rows"]] == [OWNER] and late["overdue"] == 1
    assert app.reporting_year(OWNER_USER, OWNER, 2026)["annual_overdue"]


def test_the_day_is_the_local_day(app, clock):
    clock.now = clock_at(2027, 1, 14, 17).now  # 14 January 17:00 UTC is 15 January 00:00 in Hanoi
    assert row(app.owed_reports(AGENCY, 2026), OWNER)["overdue"]
    assert file(app, OWNER_USER, OWNER)["late"]


def test_an_infrastructure_owner_has_until_20_january(app, clock):
    with pytest.raises(InvalidInput) as e:  # a craft village's establishment owns no cluster's infrastructure
        app.set_infrastructure_owner(AGENCY, None, FIRM, True)
    assert e.value.rule == "cluster_or_zone"
    with pytest.raises(Forbidden):
        app.set_infrastructure_owner(OWNER_USER, None, OWNER, True)
    app.set_infrastructure_owner(AGENCY, None, OWNER, True)
    clock.now = clock_at(2027, 1, 19).now
    r = row(app.owed_reports(INSPECTOR, 2026), OWNER)
    assert r["due_before"] == "2027-01-20" and not r["overdue"]
    assert not file(app, OWNER_USER, OWNER)["late"]
    assert row(app.owed_reports(INSPECTOR, 2026), FIRM)["overdue"]


def test_a_late_report_is_recorded_late_and_a_second_filing_is_a_correction(app, clock):
    clock.now = clock_at(2027, 2, 1).now
    first = file(app)
    assert first["late"]
    second = file(app, INSPECTOR, data=office("xlsx"), note="Bản sửa đổi")
    assert second["corrected"] and second["late"] and second["document"]["kind"] == "xlsx"
    year = app.reporting_year(FIRM_USER, FIRM, 2026)
    assert year["annual"]["document"]["kind"] == "pdf" and year["corrections"][0]["note"] == "Bản sửa đổi"
    assert not year["annual_overdue"] and row(app.owed_reports(AGENCY, 2026), FIRM)["late"]


def test_only_the_establishment_itself_and_staff_file(app):
    doc = upload(app)
    with pytest.raises(Forbidden):  # another establishment's account
        app.file_annual_report(OWNER_USER, None, FIRM, 2026, doc)
    with pytest.raises(Forbidden):  # a resident
        app.file_annual_report(RESIDENT, None, FIRM, 2026, doc)
    with pytest.raises(Forbidden):
        app.store_report_document(RESIDENT, pdf())
    with pytest.raises(Forbidden):
        app.owed_reports(FIRM_USER, 2026)
    with pytest.raises(Forbidden):
        app.reporting_year(OWNER_USER, FIRM, 2026)
    with pytest.raises(NotFound):
        app.file_annual_report(AGENCY, None, "8b4e28ba-2fa1-11d2-883f-0016d3cca427", 2026, doc)
    assert app.reporting_year(FIRM_USER, FIRM, 2026)["annual"] is None


def test_the_year_must_be_over_and_on_the_circular_form(app):
    doc = upload(app)
    for year, rule in ((2027, "ended"), (2021, "min")):
        with pytest.raises(InvalidInput) as e:
            app.file_annual_report(FIRM_USER, None, FIRM, year, doc)
        assert e.value.rule == rule


def test_a_document_must_have_been_uploaded_and_be_a_document(app):
    with pytest.raises(NotFound):
        app.file_annual_report(FIRM_USER, None, FIRM, 2026, "ab" * 32)
    with pytest.raises(InvalidInput) as e:
        app.file_annual_report(FIRM_USER, None, FIRM, 2026, "../../etc/passwd")
    assert e.value.rule == "sha256"
    photo = app.blobs.put(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)  # a blob that is no document (a photo's sha256)
    with pytest.raises(InvalidInput) as e:
        app.file_annual_report(FIRM_USER, None, FIRM, 2026, photo)
    assert e.value.rule == "file_type"
    assert app.reporting_year(FIRM_USER, FIRM, 2026)["annual"] is None


def test_a_retried_filing_is_answered_once(app):
    doc = upload(app)
    a = app.file_annual_report(FIRM_USER, "cmd-1", FIRM, 2026, doc)
    b = app.file_annual_report(FIRM_USER, "cmd-1", FIRM, 2026, doc)
    assert a == b and not app.reporting_year(FIRM_USER, FIRM, 2026)["corrections"]


def test_monitoring_results_are_evaluated_against_the_limits_in_force(app):
    done = app.file_monitoring_results(FIRM_USER, None, FIRM, date(2026, 11, 3), ref="Q4",
                                       samples=[{"parameter": "COD", "value": 300, "unit": "mg/L"},
                                                {"parameter": "pH", "value": 7.1, "unit": "-"}],
                                       document=upload(app, data=office("xlsx")))
    cod = next(s for s in done["samples"] if s["parameter"] == "COD")
    assert done["exceeded"] and cod["exceeds"] and cod["limit_table"].startswith("QCVN 40")
    from services.inspections import limits

    chosen = limits.evaluate(app.limits, app.facility(FIRM), date(2026, 11, 3), [])["selection"]
    assert cod["limit_table"] == f"{chosen['table']} {chosen['column']}"  # the facility's table, said why
    assert cod["limit_reason"] == chosen["reason"] and cod["limit_reason_text"] == chosen["text"]
    year = app.reporting_year(INSPECTOR, FIRM, 2026)
    assert [m["ref"] for m in year["monitoring"]] == ["Q4"] and year["monitoring"][0]["document"]["kind"] == "xlsx"
    assert year["monitoring_due"]["status"] == "blocked"
    with pytest.raises(InvalidInput) as e:
        app.file_monitoring_results(FIRM_USER, None, FIRM, date(2026, 11, 3), ref="Q4",
                                    samples=[{"parameter": "COD", "value": 10, "unit": "mg/L"}])
    assert e.value.rule == "unique"


def test_monitoring_results_refused_without_changing_anything(app):
    for kw, rule in (({"samples": []}, "required"),
                     ({"samples": [{"parameter": "XYZ", "value": 1, "unit": "mg/L"}]}, "in_table"),
                     ({"samples": [{"parameter": "COD", "value": 1, "unit": "g/L"}]}, "unit")):
        with pytest.raises(InvalidInput) as e:
            app.file_monitoring_results(FIRM_USER, None, FIRM, date(2026, 11, 3), **kw)
        assert e.value.rule == rule
    with pytest.raises(InvalidInput) as e:
        app.file_monitoring_results(FIRM_USER, None, FIRM, date(2027, 2, 1),
                                    samples=[{"parameter": "COD", "value": 1, "unit": "mg/L"}])
    assert e.value.rule == "not_future"
    with pytest.raises(Forbidden):
        app.file_monitoring_results(OWNER_USER, None, FIRM, date(2026, 11, 3),
                                    samples=[{"parameter": "COD", "value": 1, "unit": "mg/L"}])
    assert app.reporting_year(FIRM_USER, FIRM, 2026)["monitoring"] == []


def test_a_household_without_permit_owes_nothing(app, clock):
    clock.now = clock_at(2027, 3, 1).now
    assert HOUSEHOLD not in {r["establishment_id"] for r in app.owed_reports(AGENCY, 2026)["rows"]}


# -- the real sites directory: permits and site kinds from the sites stream --------------------------
SQL = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)  # the directory lives in SQL


@SQL
def test_who_owes_a_report_comes_from_the_sites_stream(store, sites, tmp_path):
    from services.inspections.application import InspectionsApplication
    from services.inspections.permit_directory import InspectionsDirectory
    from shared.contracts.sites import PUBLIC_EVENTS as SITE_EVENTS
    from shared.kit.blobs import BlobStore
    from shared.kit.public import PublicMapper
    from tests.ports import inspections_ports, on_store

    app = on_store(InspectionsApplication, "inspections", store, lambda s: inspections_ports(
        directory=InspectionsDirectory(s.db), blobs=BlobStore(tmp_path / "blobs")), clock=clock_at(2027, 1, 16))
    directory = app.directory
    try:
        village = sites.register_site(AGENCY, None, kind="craft_village", name="Bát Tràng", old_district="gia-lam")["id"]
        cluster = sites.register_site(AGENCY, None, kind="industrial_cluster", name="CCN Ngọc Liệp",
                                     old_district="quoc-oai")["id"]

        def est(site, code, permit):
            return sites.register_establishment(AGENCY, None, site_id=site, name=f"Cơ sở {code}", form="enterprise",
                                                registration_code=code, trades=[], permit=permit)["id"]

        gpmt = est(village, "A1", {"type": "GPMT", "number": "12/GPMT"})
        dkmt = est(cluster, "B1", {"type": "DKMT", "number": "3/ĐKMT"})
        none = est(village, "C1", {"type": "none"})
        infrastructure = est(cluster, "E1", None)  # the cluster's infrastructure company: Form 06 whatever its permit
        later = est(village, "D1", None)
        sites.amend_establishment(AGENCY, None, later, {"permit": {"type": "GPMT", "number": "9/GPMT"}})
        mapper = PublicMapper("sites", sites, SITE_EVENTS, place=sites.place_of)
        directory.apply_many("sites", mapper.events_since(0, 1000))
        app.set_infrastructure_owner(AGENCY, None, infrastructure, True)  # the directory knows the cluster's kind
        with pytest.raises(InvalidInput):
            app.set_infrastructure_owner(AGENCY, None, gpmt, True)
        owed = app.owed_reports(AGENCY, 2026)
        assert {r["establishment_id"]: (r["form"], r["overdue"]) for r in owed["rows"]} == {
            gpmt: ("05.A", True), dkmt: ("05.B", True), infrastructure: ("06", False),  # the owner: until the 20th
            later: ("05.A", True)}  # the amendment carries its new permit
        assert owed["permit_unknown"] == [] and none not in str(owed)
    finally:
        app.close()
