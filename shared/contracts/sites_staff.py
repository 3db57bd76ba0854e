"""Contracts of the staff's registry queries (issue 14): the search over sites and establishments
with its filters and pages, and a site as it stood on a date. Access: staff (services/sites/access.py)."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from shared.contracts.base import Code, Command, MAX_OFFSET, Query
from shared.contracts.clean_text import SingleLine
from shared.contracts.sites import Sha256, SiteKind, WwtpStatus

SearchText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine]
Communes = Annotated[list[Code], Field(min_length=1, max_length=100)]


class StaffSites(Query):
    """A page of sites for staff: text matched diacritic-free, every filter optional."""

    query: SearchText = ""
    kind: SiteKind | None = None
    commune: Code | None = Field(None, description="New commune/ward code (from 1 July 2025)")
    old_district: Code | None = Field(None, description="Old district code (before 1 July 2025)")
    recognised: bool | None = None
    classified: bool | None = Field(None, description="Has at least one pollution classification")
    conditions_met: bool | None = Field(None, description="All five Art. 56 conditions met (central WWTP: "
                                                          "met or not applicable)")
    wwtp: WwtpStatus | Literal["unset"] | None = Field(None, description="WWTP status; 'unset': none recorded")
    active: bool | None = None
    communes: Communes | None = Field(None, description="A commune officer's scope: sites whose new commune or "
                                                        "old district is one of these")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


class StaffEstablishments(Query):
    query: SearchText = ""
    site_id: UUID | None = None
    role: Literal["hw_generator", "transporter", "treatment_facility"] | None = None
    active: bool | None = None
    communes: Communes | None = None
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


class SiteAsOf(Query):
    """The site as the registry knew it at the end of day `at` (Hanoi time): the last event
    stored by then, and its jurisdiction on that date."""

    site_id: UUID
    at: date


class StoreEvidence(Command):
    data_b64: Annotated[str, StringConstraints(min_length=4, max_length=14_000_000)] = Field(
        description="An evidence file (PDF, JPEG, PNG or WebP), base64; answered with its sha256 "
                    "(`evidence_file`, for set_condition). Photos are stored without their metadata.")


class EvidenceRef(Query):
    evidence_file: Sha256
