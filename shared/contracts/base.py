"""Bases for contracts: commands, queries and public events."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Bounded text types: nothing unbounded crosses a service boundary.
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._:/-]+$")]
CommandId = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Contract(BaseModel):
    """An RPC input: unknown fields are refused, types are strict-ish (no silent coercion of junk)."""

    model_config = ConfigDict(extra="forbid", str_max_length=5000, frozen=True)


class Command(Contract):
    command_id: CommandId | None = Field(
        None, description="Chosen by the caller; the same id again acts once and returns the same answer."
    )


class Query(Contract):
    pass


MAX_POSITION = 10**15  # far beyond any log; keeps positions inside every store's integer type
MAX_OFFSET = 10**9     # paging offsets: far beyond any list, inside every store's integer type


class EventsSince(Query):
    position: int = Field(0, ge=0, le=MAX_POSITION,
                          description="Last notification id the caller has; events after it are returned.")
    limit: int = Field(100, ge=1, le=1000)


class PublicEvent(BaseModel):
    """A public event: only the fields declared here leave the service (never raw domain state)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event: ClassVar[str]          # lower snake case: the routing key is "<service>.<event>"
    version: ClassVar[int] = 1    # bump on an incompatible change
    source_event: ClassVar[str]   # the domain event's qualified class name, e.g. "Site.Registered"

    @classmethod
    def from_domain(cls, domain_event: Any) -> "PublicEvent":
        data = dict(vars(domain_event))
        data["id"] = str(domain_event.originator_id)
        return cls.model_validate(data)
