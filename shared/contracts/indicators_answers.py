"""The indicators service's status_card answer, as a contract model (issue 17): what /status and
`langxanh status` show under the registry's facts. Its days are local dates (an inspection's day,
a remedial measure's deadline), shown dd/mm/yyyy."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Measure(Answer):
    measure: str
    deadline: dt.date | None = None


class OpenViolation(Answer):
    id: str
    state: str
    measures: list[Measure] = []


class ManifestTotals(Answer):
    count: int = 0
    handed_over_kg: float = 0.0
    treated_kg: float = 0.0


class GridQuarter(Answer):
    """One quarter of the site's compliance grid: counted towards a target, not, or not concerned (None)."""

    quarter: str
    clusters_with_wwtp: bool | None = None
    villages_classified: bool | None = None
    villages_meeting_conditions: bool | None = None


class StatusCard(Answer):
    last_inspection: dt.date | None = None
    open_violations: list[OpenViolation] = []
    open_incidents: int = 0
    incidents_total: int = 0
    manifests: ManifestTotals = ManifestTotals()
    compliance_grid: list[GridQuarter] = []


__all__ = ["GridQuarter", "ManifestTotals", "Measure", "OpenViolation", "StatusCard"]
