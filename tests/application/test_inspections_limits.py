"""Which limit table a sample is evaluated against, and why (issue 16), on every store: QCVN
40:2011 for facilities existing before 1/9/2025 until 31/12/2031, QCVN 40:2025 for new ones and
for all after the transition (shipped without values: refused, nothing recorded, never 40:2011 in
its place), QCVN 13-MT:2015 for textile dyeing, and the permit's own limits when stricter."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.inspections.limits import VALUES_RULE, LimitTables
from shared.contracts.sites import Permit
from shared.kit.errors import InvalidInput
from tests.application.test_inspections_app import (  # noqa: F401  (insp and clock are fixtures)
    AGENCY, FIRM, INSPECTOR, SITE, FakeDirectory, clock, insp, report,
)

OLD = "7b4e28ba-2fa1-11d2-883f-0016d3cca427"
NEW = "8b4e28ba-2fa1-11d2-883f-0016d3cca427"
DYER = "9b4e28ba-2fa1-11d2-883f-0016d3cca427"
COD = {"parameter": "COD", "value": 120, "unit": "mg/L"}


def permit(**discharge) -> dict:
    """As the sites service publishes it: validated by the contract, then JSON."""
    return Permit(type="GPMT", number="12/GPMT-UBND", date=date(2024, 5, 1), discharge=discharge).model_dump(mode="json")


class Facilities(FakeDirectory):
    establishments = dict(FakeDirectory.establishments, **{
        OLD: {"id": OLD, "site_id": SITE, "form": "enterprise", "active": True,
              "permit": permit(operating_since="2019-04-01", limits=[
                  {"parameter": "COD", "unit": "mg/L", "max": 100},     # stricter than 150: wins
                  {"parameter": "TSS", "unit": "mg/L", "max": 120},     # looser than 100: ignored
                  {"parameter": "pH", "unit": "-", "min": 6, "max": 9}])},  # a stricter lower bound
        NEW: {"id": NEW, "site_id": SITE, "form": "enterprise", "active": True,
              "permit": permit(eia_approved_on="2025-10-15")},
        DYER: {"id": DYER, "site_id": SITE, "form": "household", "active": True,
               "permit": permit(operating_since="2010-01-01", sector="textile_dyeing")},
    })


@pytest.fixture
def directory():
    return Facilities()


@pytest.fixture
def app(insp):
    return insp


def inspection(app, establishment):
    return app.schedule_inspection(AGENCY, None, kind="unannounced", scheduled_for=date(2026, 3, 7), site_id=SITE,
                                   establishment_id=establishment, incident_ids=[report(app)["id"]])["id"]


def evaluate(app, establishment, on, samples=(COD,)):
    return app.evaluate_samples(INSPECTOR, on=on, establishment_id=establishment, samples=list(samples))


def test_an_old_facility_keeps_qcvn_40_2011_until_the_end_of_2031_and_not_a_day_more(app):
    last = evaluate(app, OLD, date(2031, 12, 31))
    assert (last["table"], last["column"], last["evaluable"]) == ("QCVN 40:2011/BTNMT", "B", True)
    sel = last["selection"]
    assert sel["reason"] == "transition" and "2019-04-01" in sel["text"] and "2031-12-31" in sel["text"]
    assert sel["facility"]["operating_since"] == "2019-04-01" and sel["column_assumed"]
    after = evaluate(app, OLD, date(2032, 1, 1))
    assert (after["table"], after["evaluable"], after["selection"]["reason"]) == (
        "QCVN 40:2025/BTNMT", False, "transition_ended")
    assert after["selection"]["missing"] == "values" and after["parameters"] == []
    assert after["samples"][0]["error"]["rule"] == VALUES_RULE and "exceeds" not in after["samples"][0]


def test_a_new_facility_follows_qcvn_40_2025_whose_missing_values_refuse_the_record(app, clock):
    before = evaluate(app, NEW, date(2025, 8, 31))  # before 1/9/2025 the old table applies to all
    assert (before["table"], before["selection"]["reason"]) == ("QCVN 40:2011/BTNMT", "before_successor")
    out = evaluate(app, NEW, date(2026, 3, 6))
    assert (out["table"], out["evaluable"], out["selection"]["reason"]) == ("QCVN 40:2025/BTNMT", False, "new_facility")
    assert "no limit values as data" in out["selection"]["text"] and "2025-10-15" in out["selection"]["text"]
    ins = inspection(app, NEW)
    head = app.log_head()
    with pytest.raises(InvalidInput) as e:
        app.conduct_inspection(INSPECTOR, None, ins, date(2026, 3, 6), ["Lan"], "Lấy mẫu", [COD])
    assert (e.value.field, e.value.rule) == ("samples", VALUES_RULE) and "QCVN 40:2025/BTNMT" in e.value.message
    assert app.log_head() == head and app.get_inspection(INSPECTOR, ins)["state"] == "scheduled"  # nothing recorded
    # an old facility after 2031 is refused the same way (never 40:2011 in 40:2025's place)
    clock.now = datetime(2032, 1, 5, 3, 0, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput) as e:
        app.conduct_inspection(INSPECTOR, None, inspection(app, OLD), date(2032, 1, 5), ["Lan"], "x", [COD])
    assert e.value.rule == VALUES_RULE
    done = app.conduct_inspection(INSPECTOR, None, ins, date(2026, 3, 6), ["Lan"], "Không lấy mẫu", [])
    assert done["state"] == "conducted"  # without samples there is nothing to evaluate


def test_the_permits_stricter_limit_wins_and_a_looser_one_is_ignored_per_parameter(app):
    out = evaluate(app, OLD, date(2026, 3, 6), [COD, {"parameter": "TSS", "value": 110, "unit": "mg/L"},
                                                {"parameter": "pH", "value": 5.8, "unit": "-"},
                                                {"parameter": "BOD5", "value": 40, "unit": "mg/L"}])
    cod, tss, ph, bod = out["samples"]
    assert (cod["limit_source"], cod["limit_max"], cod["table_limit_max"], cod["permit_verdict"]) == (
        "permit", 100, 150, "stricter")
    assert cod["exceeds"] and cod["exceedance"] == 1.2 and "12/GPMT-UBND stricter" in cod["limit_table"]
    assert (tss["limit_source"], tss["limit_max"], tss["permit_verdict"], tss["exceeds"]) == ("table", 100, "looser", True)
    assert (ph["limit_source"], ph["limit_min"], ph["table_limit_min"], ph["exceeds"]) == ("permit", 6, 5.5, True)
    assert bod["limit_source"] == "table" and bod["permit_limit"] is None and not bod["exceeds"]
    # recorded as evaluated: the permit's limit is what the inspection keeps
    ins = inspection(app, OLD)
    app.conduct_inspection(INSPECTOR, None, ins, date(2026, 3, 6), ["Lan"], "Lấy mẫu", [COD])
    kept = app.get_inspection(INSPECTOR, ins)["conducted"]["samples"][0]
    assert (kept["limit_max"], kept["limit_source"], kept["limit_reason"]) == (100, "permit", "transition")
    # without the permit (a site sampled alone) the table's 150 applies, assumed for an existing facility
    alone = app.evaluate_samples(INSPECTOR, on=date(2026, 3, 6), site_id=SITE, samples=[COD])
    assert (alone["samples"][0]["limit_max"], alone["selection"]["reason"]) == (150, "transition_assumed")
    assert not alone["samples"][0]["exceeds"]


def test_textile_dyeing_follows_qcvn_13_mt_2015_which_has_no_values_yet(app):
    out = evaluate(app, DYER, date(2025, 6, 1))
    assert (out["table"], out["evaluable"], out["selection"]["reason"]) == ("QCVN 13-MT:2015/BTNMT", False,
                                                                            "before_successor")
    assert out["selection"]["text"].startswith("textile dyeing") and out["selection"]["missing"] == "values"
    later = evaluate(app, DYER, date(2027, 1, 1))  # an existing dyer keeps its sector rule in the transition
    assert (later["table"], later["selection"]["reason"]) == ("QCVN 13-MT:2015/BTNMT", "transition")
    assert later["samples"][0]["error"]["rule"] == VALUES_RULE


def test_a_permit_column_without_values_is_not_evaluable_and_a_table_loaded_later_is_used(app):
    from shared import reference

    class ColumnA(Facilities):
        establishments = dict(Facilities.establishments, **{
            OLD: dict(Facilities.establishments[OLD], permit=permit(operating_since="2019-04-01", column="A"))})

    app.directory = ColumnA()
    out = evaluate(app, OLD, date(2026, 3, 6))
    assert (out["evaluable"], out["selection"]["missing"], out["column"]) == (False, "column", "A")
    tables = reference.limit_tables()
    b = next(t for t in tables if t["table"] == "QCVN 40:2011/BTNMT")
    column_a = dict(b, column="A", default_column=False, parameters=[dict(p, max=75) for p in b["parameters"]
                                                                     if p["code"] == "COD"])
    app.limits = LimitTables(tables + [column_a])
    out = evaluate(app, OLD, date(2026, 3, 6))
    assert (out["column"], out["samples"][0]["limit_max"], out["selection"]["column_assumed"]) == ("A", 75, False)


@pytest.mark.parametrize("bad", [
    {"limits": [{"parameter": "COD", "unit": "mg/L"}]},                       # no bound
    {"limits": [{"parameter": "pH", "unit": "-", "min": 9, "max": 6}]},      # min above max
    {"limits": [{"parameter": "COD", "unit": "mg/L", "max": 1}, {"parameter": "cod", "unit": "mg/L", "max": 2}]},
    {"limits": [{"parameter": "COD", "unit": "mg/L", "max": 1}] * 61},        # too many
    {"sector": "tannery"}, {"column": "B; DROP"}, {"flow_m3_day": -1},
])
def test_hostile_discharge_terms_are_refused_by_the_contract(bad):
    with pytest.raises(ValueError):
        Permit(type="GPMT", number="1/GP", discharge=bad)
