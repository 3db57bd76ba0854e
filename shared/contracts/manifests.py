"""Contracts of the manifests service: RPC inputs and public events (no personal data: no
vehicle plate, no actor ids)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.clean_text import SingleLine
from shared.contracts.base import MAX_OFFSET, Code, Command, OptShortText, PublicEvent, Query, ShortText
from shared import vocabulary
from shared.vocabulary import literal

WasteCodeStr = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{2} \d{2} \d{2}$")]
PhysicalState = Literal["solid", "liquid", "sludge", "solid_liquid", "gas"]
ManifestState = literal(vocabulary.ManifestState)  # from the single source, shared/vocabulary.py
DiscrepancyOutcome = Literal["agreed", "escalated"]
# Reason codes: what the public stream says instead of the parties' own words (issue 13); the
# text (`reason`) stays in the manifest for the parties and staff. The caller chooses the code.
RejectionCode = Literal["wrong_waste_type", "not_permitted", "packaging", "quantity", "documents", "capacity", "other"]
CancellationCode = Literal["duplicate", "plans_changed", "data_error", "other"]
CorrectionCode = Literal["data_error", "route_change", "quantity_change", "vehicle_change", "other"]
Party = Literal["generator", "facility1", "facility2"]
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40,
                                          pattern=r"^[A-Za-z0-9./_-]+$")]
Kg = Annotated[float, Field(gt=0, le=1_000_000, description="kilograms (the only unit, Circular 02 Art. 25)")]


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    line: int = Field(ge=1, le=10_000)
    code: WasteCodeStr
    name: ShortText
    state: PhysicalState
    packaging: ShortText
    quantity_kg: Kg
    method: ShortText = Field(description="Treatment method planned")


class Measured(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    line: int = Field(ge=1, le=10_000)
    code: WasteCodeStr
    quantity_kg: float = Field(ge=0, le=1_000_000)


class CreateManifest(Command):
    generator_id: UUID
    number: Number
    transporters: list[UUID] = Field(min_length=1, max_length=5)
    facility_1: UUID
    facility_2: UUID | None = None
    vehicle_plate: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=15), SingleLine]
    lines: list[Line] = Field(min_length=1, max_length=200)
    planned_date: date


class ManifestRef(Command):
    manifest_id: UUID


class Receive(Command):
    manifest_id: UUID
    measured: list[Measured] = Field(min_length=1, max_length=200)


class ResolveDiscrepancy(Command):
    manifest_id: UUID
    outcome: DiscrepancyOutcome
    note: ShortText


class Reject(Command):
    manifest_id: UUID
    lines: list[int] | None = Field(None, max_length=200, description="None = the whole load")
    reason: ShortText = Field(description="In words, for the parties and staff; never published")
    reason_code: RejectionCode = Field("other", description="Published instead of the reason")
    alternate_facility: UUID | None = Field(None, description="None = back to the generator")
    number: Number = Field(description="Number of the new linked manifest")


class Treat(Command):
    manifest_id: UUID
    method: ShortText
    treated_on: date


class Cancel(Command):
    manifest_id: UUID
    reason: ShortText = Field(description="In words, for the parties and staff; never published")
    reason_code: CancellationCode = Field("other", description="Published instead of the reason")


class Changes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    transporters: list[UUID] | None = Field(None, min_length=1, max_length=5)
    facility_1: UUID | None = None
    facility_2: UUID | None = None
    vehicle_plate: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=15), SingleLine] | None = None
    lines: list[Line] | None = Field(None, min_length=1, max_length=200)
    planned_date: date | None = None


class Correct(Command):
    manifest_id: UUID
    changes: Changes
    reason: ShortText = Field(description="In words, for the parties and staff; never published")
    reason_code: CorrectionCode = Field("other", description="Published instead of the reason")


class BulkSign(Command):
    manifest_ids: list[UUID] = Field(min_length=1, max_length=500)
    step: Literal["pickup", "treated"]
    method: OptShortText = None
    treated_on: date | None = None


class DeclareStock(Command):
    generator_id: UUID
    year: int = Field(ge=2021, le=2100)
    code: WasteCodeStr
    quantity_kg: Kg
    stored_since: date


class CatalogueEntry(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    code: Annotated[str, StringConstraints(min_length=1, max_length=20), SingleLine]
    chapter: Annotated[str, StringConstraints(pattern=r"^\d{2}$")] | None = None
    name_vi: Annotated[str, StringConstraints(min_length=1, max_length=500), SingleLine]
    name_en: Annotated[str, StringConstraints(max_length=500), SingleLine] | None = None
    state: Annotated[str, StringConstraints(max_length=40), SingleLine] | None = None
    marker: Literal["KS", "NH"] | None = None


class LoadCatalogue(Command):
    version: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SingleLine]
    title: ShortText
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), SingleLine]
    codes: list[CatalogueEntry] = Field(min_length=1, max_length=5000)


class GetManifest(Query):
    manifest_id: UUID


class MyManifests(Query):
    awaiting_only: bool = False


class MassBalance(Query):
    generator_id: UUID
    year: int = Field(ge=2021, le=2100)


class CatalogueQuery(Query):
    pass


# -- staff queries (issue 14): lists from the indexed listing, with paging and a total ------------
Areas = Annotated[list[Code], Field(max_length=50, description="New commune or old district codes: the generator's "
                                                               "site is in one of them (empty = city-wide)")]
StaffFlag = Literal["discrepancy_open", "copy4_overdue", "in_transit_too_long"]


class _Page(Query):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


class StaffManifests(_Page):
    state: ManifestState | None = None
    generator_id: UUID | None = None
    transporter_id: UUID | None = None
    facility_id: UUID | None = None
    code: WasteCodeStr | None = None
    communes: Areas = []
    flag: StaffFlag | None = Field(None, description="One of the oversight lists")


class StaffFlagCounts(Query):
    communes: Areas = []


class StaffStockOverdue(_Page):
    communes: Areas = []


class StaffMassBalances(_Page):
    year: int = Field(ge=2021, le=2100)
    communes: Areas = []
    generator_id: UUID | None = None
    anomaly_only: bool = False


# -- public events ---------------------------------------------------------------------------------
class _M(PublicEvent):
    id: UUID


class PublicLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    line: int
    code: str
    name: str
    state: str
    packaging: str
    quantity_kg: float
    method: str
    rejected: bool = False


class ManifestDrafted(_M):
    event = "manifest_drafted"
    source_event = "Manifest.Drafted"
    generator_id: UUID
    number: str
    transporters: list[UUID]
    facility_1: UUID
    facility_2: UUID | None = None
    lines: list[PublicLine]
    planned_date: date
    linked_from: UUID | None = None


class ManifestSignedByGenerator(_M):
    event = "manifest_signed_by_generator"
    source_event = "Manifest.SignedByGenerator"
    at: datetime


class ManifestSignedByTransporter(_M):
    event = "manifest_signed_by_transporter"
    source_event = "Manifest.SignedByTransporter"
    position: int
    at: datetime


class ManifestReceived(_M):
    event = "manifest_received"
    source_event = "Manifest.Received"
    facility: str
    measured: list[dict[str, Any]]
    discrepancies: list[dict[str, Any]]
    at: datetime
    discrepancy_due: datetime | None = None


class ManifestDiscrepancyAccepted(_M):
    """One side accepted the measured quantities; the discrepancy is agreed when both have."""

    event = "manifest_discrepancy_accepted"
    source_event = "Manifest.DiscrepancyAccepted"
    party: Party


class ManifestDiscrepancyResolved(_M):
    event = "manifest_discrepancy_resolved"
    source_event = "Manifest.DiscrepancyResolved"
    outcome: DiscrepancyOutcome


class ManifestRejected(_M):
    event = "manifest_rejected"
    version = 2  # v1 carried the facility's reason verbatim
    source_event = "Manifest.Rejected"
    facility: str
    lines: list[int]
    full: bool
    reason_code: RejectionCode
    at: datetime

    @classmethod
    def from_domain(cls, e: Any) -> "ManifestRejected":
        return cls(id=e.originator_id, facility=e.facility, lines=e.lines, full=e.full,
                   reason_code=getattr(e, "reason_code", "other"), at=e.at)


class ManifestLinked(_M):
    event = "manifest_linked"
    source_event = "Manifest.Linked"
    manifest_id: UUID


class ManifestTreated(_M):
    event = "manifest_treated"
    source_event = "Manifest.Treated"
    method: str
    treated_on: date


class ManifestCopy4Returned(_M):
    event = "manifest_copy4_returned"
    source_event = "Manifest.Copy4Returned"
    at: datetime


class ManifestClosed(_M):
    event = "manifest_closed"
    source_event = "Manifest.Closed"


class ManifestCancelled(_M):
    event = "manifest_cancelled"
    version = 2  # v1 carried the generator's reason verbatim
    source_event = "Manifest.Cancelled"
    reason_code: CancellationCode

    @classmethod
    def from_domain(cls, e: Any) -> "ManifestCancelled":
        return cls(id=e.originator_id, reason_code=getattr(e, "reason_code", "other"))


class ManifestCorrected(_M):
    event = "manifest_corrected"
    version = 2  # v1 carried the generator's reason verbatim
    source_event = "Manifest.Corrected"
    changed: list[str]
    reason_code: CorrectionCode
    lines: list[PublicLine] | None = Field(None, description="The corrected lines, when they changed")
    # the new route, when it changed (establishment ids are public, as in manifest_drafted): who is
    # asked to sign again follows it
    transporters: list[UUID] | None = Field(None, description="The new transporters, when they changed")
    facility_1: UUID | None = Field(None, description="The new facility 1, when it changed")
    facility_2: UUID | None = Field(None, description="The new facility 2, when it changed")

    @classmethod
    def from_domain(cls, e: Any) -> "ManifestCorrected":
        return cls(id=e.originator_id, changed=sorted(e.changes), reason_code=getattr(e, "reason_code", "other"),
                   lines=e.changes.get("lines"), transporters=e.changes.get("transporters"),
                   facility_1=e.changes.get("facility_1"), facility_2=e.changes.get("facility_2"))


class ManifestResigned(_M):
    event = "manifest_signed_again"
    source_event = "Manifest.Resigned"
    party: str
    at: datetime


class ManifestOverdue(_M):
    event = "manifest_overdue"
    source_event = "Manifest.Overdue"
    rule: Literal["copy4", "transit", "discrepancy"]
    since: datetime


class StockOpened(_M):
    event = "stock_declaration_opened"
    source_event = "StockDeclaration.Opened"
    generator_id: UUID
    year: int


class StockDeclared(_M):
    event = "stock_declared"
    source_event = "StockDeclaration.Declared"
    code: str
    quantity_kg: float
    stored_since: date


class StockStoredTooLong(_M):
    event = "stock_stored_too_long"
    source_event = "StockDeclaration.StoredTooLong"
    item: int


class CatalogueStarted(_M):
    event = "waste_catalogue_started"
    source_event = "WasteCatalogue.Started"


class CatalogueVersionLoaded(_M):
    event = "waste_catalogue_version_loaded"
    source_event = "WasteCatalogue.VersionLoaded"
    catalogue_version: str
    title: str
    source: str
    code_count: int

    @classmethod
    def from_domain(cls, e: Any) -> "CatalogueVersionLoaded":
        return cls(id=e.originator_id, catalogue_version=e.version, title=e.title, source=e.source,
                   code_count=len(e.codes))


PUBLIC_EVENTS: list[type[PublicEvent]] = [
    ManifestDrafted, ManifestSignedByGenerator, ManifestSignedByTransporter, ManifestReceived,
    ManifestDiscrepancyAccepted, ManifestDiscrepancyResolved, ManifestRejected, ManifestLinked, ManifestTreated, ManifestCopy4Returned,
    ManifestClosed, ManifestCancelled, ManifestCorrected, ManifestResigned, ManifestOverdue, StockOpened,
    StockDeclared, StockStoredTooLong, CatalogueStarted, CatalogueVersionLoaded,
]
