"""The domain's words, once: incident categories and priorities, and the states of every
aggregate whose state its commands check. Plain enums (no pydantic, no eventsourcing).

The single source: the domain models (services/*/domainmodel.py) use these enums and their state
rules; the contracts (shared/contracts) derive their Literal types from them with `literal`, so a
new category or state is added here and nowhere else. shared/ never imports services/, so the
words live here rather than in a domain model.
"""
from __future__ import annotations

from enum import Enum
from typing import Any, Literal


class Category(str, Enum):
    WASTEWATER = "wastewater"
    SMOKE_ODOUR = "smoke_odour"
    DUST = "dust"
    NOISE = "noise"
    OPEN_BURNING = "open_burning"
    ILLEGAL_DUMPING = "illegal_dumping"
    HAZARDOUS_WASTE = "hazardous_waste"
    OTHER = "other"


class Priority(str, Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class IncidentState(str, Enum):
    REPORTED = "reported"
    TRIAGED = "triaged"
    REJECTED = "rejected"
    MERGED = "merged"
    ASSIGNED = "assigned"
    VERIFIED = "verified"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"


# still being worked on: the resolution deadline runs, Open311 says "open" (values: a str Enum member
# hashes by its name, so a set of members would not find the plain string a document carries)
OPEN_INCIDENT_STATES: frozenset[str] = frozenset(s.value for s in (
    IncidentState.REPORTED, IncidentState.TRIAGED, IncidentState.ASSIGNED, IncidentState.VERIFIED, IncidentState.REOPENED))

# an incident the reporter (or its assignee) may still add words or photos to: open, or resolved
# (the reporter may dispute a resolution); the domain's rule and the bot's button both read it
INFORMATION_STATES: tuple[str, ...] = tuple(s.value for s in (
    IncidentState.REPORTED, IncidentState.TRIAGED, IncidentState.ASSIGNED, IncidentState.VERIFIED,
    IncidentState.REOPENED, IncidentState.RESOLVED))


class InspectionKind(str, Enum):
    PLANNED = "planned"
    UNANNOUNCED = "unannounced"


class InspectionState(str, Enum):
    SCHEDULED = "scheduled"
    CONDUCTED = "conducted"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"


class OffenderType(str, Enum):
    INDIVIDUAL = "individual"
    HOUSEHOLD = "household"      # fined as an individual (Decree 45)
    ORGANISATION = "organisation"  # twice the individual band (Decree 45)


class ViolationState(str, Enum):
    RECORDED = "recorded"
    SANCTION_DECIDED = "sanction_decided"
    EVIDENCE_SUBMITTED = "evidence_submitted"
    CLOSED = "closed"


class ManifestState(str, Enum):
    DRAFT = "draft"
    HANDED_OVER = "handed_over"      # the generator signed; copy 3 stays with it
    IN_TRANSIT = "in_transit"        # at least one transporter signed at pickup
    RECEIVED = "received"            # the facility signed with measured quantities
    TREATED = "treated"
    COPY4_RETURNED = "copy4_returned"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"            # the facility refused the whole load


class DiscrepancyState(str, Enum):
    OPEN = "open"
    AGREED = "agreed"
    ESCALATED = "escalated"


def values(enum: type[Enum]) -> tuple[str, ...]:
    """The enum's values, in its order (what a contract, a form or a filter offers)."""
    return tuple(str(member.value) for member in enum)


def literal(enum: type[Enum]) -> Any:
    """`Literal["a", "b", …]` of the enum's values: a contract's type (same JSON schema, same
    `get_args` as a Literal written out)."""
    return Literal[values(enum)]  # type: ignore[valid-type]
