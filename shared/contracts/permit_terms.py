"""The discharge terms an establishment's environmental permit (GPMT) or registration (ĐKMT)
states, as the inspections service needs them to choose and tighten the wastewater limits
(issue 16): since when the facility operates or its EIA was approved (QCVN 40:2011 → 40:2025
transition), its sector (textile dyeing followed QCVN 13-MT:2015), the receiving water's column,
the discharge flow, and the permit's own limits per parameter (a stricter one wins).

Carried inside `Permit` (shared/contracts/sites.py) on registration, amendment and the public
establishment events; the sites service stores it as given.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.contracts.clean_text import SingleLine

Sector = Literal["general", "textile_dyeing"]
ParameterCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SingleLine]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20), SingleLine]
Column = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z][0-9]?$")]
MAX_LIMITS = 60  # QCVN 40:2011 has 33 parameters


class PermitLimit(BaseModel):
    """A limit the permit itself sets for one parameter (absolute: no Kq, Kf): a maximum, or a
    range (pH)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    parameter: ParameterCode
    unit: Unit
    min: float | None = Field(None, ge=0, le=1e9)
    max: float | None = Field(None, ge=0, le=1e9)

    @model_validator(mode="after")
    def _a_bound(self) -> "PermitLimit":
        bounds = [b for b in (self.min, self.max) if b is not None]
        if not bounds:
            raise ValueError(f"the permit limit of {self.parameter} needs a max (or a min and a max)")
        if any(not math.isfinite(b) for b in bounds):
            raise ValueError("a permit limit is a finite number")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"the permit limit of {self.parameter}: min above max")
        return self


class DischargeTerms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    operating_since: dt.date | None = None
    eia_approved_on: dt.date | None = None
    sector: Sector = "general"
    column: Column | None = Field(None, description="The limit table's column for the receiving water (e.g. A, B)")
    flow_m3_day: float | None = Field(None, gt=0, le=1e7)
    limits: list[PermitLimit] = Field(default_factory=list, max_length=MAX_LIMITS)

    @model_validator(mode="after")
    def _one_limit_per_parameter(self) -> "DischargeTerms":
        seen = [p.parameter.lower() for p in self.limits]
        if len(seen) != len(set(seen)):
            raise ValueError("the permit names a parameter's limit twice")
        return self
