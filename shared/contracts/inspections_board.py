"""Contracts of the inspections service's staff queries over its board (issue 14, the staff workspace page
"Thanh tra"): the plan of a quarter, the inspections list, samples evaluated on the spot, the
violations of an inspection and the overdue remedial measures."""
from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from shared.contracts.base import Code, MAX_OFFSET, OptShortText, Query
from shared.contracts.inspections import InspectionKind, InspectionState, Sample

MAX_COMMUNES = 50  # a commune officer's communes (new communes or old districts)


class PlanQuarter(Query):
    """The items of a year's plan planned for a quarter (all the year's items without quarter),
    each with the state of its inspection once scheduled."""

    year: int = Field(ge=2021, le=2100)
    quarter: int | None = Field(None, ge=1, le=4)


class ListInspections(Query):
    state: InspectionState | None = None
    kind: InspectionKind | None = None
    site_id: UUID | None = None
    year: int | None = Field(None, ge=2021, le=2100)
    quarter: int | None = Field(None, ge=1, le=4, description="With its year (refused alone, field quarter)")
    unit: OptShortText = Field(None, description="The assigned unit")
    inspector: OptShortText = Field(None, description="The assigned inspector (the staff e-mail)")
    communes: list[Code] = Field(default_factory=list, max_length=MAX_COMMUNES,
                                 description="Only inspections of sites in these communes (a commune officer's scope)")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=500)


class EvaluateSamples(Query):
    """Pure evaluation: each sample against the limit table in force on `on` (nothing changes).
    Names the site or the establishment sampled (one of them: refused otherwise, field site_id)."""

    site_id: UUID | None = None
    establishment_id: UUID | None = None
    on: date
    samples: list[Sample] = Field(default_factory=list, max_length=100)


class InspectionViolations(Query):
    inspection_id: UUID


class OverdueMeasures(Query):
    on: date | None = Field(None, description="Overdue on this day (default: today in Hanoi)")
    communes: list[Code] = Field(default_factory=list, max_length=MAX_COMMUNES)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=500)
