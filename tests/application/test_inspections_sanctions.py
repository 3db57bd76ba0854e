"""Decree 45 sanction rules over the catalogue, on every store: band lookup, blocked bands,
the deciding authority's cap, several parameters at once, and the catalogue's integrity."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from services.inspections import sanctions as s
from shared.kit.errors import InvalidInput, NotFound
from tests.application.test_inspections_app import AGENCY, FIRM, HOUSEHOLD, INSPECTOR, clock, directory, insp  # noqa: F401


def code_of(app, factor, flow, hazardous=False):
    return s.lookup_exceedance(app.sanctions, [{"parameter": "x", "factor": factor, "hazardous": hazardous}], flow)["code"]


def violation(app, code, establishment, offender_type, fine):
    return app.record_violation(INSPECTOR, None, establishment_id=establishment, catalogue_code=code, description="x",
                                offender_type=offender_type, fine_vnd=fine)


def test_band_lookup_by_factor_and_flow(insp):
    assert code_of(insp, 1.05, 3) == "ND45-A18-1"  # warning below 1.1x
    assert insp.catalogue_entry(code_of(insp, 1.2, 3))["band_individual_vnd"] == {"min": 300000, "max": 500000}
    assert code_of(insp, 1.2, 3) != code_of(insp, 1.2, 7)
    with pytest.raises(NotFound) as e:
        code_of(insp, 1.2, 5000)  # outside the encoded flow grid: never extrapolated
    assert e.value.rule == s.NO_BAND_RULE


def test_a_heavy_metal_is_looked_up_in_art_19_which_is_blocked(insp):
    e = insp.catalogue_entry(code_of(insp, 1.3, 3, hazardous=True))
    assert e["article"] == 19
    with pytest.raises(InvalidInput) as err:
        violation(insp, e["code"], FIRM, "organisation", 1)
    assert err.value.rule == s.BLOCKED_RULE


def test_a_blocked_band_is_refused(insp):
    with pytest.raises(InvalidInput) as err:
        violation(insp, code_of(insp, 2.5, 3), FIRM, "organisation", 1_000_000)
    assert err.value.rule == s.BLOCKED_RULE and insp.catalogue_entry(code_of(insp, 2.5, 3))["band_individual_vnd"] is None


def test_several_parameters_at_once_are_refused_until_the_rule_is_loaded(insp):
    with pytest.raises(InvalidInput) as err:
        s.lookup_exceedance(insp.sanctions, [{"parameter": "COD", "factor": 1.2}, {"parameter": "TSS", "factor": 1.3}], 3)
    assert err.value.rule == s.MULTI_RULE and "COD" in str(err.value)
    assert code_of(insp, 1.2, 3) == s.lookup_exceedance(
        insp.sanctions, [{"parameter": "COD", "factor": 1.2}, {"parameter": "TSS", "factor": 0.9}], 3)["code"]


def test_organisation_pays_twice_and_household_as_individual_and_art_29(insp):
    v = violation(insp, "ND45-A29-1", FIRM, "organisation", 20_000_000)  # 2 x 5-10 M
    with pytest.raises(InvalidInput):
        violation(insp, "ND45-A29-1", HOUSEHOLD, "household", 20_000_000)
    violation(insp, "ND45-A29-1", HOUSEHOLD, "household", 10_000_000)
    insp.decide_sanction(AGENCY, None, v["id"], "QĐ 1", date(2026, 3, 6), 20_000_000, "commune_chair")
    assert insp.get_violation(AGENCY, v["id"])["state"] == "sanction_decided"


def test_a_fine_above_the_authority_cap_names_who_may_decide(insp):
    catalogue = copy.deepcopy(insp.sanctions)  # the commune cap before Decree 189/2025: 5 M VND (CANTHO_XA)
    next(a for a in catalogue["authorities"]["levels"] if a["key"] == "commune_chair")["cap_individual_vnd"] = 5_000_000
    insp.sanctions = catalogue
    v = violation(insp, "ND45-A15-4h", FIRM, "organisation", 400_000_000)  # band up to 500 M for an organisation
    with pytest.raises(InvalidInput) as err:
        insp.decide_sanction(AGENCY, None, v["id"], "QĐ 2", date(2026, 3, 6), 400_000_000, "commune_chair")
    assert err.value.rule == s.CAP_RULE and err.value.field == "authority" and "province_chair" in str(err.value)
    assert err.value.details["may_decide"] == ["province_chair"]
    with pytest.raises(InvalidInput) as err:
        insp.decide_sanction(AGENCY, None, v["id"], "QĐ 2", date(2026, 3, 6), 400_000_000, "district_chair")
    assert err.value.rule == s.CAP_RULE  # its cap is not in a readable source
    with pytest.raises(InvalidInput) as err:
        insp.decide_sanction(AGENCY, None, v["id"], "QĐ 2", date(2026, 3, 6), 400_000_000, "mayor")
    assert err.value.rule == s.AUTHORITY_RULE
    insp.decide_sanction(AGENCY, None, v["id"], "QĐ 2", date(2026, 3, 6), 400_000_000, "province_chair")


def test_catalogue_integrity(insp):
    entries = insp.sanctions["entries"]
    for e in entries:
        assert {"article", "clause", "point", "source", "confidence"} <= set(e) and e["confidence"] in "HML"
        assert e["blocked"] or (isinstance(e["clause"], int) and e["band_individual_vnd"] is not None)
    grid = [e["conditions"] for e in entries if (e.get("conditions") or {}).get("exceedance_min") is not None]
    for i, a in enumerate(grid):
        for b in grid[i + 1:]:
            if a["parameter_class"] != b["parameter_class"]:
                continue
            def meet(lo1, hi1, lo2, hi2):
                return (hi2 is None or lo1 < hi2) and (hi1 is None or lo2 < hi1)
            assert not (meet(a["exceedance_min"], a["exceedance_max"], b["exceedance_min"], b["exceedance_max"])
                        and meet(a["flow_min_m3_day"], a["flow_max_m3_day"], b["flow_min_m3_day"], b["flow_max_m3_day"]))
