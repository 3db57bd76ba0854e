"""Answers of the manifests service's RPCs the bot reads, as contract models (issue 17: no untyped
dicts sliced by position). Instants are UTC (`received.at`, `copy4_returned_at`, a discrepancy's
`due`); the days a party reads are Hanoi's (the `*_day` properties, shared/kit/calendar.py). The
lines stay as the service gives them (each flow takes the fields it carries into its draft)."""
from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.kit.calendar import local_date


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ManifestRow(Answer):
    """One manifest of my_manifests: the establishment's part (`party`) in it."""

    id: UUID
    number: str
    state: str
    party: str
    awaiting: str | None = None  # the parties whose signature is awaited, comma-separated


class Signature(Answer):
    party: str
    version: int | None = None
    at: dt.datetime | None = None
    rejected: bool = False


class Receipt(Answer):
    facility: str | None = None
    at: dt.datetime
    lines: list[dict] = []  # measured: {line, quantity_kg, code?}

    @property
    def day(self) -> dt.date:
        """The local (Hanoi) day of the receipt, which no treatment may precede."""
        return local_date(self.at)


class Discrepancy(Answer):
    state: str
    lines: list[dict] = []  # declared and measured figures per line
    due: dt.datetime | None = None


class Treatment(Answer):
    method: str | None = None
    date: dt.date | None = None


class ManifestCard(Answer):
    """get_manifest's answer: one manifest as every party named on it reads it."""

    id: UUID
    version: int
    number: str
    state: str
    manifest_version: int = 1
    generator_id: str
    transporters: list[str] = []
    facility_1: str
    facility_2: str | None = None
    vehicle_plate: str | None = None
    planned_date: dt.date | None = None
    lines: list[dict] = []
    signatures: list[Signature] = []
    resign: list[str] = []
    received: Receipt | None = None
    discrepancy: Discrepancy | None = None
    treatment: Treatment | None = None
    copy4_returned_at: dt.datetime | None = None
    links: list[str] = []

    @property
    def copy4_day(self) -> dt.date | None:
        return local_date(self.copy4_returned_at) if self.copy4_returned_at else None

    @property
    def open_discrepancy(self) -> Discrepancy | None:
        return self.discrepancy if self.discrepancy and self.discrepancy.state == "open" else None


class Signed(Answer):
    """A signature's answer (sign_handover, sign_pickup, sign_again, return_copy4, receive, treat,
    correct, …): the state after it, and the manifest's version (a correction makes a new one)."""

    id: UUID
    version: int
    state: str
    manifest_version: int = 1


class WasteCode(Answer):
    """One entry of the waste-code catalogue in force (Circular 02/2022 Annex III as loaded)."""

    code: str | None = Field(default=None, max_length=20)  # an entry without one is never offered
    name_vi: str | None = None
    name_en: str | None = None
    state: str | None = None  # the usual physical state
    marker: str | None = None  # KS / NH / TT-R …


class WasteCatalogue(Answer):
    """waste_catalogue's answer: the version in force and its codes."""

    version: str = "?"
    codes: list[WasteCode] = []


class Rejected(Answer):
    """reject's answer: the refused manifest's state and the linked manifest that carries the waste."""

    id: UUID
    state: str
    linked_manifest: UUID
    full: bool
    to: Literal["alternate_facility", "generator"]


class BulkLine(Answer):
    manifest_id: str
    signed: bool
    error: dict | None = None  # the refusal as LangXanhError.as_dict() gives it


class BulkSigned(Answer):
    """bulk_sign's answer: how many signed, and each manifest's outcome in the order asked."""

    signed: int
    results: list[BulkLine]


__all__ = ["BulkLine", "BulkSigned", "Discrepancy", "ManifestCard", "ManifestRow", "Receipt", "Rejected", "Signature",
           "Signed", "Treatment", "WasteCatalogue", "WasteCode"]
