"""Contracts of the inspections service's staff queries (the inbox of resident reports, issue 14).

Staff only (services/inspections/access.py). No answer carries the reporter's pseudonym.
"""
from __future__ import annotations

from uuid import UUID

from pydantic import Field

from shared.contracts.base import MAX_OFFSET, Code, OptShortText, Query
from shared.contracts.inspections import BlobRef, Category, IncidentState

MAX_COMMUNES = 50


class StaffInbox(Query):
    """A page of the inbox: open reports by their running deadline (overdue first), then the others,
    newest first; with the count of every report matching."""
    states: list[IncidentState] = Field(default_factory=list, max_length=9, description="Any of these (none: every state)")
    category: Category | None = None
    communes: list[Code] = Field(default_factory=list, max_length=MAX_COMMUNES,
                                 description="Scope: sites whose new commune or old district is one of these "
                                             "(none: city-wide; a report without a site is in no commune)")
    site_id: UUID | None = None
    overdue: bool = Field(False, description="Only the reports whose running deadline has passed")
    inspector: OptShortText = Field(None, description="Assigned to this inspector (with `unit`: to either)")
    unit: OptShortText = Field(None, description="Assigned to this unit (with `inspector`: to either)")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


class IncidentPhoto(Query):
    incident_id: UUID
    photo: BlobRef = Field(description="A photo the report references (its own, an addition, a reopening, on site)")
