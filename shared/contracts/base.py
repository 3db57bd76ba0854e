"""Bases for contracts: commands, queries and public events."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from shared.contracts.clean_text import MultiLine, SingleLine, refuse_anywhere

# Bounded text types: nothing unbounded crosses a service boundary, and no control character
# (shared/contracts/clean_text.py): one-line texts turn tabs and line breaks into spaces,
# multi-line texts keep LF and TAB; NUL, the other C0/C1 controls, lone surrogates and
# non-characters are refused (InvalidInput, rule "control_character").
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine]
OptShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine] | None
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), MultiLine]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80,
                                        pattern=r"^[A-Za-z0-9._:/-]+$"), SingleLine]
CommandId = Annotated[str, StringConstraints(min_length=1, max_length=200), SingleLine]


class Contract(BaseModel):
    """An RPC input: unknown fields are refused, types are strict-ish (no silent coercion of junk)."""

    model_config = ConfigDict(extra="forbid", str_max_length=5000, frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_character(cls, value: Any, info: ValidationInfo) -> Any:
        """The safety net under the text types: no field of any contract (`str`, nested models,
        dicts, lists) holds a control character, whatever its declared type."""
        refuse_anywhere(value)
        return value


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
