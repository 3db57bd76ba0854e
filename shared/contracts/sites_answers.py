"""Answers of the sites service's RPCs, as contract models: what a caller reads is typed and
validated where it is read (issue 17: no untyped dicts sliced by position). A site's days
(recognised, classified, checked) are local dates; codes stay strings, so an answer with a code
this caller does not know yet still reads. The link codes' answers: shared/contracts/sites_links.py."""
from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Written(Answer):
    """A command's answer (register_establishment, classify_site, set_condition, set_wwtp, …): the
    aggregate written and its version."""

    id: UUID
    version: int


class Point(Answer):
    """Where a site is (WGS84, coarsened to 2 decimals)."""

    lat: float
    lon: float

    def as_dict(self) -> dict:
        return {"lat": self.lat, "lon": self.lon}


class Recognition(Answer):
    decision: str | None = None
    date: dt.date | None = None  # None while the date is not verified
    legal_basis: str | None = None


class Withdrawal(Answer):
    decision: str
    effective: dt.date
    legal_basis: str | None = None


class Classification(Answer):
    date: dt.date
    water: str
    air: str
    soil: str
    hanoi_list: int | None = None
    assessor: str | None = None
    legal_basis: str | None = None


class Condition(Answer):
    """One of the five Art. 56 conditions as last checked (`evidence`: staff only)."""

    state: str
    date: dt.date | None = None
    legal_basis: str | None = None
    evidence: str | None = None
    evidence_file: str | None = None


class Wwtp(Answer):
    status: str
    capacity_m3_day: float | None = None
    auto_monitoring: bool | None = None
    since: dt.date | None = None
    note: str | None = None  # staff only


class SiteSummary(Answer):
    """A site as search_sites and list_sites answer it (the read model's summary)."""

    id: UUID
    kind: str
    name: str
    trade: str | None = None
    trade_group: str | None = None
    commune: str | None = None
    old_district: str | None = None
    old_commune: str | None = None
    location: Point | None = None
    craft_village_cluster: bool = False
    recognition: Recognition | None = None
    recognition_withdrawn: Withdrawal | None = None
    classification: Classification | None = None
    wwtp: Wwtp | None = None
    active: bool = True
    conditions_met: int | None = None  # the summary's count (get_site gives the conditions)
    score: float | None = None  # search_sites only: how well the name matched


class SiteListing(Answer):
    """list_sites' answer: one page of sites, in name order."""

    total: int
    offset: int = 0
    sites: list[SiteSummary] = []


class SiteCard(SiteSummary):
    """get_site's answer: the registry's facts of one site (as it stood `on` a date)."""

    version: int
    on: dt.date | None = None
    households: int | None = None
    area_ha: float | None = None
    conditions: dict[str, Condition] = {}
    classifications: list[Classification] = []
    reference_key: str | None = None
    source: str | None = None
    confidence: str | None = None


class EstablishmentCard(Answer):
    """get_establishment's and site_establishments' answers: one establishment of the registry."""

    id: UUID
    site_id: UUID
    name: str
    form: str
    version: int | None = None
    registration_code: str | None = None
    trades: list[str] = []
    hw_generator: bool = False
    transporter: bool = False
    treatment_facility: bool = False
    active: bool = True


class Licence(Answer):
    number: str | None = None
    date: dt.date | None = None
    waste_codes: list[str] = []


class PartyFound(Answer):
    """One establishment of search_establishments: a transporter or treatment facility a manifest may name
    (no permit details, no trades)."""

    id: UUID
    name: str
    registration_code: str | None = None
    site_id: UUID | None = None
    transporter: bool = False
    treatment_facility: bool = False
    licence: Licence | None = None
    score: float | None = None


__all__ = ["Licence", "PartyFound", "Classification", "Condition", "EstablishmentCard", "Point", "Recognition", "SiteCard", "SiteListing",
           "SiteSummary", "Withdrawal", "Written", "Wwtp"]
