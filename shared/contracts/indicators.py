"""Contracts of the indicators service."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from shared.contracts.base import MAX_OFFSET, Command, PublicEvent, Query

PERIOD_PATTERN = r"^20\d\d(Q[1-4])?$"
UNIT_PATTERN = r"^(city:hanoi|district:[a-z0-9-]+|commune:[a-z0-9-]+)$"
PeriodText = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=PERIOD_PATTERN)]
UnitCode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80, pattern=UNIT_PATTERN)]


class Figures(Query):
    period: PeriodText
    unit: UnitCode | None = None
    as_of: datetime | None = Field(None, description="What was known at this instant (default: now)")
    drill_down: bool = Field(False, description="Include the sites and source events behind each figure")


class Roadmap(Query):
    period: PeriodText
    unit: UnitCode | None = None


class StatusCard(Query):
    site_id: UUID


class IssueReport(Command):
    period: PeriodText
    unit: UnitCode | None = None


class ReportRef(Query):
    report_id: UUID


# -- staff queries (issue 14): targets against the roadmap, drill-down, the reports issued ---------
Target = Literal["hw_treated", "clusters_with_wwtp", "villages_classified", "villages_meeting_conditions"]


class Targets(Query):
    period: PeriodText
    units: list[UnitCode] | None = Field(None, max_length=100, description="Only these units (default: every unit)")


class DrillDown(Query):
    period: PeriodText
    unit: UnitCode
    target: Target


class SiteEvents(DrillDown):
    site_id: UUID


class ListReports(Query):
    period: PeriodText | None = None
    unit: UnitCode | None = None
    units: list[UnitCode] = Field(default_factory=list, max_length=100,
                                  description="Only reports of these units (a commune officer's); empty = every unit")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


class CompareReports(Query):
    report_id: UUID
    earlier_id: UUID


class ReportIssued(PublicEvent):
    event = "report_issued"
    source_event = "Report.Issued"
    id: UUID
    period: str
    unit: str | None = None
    issued_at: str
    units: list[dict[str, Any]]

    @classmethod
    def from_domain(cls, e: Any) -> "ReportIssued":
        slim = [{"unit": u["unit"], "targets": {t: {k: v for k, v in f.items() if k != "sites"}
                                                for t, f in u["targets"].items()}} for u in e.units]
        return cls(id=e.originator_id, period=e.period, unit=e.unit, issued_at=e.issued_at, units=slim)


PUBLIC_EVENTS = [ReportIssued]
