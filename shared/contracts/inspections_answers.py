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
