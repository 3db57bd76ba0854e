"""Contracts of the reports establishments owe (issue 16), RPCs of the inspections service: a
report document stored, the annual environmental protection report and monitoring results filed
per establishment and year, who records a cluster's infrastructure owner, the owed and overdue
list. Rules: services/inspections/reports_model.py."""
from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from shared.contracts.base import Code, Command, OptShortText, Query
from shared.contracts.inspections import Sample

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Year = Annotated[int, Field(ge=2022, le=2100)]


class StoreReportDocument(Command):
    data_b64: Annotated[str, StringConstraints(min_length=4, max_length=14_000_000)] = Field(
        description="The document, base64: a PDF, DOCX or XLSX judged by its content (10 MB at most); "
                    "answered with its sha256, kind and size")


class FileAnnualReport(Command):
    """The first filing for a year is the report (on time or late); a later one is a correction."""

    establishment_id: UUID
    year: Year
    document: Sha256 = Field(description="A document stored with store_report_document")
    note: OptShortText = Field(None, description="What a correction changes")


class SetInfrastructureOwner(Command):
    establishment_id: UUID
    owner: bool


class FileMonitoringResults(Command):
    establishment_id: UUID
    sampled_on: date
    samples: list[Sample] = Field(min_length=1, max_length=100)
    ref: Code | None = Field(None, description="The filing's name within its year (default: the sampling day)")
    document: Sha256 | None = Field(None, description="The laboratory's results, stored with store_report_document")


class ReportingYearRef(Query):
    establishment_id: UUID
    year: Year


class OwedReports(Query):
    year: Year
    on: date | None = Field(None, description="Overdue as of this local day (default: today)")
    overdue_only: bool = False
