"""The public contracts of manifests: complete, same vocabulary, and bad lines refused."""
import typing
from datetime import date

import pytest
from pydantic import ValidationError

from services.manifests import domainmodel as dm
from shared import reference
from shared.contracts import manifests as c
from tests.contracts.test_sites_contracts import domain_event_names


def test_states_equal_the_domain_ones():
    assert set(typing.get_args(c.ManifestState)) == {s.value for s in dm.ManifestState}
    assert set(typing.get_args(c.DiscrepancyOutcome)) == {s.value for s in dm.DiscrepancyState} - {"open"}


def test_every_domain_event_has_exactly_one_public_contract():
    published = [contract.source_event for contract in c.PUBLIC_EVENTS]
    assert len(published) == len(set(published))
    assert sorted(domain_event_names(dm.AGGREGATES)) == sorted(published)


LINE = {"line": 1, "code": "16 01 06", "name": "Bóng đèn", "state": "solid", "packaging": "thùng", "quantity_kg": 10,
        "method": "thiêu đốt"}


@pytest.mark.parametrize("bad, field", [
    ({"quantity_kg": -1}, "quantity_kg"), ({"quantity_kg": 0}, "quantity_kg"), ({"quantity_kg": 5e9}, "quantity_kg"),
    ({"code": "160106"}, "code"), ({"code": "16-01-06"}, "code"), ({"state": "plasma"}, "state"),
    ({"unit": "tonnes"}, "unit"), ({"quantity_kg": "12 kg"}, "quantity_kg"),
])
def test_a_line_with_bad_kg_codes_states_or_units_is_refused(bad, field):
    with pytest.raises(ValidationError) as e:
        c.Line(**{**LINE, **bad})
    assert e.value.errors()[0]["loc"][0] == field


def test_ten_thousand_lines_are_refused_by_the_contract():
    with pytest.raises(ValidationError) as e:
        c.CreateManifest(generator_id="20000000-0000-0000-0000-000000000001", number="CT-1",
                         transporters=["30000000-0000-0000-0000-000000000001"],
                         facility_1="40000000-0000-0000-0000-000000000001", vehicle_plate="29C-123",
                         lines=[dict(LINE, line=i + 1) for i in range(10_000)], planned_date=date(2026, 3, 3))
    assert e.value.errors()[0]["loc"][0] == "lines"


def test_the_shipped_catalogue_is_well_formed():
    cat = reference.load("waste_codes.json")
    codes = [e["code"] for e in cat["codes"]]
    assert len(codes) == len(set(codes)) and len(cat["chapters"]) == 19
    for entry in cat["codes"]:
        c.CatalogueEntry.model_validate(entry)
        assert entry["code"][:2] == entry["chapter"] and entry["source"] in cat["sources"]
    assert {"16 01 06", "16 01 12", "16 01 13"} <= set(codes)
