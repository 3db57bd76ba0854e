"""Indicators: the plan's four targets as plain computations over facts, and the immutable
reports the agency issues (one event each: the snapshot as issued)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kit.errors import InvalidInput

NAMESPACE = uuid5(NAMESPACE_URL, "https://langxanh.vn/indicators")
PERIOD = re.compile(r"^(20\d\d)(?:Q([1-4]))?$")
TARGETS = ("hw_treated", "clusters_with_wwtp", "villages_classified", "villages_meeting_conditions")
PLAN_END = "2025Q4"
REFORM = date(2025, 7, 1)


class Period:
    """A quarter ('2025Q4') or a year ('2025') in local dates."""

    def __init__(self, text: str) -> None:
        m = PERIOD.match(text.strip().upper()) if isinstance(text, str) else None
        if not m:
            raise InvalidInput(f"{str(text)[:20]!r} is not a quarter like 2025Q4 or a year like 2025", "quarter", "format")
        self.year, self.q = int(m.group(1)), int(m.group(2)) if m.group(2) else None
        self.text = f"{self.year}Q{self.q}" if self.q else str(self.year)

    @property
    def start(self) -> date:
        return date(self.year, 3 * (self.q - 1) + 1 if self.q else 1, 1)

    @property
    def end(self) -> date:
        if self.q is None or self.q == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.q + 1, 1) - timedelta(days=1)

    def index(self) -> int:
        return self.year * 4 + (self.q or 4) - 1

    @staticmethod
    def of_index(i: int) -> "Period":
        return Period(f"{i // 4}Q{i % 4 + 1}")

    def __repr__(self) -> str:
        return self.text


def roadmap_target(first: Period, first_ratio: float, period: Period) -> float:
    """Default roadmap: a straight line from the first measured quarter's value to 100 % at 2025Q4,
    held at 100 % after."""
    end = Period(PLAN_END).index()
    i, f = period.index(), first.index()
    if i >= end or f >= end:
        return 1.0
    if i <= f:
        return first_ratio
    return first_ratio + (1.0 - first_ratio) * (i - f) / (end - f)


def status(ratio: float | None, target: float | None, margin: float = 0.10) -> str:
    if ratio is None or target is None:
        return "no_data"
    if ratio + 1e-9 >= target:
        return "on_track"
    if ratio + margin + 1e-9 >= target:
        return "at_risk"
    return "off_track"


class Report(Aggregate):
    """An issued report: its figures as they stood, never changed afterwards."""

    @staticmethod
    def create_id(period: str, unit: str | None, issued_at: str) -> UUID:
        return uuid5(NAMESPACE, f"report:{period}:{unit or '*'}:{issued_at}")

    @event("Issued")
    def __init__(self, period: str, unit: str | None, issued_at: str, as_of: str, units: list[dict],
                 trend: dict, actor: dict) -> None:
        self.period = period
        self.unit = unit
        self.issued_at = issued_at
        self.as_of = as_of
        self.units = units
        self.trend = trend


AGGREGATES = (Report,)
