"""Small value helpers shared by every service's domain and application (plain Python)."""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from shared.kit.errors import InvalidInput


def parse_uuid(value: Any, field: str) -> UUID:
    """A UUID from a UUID or its text, or InvalidInput naming the field."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID, got {str(value)[:40]!r}", field, "uuid") from None


def coarse(location: dict | None) -> dict | None:
    """Public locations are coarsened to 2 decimals (about 1 km)."""
    if not location:
        return None
    return {"lat": round(float(location["lat"]), 2), "lon": round(float(location["lon"]), 2)}


def plain(value: Any) -> Any:
    """Plain JSON-able data for query answers (UUIDs, dates and enums as strings)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
