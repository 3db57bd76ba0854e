"""The public contracts of inspections: complete, same vocabulary as the domain."""
import typing

import pytest

from services.inspections import domainmodel as dm
from shared.contracts import inspections as c
from tests.contracts.test_sites_contracts import domain_event_names


@pytest.mark.parametrize("literal, enum", [
    (c.Category, dm.Category), (c.Priority, dm.Priority), (c.IncidentState, dm.IncidentState),
    (c.InspectionKind, dm.InspectionKind), (c.InspectionState, dm.InspectionState),
    (c.OffenderType, dm.OffenderType), (c.ViolationState, dm.ViolationState),
])
def test_contract_vocabularies_equal_the_domain_ones(literal, enum):
    assert set(typing.get_args(literal)) == {e.value for e in enum}


def test_every_domain_event_has_exactly_one_public_contract():
    published = [contract.source_event for contract in c.PUBLIC_EVENTS]
    assert len(published) == len(set(published))
    assert sorted(domain_event_names(dm.AGGREGATES)) == sorted(published)
