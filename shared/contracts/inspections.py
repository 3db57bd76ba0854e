"""Contracts of the inspections service: RPC inputs (commands and queries) here, its public events
in shared/contracts/inspections_events.py (re-exported: `c.IncidentReported`, `c.PUBLIC_EVENTS`).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.base import Command, LongText, OptShortText, Query, ShortText, MAX_OFFSET
from shared.contracts.clean_text import MultiLine, SingleLine
from shared.contracts.inspections_events import (  # noqa: F401  (re-exported: the events, the domain's words)
    Category, IncidentAssigned, IncidentClosed, IncidentClosingCode, IncidentInformationAdded, IncidentMerged,
    IncidentOverdue, IncidentRejected, IncidentRejectionCode, IncidentReopened, IncidentReported,
    IncidentResolved, IncidentState, IncidentTriaged, IncidentVerified, InspectionCancellationCode,
    InspectionCancelled, InspectionConcluded, InspectionConducted, InspectionKind, InspectionPlanItemAdded,
    InspectionPlanItemScheduled, InspectionPlanOpened, InspectionScheduled, InspectionState, LegalBasis,
    OffenderType, Priority, SampleResult, ViolationClosed, ViolationEvidenceRejected,
    ViolationEvidenceSubmitted, ViolationOverdue, ViolationRecorded, ViolationSanctionDecided, ViolationState,
    PUBLIC_EVENTS,
)
from shared.contracts.sites import Location

BlobRef = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=5000), MultiLine]

# -- commands --------------------------------------------------------------------------------------
class StorePhoto(Command):
    data_b64: Annotated[str, StringConstraints(min_length=4, max_length=14_000_000)] = Field(
        description="The photo, base64; stored without its EXIF, answered with its sha256")


class ReportIncident(Command):
    category: Category
    description: Description
    location: Location | None = None
    site_id: UUID | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3)
    address: OptShortText = Field(None, description="Where, in words, when there are no coordinates and no site "
                                                    "(seen by the reporter and staff only, never published)")


class AddInformation(Command):
    incident_id: UUID
    text: LongText | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3)


class ReopenIncident(Command):
    incident_id: UUID
    reason: ShortText
    photo: BlobRef = Field(description="A new photo is required to reopen")


class TriageIncident(Command):
    incident_id: UUID
    category: Category
    priority: Priority
    site_id: UUID | None = None


class RejectIncident(Command):
    incident_id: UUID
    reason: ShortText = Field(description="In words, for staff and the reporter; never published")
    reason_code: IncidentRejectionCode = Field("other", description="Published instead of the reason")


class MergeIncident(Command):
    incident_id: UUID
    into: UUID


class AssignIncident(Command):
    incident_id: UUID
    unit: ShortText
    inspector: OptShortText = None
    due: date | None = None


class VerifyIncident(Command):
    incident_id: UUID
    finding: LongText
    inspection_id: UUID | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3, description="Taken on site (store_photo first)")


class ResolveIncident(Command):
    incident_id: UUID
    violation_id: UUID | None = None
    note: LongText | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3,
                                  description="'After' photos taken on site (store_photo first); the reporter sees them")


class CloseIncident(Command):
    incident_id: UUID
    reason: ShortText = Field(description="In words, for staff and the reporter; never published")
    reason_code: IncidentClosingCode = Field("other", description="Published instead of the reason")


class AddPlanItem(Command):
    year: int = Field(ge=2021, le=2100)
    ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SingleLine]
    site_id: UUID
    establishment_id: UUID | None = None
    month: int | None = Field(None, ge=1, le=12)
    topic: OptShortText = None


class ScheduleInspection(Command):
    kind: InspectionKind
    scheduled_for: date
    site_id: UUID | None = None
    establishment_id: UUID | None = None
    plan_year: int | None = Field(None, ge=2021, le=2100)
    plan_ref: OptShortText = None
    incident_ids: list[UUID] = Field(default_factory=list, max_length=50)
    unit: OptShortText = Field(None, description="The unit assigned (unannounced: default the first report's)")
    inspector: OptShortText = Field(None, description="The inspector assigned (staff e-mail; never published)")


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    parameter: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SingleLine]
    value: float = Field(ge=0, le=1e9)
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20), SingleLine]
    kq: float | None = Field(None, gt=0, le=2)
    kf: float | None = Field(None, gt=0, le=2)


class ConductInspection(Command):
    inspection_id: UUID
    conducted_on: date
    team: list[ShortText] = Field(min_length=1, max_length=20)
    findings: LongText
    samples: list[Sample] = Field(default_factory=list, max_length=100)


class ConcludeInspection(Command):
    inspection_id: UUID
    violation_ids: list[UUID] = Field(default_factory=list, max_length=100)
    summary: LongText


class CancelInspection(Command):
    inspection_id: UUID
    reason: ShortText = Field(description="In words, for staff; never published")
    reason_code: InspectionCancellationCode = Field("other", description="Published instead of the reason")


class RemedialMeasure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    measure: ShortText
    deadline: date


class RecordViolation(Command):
    establishment_id: UUID
    catalogue_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SingleLine]
    description: LongText
    offender_type: OffenderType
    fine_vnd: int = Field(ge=0, le=2_000_000_000)
    inspection_id: UUID | None = None
    additional_sanctions: list[ShortText] = Field(default_factory=list, max_length=10)
    remedial_measures: list[RemedialMeasure] = Field(default_factory=list, max_length=20)


class DecideSanction(Command):
    violation_id: UUID
    decision_number: ShortText
    decided_on: date
    fine_vnd: int = Field(ge=0, le=2_000_000_000)
    authority: Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")] = Field(
        description="Who decides: a level key of the catalogue's authorities (commune_chair, province_chair, ...); "
                    "refused when the violation's band exceeds its cap")


class SubmitEvidence(Command):
    violation_id: UUID
    text: LongText
    files: list[BlobRef] = Field(default_factory=list, max_length=10)


class ReviewEvidence(Command):
    violation_id: UUID
    accepted: bool
    note: ShortText


# -- queries ---------------------------------------------------------------------------------------
class IncidentRef(Query):
    incident_id: UUID


class InspectionRef(Query):
    inspection_id: UUID


class ViolationRef(Query):
    violation_id: UUID


class SiteIncidents(Query):
    site_id: UUID


class ListIncidents(Query):
    state: IncidentState | None = None
    site_id: UUID | None = None
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=500)


class ListViolations(Query):
    establishment_id: UUID | None = None
    state: ViolationState | None = None


class PlanRef(Query):
    year: int = Field(ge=2021, le=2100)


class Catalogue(Query):
    pass


class MyIncidents(Query):
    pass


class MyTasks(Query):
    """The reports assigned to the calling inspector (a staff actor `staff:<e-mail>`) that are still
    theirs to act on (assigned, verified): urgent and overdue first, then by the running deadline."""
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(10, ge=1, le=50)
