"""Answers of the inspections service's RPCs, as contract models: what a caller reads is typed and
validated where it is read (issue 17: no untyped dicts sliced by position)."""
from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.kit.calendar import local_date


class IncidentFiled(BaseModel):
    """report_incident's answer: the incident, its ticket and its two deadlines (UTC instants; each
    ends a local day in Hanoi)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: UUID
    version: int
    state: str
    ticket: str
    triage_due: datetime
    resolution_due: datetime

    @property
    def triage_day(self) -> date:
        """The local (Hanoi) day the triage is due by."""
        return local_date(self.triage_due)


class Assignment(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    unit: str
    due: date | None = None


class IncidentCard(BaseModel):
    """An incident as my_incidents and get_incident answer it: what the bot shows a resident.
    Instants are UTC; the days a resident reads are Hanoi's (`reported_day`, `resolution_day`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: UUID
    ticket: str
    category: str
    state: str
    reported_at: datetime
    resolution_due: datetime | None = None
    description: str | None = None
    photo_count: int = 0
    assignment: Assignment | None = None
    photos: list[str] = []  # digests (only in get_incident's full answer)
    after_photos: list[str] = []

    @property
    def reported_day(self) -> date:
        return local_date(self.reported_at)

    @property
    def resolution_day(self) -> date | None:
        return local_date(self.resolution_due) if self.resolution_due else None


class Deadline(BaseModel):
    """When an inspector's task is due: the assignment's day, else the Hanoi day the resolution is
    due by (an instant, UTC)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    due: date | None = None
    resolution_due: datetime | None = None

    @property
    def due_day(self) -> date | None:
        return self.due or (local_date(self.resolution_due) if self.resolution_due else None)


class Task(Deadline):
    """One incident of my_tasks (an inspector's work)."""

    id: UUID
    ticket: str
    category: str
    state: str
    priority: str | None = None
    overdue: bool = False


class TaskPage(BaseModel):
    """my_tasks's answer: a page of an inspector's tasks."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    items: list[Task] = []
    total: int = 0
    offset: int = 0
    limit: int = 0


class Point(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    lat: float
    lon: float


class StaffAssignment(Assignment):
    inspector: str | None = None  # the staff e-mail (only in the full answer)


class IncidentDocument(IncidentCard):
    """get_incident's full answer as staff read it (the inspector's /tasks): where, how urgent, to whom."""

    priority: str | None = None
    site_id: UUID | None = None
    location: Point | None = None
    address: str | None = None
    assignment: StaffAssignment | None = None  # type: ignore[assignment]

    @property
    def inspector(self) -> str:
        return ((self.assignment.inspector if self.assignment else None) or "").lower()


class AnnualFiling(BaseModel):
    """The annual report as filed (reporting_year's `annual`): when (a UTC instant), and whether late."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    filed_at: datetime
    due_before: date | None = None
    late: bool = False

    @property
    def filed_day(self) -> date:
        """The local (Hanoi) day it was filed on."""
        return local_date(self.filed_at)


class ReportingYear(BaseModel):
    """reporting_year's answer: an establishment's annual report for a year, due before a local day."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    year: int
    due_before: date
    annual: AnnualFiling | None = None
    corrections: list[dict] = []
    annual_overdue: bool = False


class AnnualReportFiled(BaseModel):
    """file_annual_report's answer: the first filing of a year is the report, a later one a correction."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: UUID
    version: int
    year: int
    due_before: date
    late: bool = False
    corrected: bool = False


class Assignee(Deadline):
    """incident_assignee's answer (staff): who a report is assigned to now, and by when (`due`, a local day)."""

    id: UUID
    ticket: str
    category: str
    state: str
    unit: str | None = None
    inspector: str | None = None  # the staff e-mail, lower-case (never published)
