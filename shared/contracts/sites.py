"""Contracts of the sites service: RPC inputs (validated at the entrypoint) and public events.

Enumerations mirror the domain vocabulary as Literal types so the contracts never import
domain code; tests/contracts checks the two stay equal.
"""
from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.contracts.clean_text import SingleLine
from shared.contracts.base import Code, Command, LongText, OptShortText, PublicEvent, Query, ShortText, MAX_OFFSET
from shared.contracts.permit_terms import DischargeTerms

SiteKind = Literal["craft_village", "industrial_zone", "industrial_cluster"]
TradeGroup = Literal["agro_food", "handicraft", "wood_rattan_ceramics_glass_textile_mechanics",
                     "ornamental_plants", "materials", "services"]
WwtpStatus = Literal["none", "planned", "under_construction", "operating", "idle"]
PollutionLevel = Literal["severe", "polluted", "not_polluted"]
ConditionItem = Literal["protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point"]
ConditionState = Literal["met", "not_met", "in_progress", "not_applicable"]
EstablishmentForm = Literal["enterprise", "household"]
PermitType = Literal["GPMT", "DKMT", "none"]
from shared.contracts.sites_links import LinkRole  # noqa: E402,F401  (sites_links imports nothing of sites)
Confidence = Literal["H", "M", "L"]
WasteCode = Annotated[str, StringConstraints(pattern=r"^\d{2} \d{2} \d{2}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Location(BaseModel):
    """Coordinates in Hanoi (WGS84); stored coarsened to 2 decimals."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    lat: float = Field(ge=20.3, le=21.6)
    lon: float = Field(ge=105.2, le=106.1)


class Permit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: PermitType
    number: OptShortText = None
    date: dt.date | None = None
    discharge: DischargeTerms | None = None  # what inspections need to choose the limits (issue 16)

    @model_validator(mode="after")
    def _number_when_permitted(self) -> "Permit":
        if self.type != "none" and not self.number:
            raise ValueError(f"a {self.type} permit needs its number")
        return self


class Licence(BaseModel):
    """Hazardous-waste licence of a transporter or treatment facility."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: ShortText
    date: dt.date | None = None
    waste_codes: list[WasteCode] = Field(default_factory=list, max_length=1000)


# -- commands --------------------------------------------------------------------------------------
class RegisterSite(Command):
    kind: SiteKind
    name: ShortText
    trade: OptShortText = None
    trade_group: TradeGroup | None = None
    craft_village_cluster: bool = False
    old_district: Code | None = Field(None, description="Old district code (before 1 July 2025), e.g. gia-lam")
    old_commune: OptShortText = Field(None, description="Old commune/ward name (before 1 July 2025)")
    commune: Code | None = Field(None, description="New commune/ward code (from 1 July 2025), e.g. xa-bat-trang")
    location: Location | None = None
    households: int | None = Field(None, ge=0, le=1_000_000)
    area_ha: float | None = Field(None, ge=0, le=100_000)
    reference_key: Code | None = Field(None, description="Stable key of a reference-data entry (seed)")
    source: OptShortText = None
    confidence: Confidence | None = None


class SiteChanges(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: ShortText | None = None
    trade: OptShortText = None
    trade_group: TradeGroup | None = None
    location: Location | None = None
    households: int | None = Field(None, ge=0, le=1_000_000)
    area_ha: float | None = Field(None, ge=0, le=100_000)
    craft_village_cluster: bool | None = None


class AmendSite(Command):
    site_id: UUID
    changes: SiteChanges
    source: OptShortText = Field(None, description="Where this comes from (an import: the file and row)")


class RecogniseSite(Command):
    site_id: UUID
    decision: OptShortText = Field(None, description="Recognition decision number; None when not yet verified")
    recognised_on: date | None = Field(None, description="None when the date is not yet verified")
    legal_basis: ShortText


class ClassifySite(Command):
    site_id: UUID
    classified_on: date
    water: PollutionLevel
    air: PollutionLevel
    soil: PollutionLevel
    hanoi_list: int | None = Field(None, ge=1, le=4, description="QĐ 2546/QĐ-UBND list 1–4")
    assessor: ShortText
    legal_basis: ShortText


class SetCondition(Command):
    site_id: UUID
    item: ConditionItem
    state: ConditionState
    checked_on: date
    legal_basis: ShortText = "Luật BVMT 72/2020/QH14 Điều 56"
    evidence: LongText | None = None
    evidence_file: Sha256 | None = Field(None, description="sha256 of an evidence file stored by store_evidence")


class SetWwtp(Command):
    site_id: UUID
    status: WwtpStatus
    capacity_m3_day: float | None = Field(None, ge=0, le=1_000_000)
    auto_monitoring: bool | None = None
    since: date | None = None
    note: OptShortText = None


class ReformEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    old_district: Code | None = None
    old_commune: OptShortText = None
    site_id: UUID | None = None
    commune: Code

    @model_validator(mode="after")
    def _target(self) -> "ReformEntry":
        if not self.site_id and not self.old_district:
            raise ValueError("an entry names a site_id or an old_district")
        return self


class RecordReform(Command):
    entries: list[ReformEntry] = Field(min_length=1, max_length=5000)
    effective: date = date(2025, 7, 1)
    legal_basis: ShortText = "NQ 1656/NQ-UBTVQH15 (16/06/2025)"


class DeactivateSite(Command):
    site_id: UUID
    reason: ShortText


class RegisterEstablishment(Command):
    site_id: UUID
    name: ShortText
    form: EstablishmentForm
    registration_code: Code
    trades: list[ShortText] = Field(default_factory=list, max_length=20)
    permit: Permit | None = None
    hw_generator: bool = False
    transporter: bool = False
    treatment_facility: bool = False
    licence: Licence | None = None
    source: OptShortText = Field(None, description="Where this comes from (an import: the file and row)")


class EstablishmentChanges(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: ShortText | None = None
    trades: list[ShortText] | None = Field(None, max_length=20)
    permit: Permit | None = None
    hw_generator: bool | None = None
    transporter: bool | None = None
    treatment_facility: bool | None = None
    licence: Licence | None = None


class AmendEstablishment(Command):
    establishment_id: UUID
    changes: EstablishmentChanges
    source: OptShortText = Field(None, description="Where this comes from (an import: the file and row)")


# -- queries ---------------------------------------------------------------------------------------
class GetSite(Query):
    site_id: UUID
    on: date | None = Field(None, description="Jurisdiction as it stood on this date")
    as_of: datetime | None = Field(None, description="The registry as it knew the site at this instant")


class SearchSites(Query):
    query: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine] = ""
    kind: SiteKind | None = None
    commune: Code | None = None
    old_district: Code | None = None
    limit: int = Field(20, ge=1, le=500)


class SearchEstablishments(Query):
    """Find a transporter or a treatment facility by name or registration code (diacritics
    ignored). Only establishments registered in that role are listed — never households."""

    query: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine] = ""
    role: Literal["transporter", "treatment_facility"]
    limit: int = Field(10, ge=1, le=50)


class ListSites(Query):
    kind: SiteKind | None = None
    commune: Code | None = None
    old_district: Code | None = None
    recognised: bool | None = None
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(100, ge=1, le=1000)


class SiteRef(Query):
    site_id: UUID


class EstablishmentRef(Query):
    establishment_id: UUID


# -- public events ---------------------------------------------------------------------------------
class _SiteEvent(PublicEvent):
    id: UUID = Field(description="The site id (also the CloudEvent subject)")


class SiteRegistered(_SiteEvent):
    event = "site_registered"
    source_event = "Site.Registered"
    kind: SiteKind
    name: str
    trade: str | None = None
    trade_group: TradeGroup | None = None
    craft_village_cluster: bool = False
    old_district: str | None = None
    old_commune: str | None = None
    commune: str | None = None
    location: Location | None = None
    households: int | None = None
    area_ha: float | None = None
    reference_key: str | None = None
    source: str | None = None
    confidence: Confidence | None = None


class SiteAmended(_SiteEvent):
    event = "site_amended"
    source_event = "Site.Amended"
    changes: dict[str, Any]


class SiteRecognised(_SiteEvent):
    event = "site_recognised"
    source_event = "Site.Recognised"
    decision: str | None = None
    recognised_on: date | None = None
    legal_basis: str


class SiteClassified(_SiteEvent):
    event = "site_classified"
    source_event = "Site.Classified"
    classified_on: date
    water: PollutionLevel
    air: PollutionLevel
    soil: PollutionLevel
    hanoi_list: int | None = None
    assessor: str
    legal_basis: str


class SiteConditionSet(_SiteEvent):
    """The checked item and its state are published; the evidence in words is not (get_site)."""

    event = "site_condition_set"
    version = 2  # v1 carried the evidence text verbatim
    source_event = "Site.ConditionSet"
    item: ConditionItem
    state: ConditionState
    checked_on: date
    legal_basis: str


class SiteWwtpStatusSet(_SiteEvent):
    event = "site_wwtp_status_set"
    version = 2  # v1 carried the note verbatim
    source_event = "Site.WwtpStatusSet"
    status: WwtpStatus
    capacity_m3_day: float | None = None
    auto_monitoring: bool | None = None
    since: date | None = None


class SiteJurisdictionChanged(_SiteEvent):
    event = "site_jurisdiction_changed"
    source_event = "Site.JurisdictionChanged"
    commune: str
    effective: date
    legal_basis: str


class SiteDeactivated(_SiteEvent):
    event = "site_deactivated"
    version = 2  # v1 carried the reason verbatim
    source_event = "Site.Deactivated"


class EstablishmentRegistered(PublicEvent):
    """Households are fined and listed as individuals: their name is personal data and is not
    published; enterprises are published by name."""

    event = "establishment_registered"
    source_event = "Establishment.Registered"
    id: UUID
    site_id: UUID
    form: EstablishmentForm
    name: str | None = None
    registration_code: str | None = None
    trades: list[str] = []
    permit: Permit | None = None
    hw_generator: bool = False
    transporter: bool = False
    treatment_facility: bool = False
    licence: Licence | None = None

    @classmethod
    def from_domain(cls, domain_event: Any) -> "EstablishmentRegistered":
        data = dict(vars(domain_event))
        data["id"] = str(domain_event.originator_id)
        if data.get("form") == "household":
            data["name"] = None
            data["registration_code"] = None
        return cls.model_validate(data)


class EstablishmentAmended(PublicEvent):
    event = "establishment_amended"
    source_event = "Establishment.Amended"
    id: UUID
    changed: list[str] = Field(description="Names of the fields that changed (values: get_establishment)")
    hw_generator: bool | None = None
    transporter: bool | None = None
    treatment_facility: bool | None = None
    licence: Licence | None = None
    permit: Permit | None = None  # the new permit when `changed` names it (None there: removed)

    @classmethod
    def from_domain(cls, domain_event: Any) -> "EstablishmentAmended":
        changes = dict(domain_event.changes)
        public = {k: changes[k] for k in ("hw_generator", "transporter", "treatment_facility", "licence", "permit") if k in changes}
        return cls.model_validate({"id": str(domain_event.originator_id), "changed": sorted(changes), **public})


class EstablishmentDeactivated(PublicEvent):
    event = "establishment_deactivated"
    version = 2  # v1 carried the reason verbatim
    source_event = "Establishment.Deactivated"
    id: UUID


# Link codes publish nothing (issue 13): their events stay in the service's own log
# (services/sites/linkcodes.py PRIVATE_AGGREGATES), neither on the stream nor in events_since.


from shared.contracts.sites_recognition import SiteRecognitionWithdrawn, WithdrawRecognition  # noqa: E402,F401
from shared.contracts.sites_links import IssueLinkCode, RedeemLinkCode, StaffEmail  # noqa: E402,F401
PUBLIC_EVENTS: list[type[PublicEvent]] = [
    SiteRegistered, SiteAmended, SiteRecognised, SiteClassified, SiteConditionSet, SiteWwtpStatusSet,
    SiteJurisdictionChanged, SiteDeactivated, EstablishmentRegistered, EstablishmentAmended,
    EstablishmentDeactivated, SiteRecognitionWithdrawn]
