"""Local dates, working days and distances: deadlines are reckoned in Asia/Ho_Chi_Minh dates."""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(instant: datetime) -> date:
    return instant.astimezone(LOCAL_TZ).date()


def instant_key(at: datetime) -> str:
    """A UTC instant as fixed-width text, ordered as text like the instants (always with
    microseconds): what read models keep in indexed columns and range-scan."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def end_of_local_day(day: date) -> datetime:
    """The last instant of a local day, in UTC (a deadline 'within day D' ends then)."""
    return datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ).astimezone(timezone.utc) - timedelta(microseconds=1)


def _dates(days: Iterable[date | str]) -> set[date]:
    return {d if isinstance(d, date) else date.fromisoformat(d) for d in days}


class WorkingDays:
    """Monday–Friday minus public holidays, plus the Saturdays worked to make up a swap."""

    def __init__(self, holidays: Iterable[date | str] = (), makeup_days: Iterable[date | str] = ()) -> None:
        self.holidays = _dates(holidays)
        self.makeup_days = _dates(makeup_days)

    def is_working(self, day: date) -> bool:
        return day in self.makeup_days or (day.weekday() < 5 and day not in self.holidays)

    def add(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working(day):
                left -= 1
        return day


def distance_m(a: dict, b: dict) -> float:
    """Great-circle distance in metres between two {lat, lon} points."""
    r = 6_371_000.0
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dp, dl = p2 - p1, math.radians(b["lon"] - a["lon"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))
