"""Answers of the inspections service's file RPCs and of a monitoring filing, as contract models
(issue 17: the bot reads attributes, not dict keys): a stored photo, a stored report document, and
the evaluation of each filed sample against its limit table (services/inspections/limits.py rows)."""
from __future__ import annotations

import base64
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

DIGEST = r"^[0-9a-f]{64}$"


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PhotoStored(Answer):
    """store_photo's answer: the sha256 a report or an inspection then names."""

    photo: str = Field(pattern=DIGEST)


class PhotoData(Answer):
    """incident_photo's answer: one photo of a report, its bytes in base64."""

    photo: str = Field(pattern=DIGEST)
    media_type: str
    bytes: int = Field(ge=0)
    data_b64: str

    def data(self) -> bytes:
        return base64.b64decode(self.data_b64, validate=True)


class DocumentStored(Answer):
    """store_report_document's answer: the document judged by its content (never a file name)."""

    sha256: str = Field(pattern=DIGEST)
    kind: Literal["pdf", "docx", "xlsx"]
    media_type: str
    bytes: int = Field(ge=0)

    def summary(self) -> dict:
        """What a draft keeps of it to show on a card."""
        return {"sha256": self.sha256, "kind": self.kind, "bytes": self.bytes}


class SampleEvaluated(Answer):
    """One filed sample against its limit: the table's, or the permit's stricter one (`limit_source`)."""

    parameter: str
    value: float
    unit: str
    limit_min: float | None = None
    limit_max: float | None = None
    exceedance: float | None = None
    exceeds: bool = False
    limit_table: str | None = None
    limit_version: str | int | None = None
    limit_reason: str | None = None
    limit_source: Literal["table", "permit"] = "table"
    permit_verdict: Literal["unit_differs", "looser", "equal", "stricter"] | None = None


class MonitoringFiled(Answer):
    """file_monitoring_results's answer: the filing's reference and each sample evaluated."""

    id: UUID
    version: int
    ref: str
    exceeded: bool = False
    samples: list[SampleEvaluated] = []

    @property
    def over(self) -> int:
        return sum(1 for s in self.samples if s.exceeds)


__all__ = ["DocumentStored", "MonitoringFiled", "PhotoData", "PhotoStored", "SampleEvaluated"]
