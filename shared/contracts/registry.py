"""The public events' vocabulary in one place: public type string ↔ contract class.

A public event is a `PublicEvent` subclass in `shared/contracts/<service>.py`, listed in that
module's `PUBLIC_EVENTS`. On the stream it travels as a CloudEvent whose `type` is

    vn.langxanh.<service>.<event>.v<version>     e.g. vn.langxanh.inspections.incident_reported.v1

built by `type_of(IncidentReported)` and read back by `parse_type(...)` (nowhere else), and
`EVENTS["vn.langxanh.inspections.incident_reported.v1"] is IncidentReported`. Followers decode an
envelope into the contract instance (shared/kit/envelope.py `decode`) and dispatch on its class.
"""
from __future__ import annotations

import importlib
import re
from typing import NamedTuple

from shared.catalog import SERVICES
from shared.contracts.base import PublicEvent

PREFIX = "vn.langxanh"
NAME = r"[a-z][a-z0-9_]*"
TYPE = re.compile(rf"vn\.langxanh\.({NAME})\.({NAME})\.v([1-9][0-9]{{0,5}})")
MAX_TYPE_CHARS = 200


class EventType(NamedTuple):
    """A public type string's parts: `vn.langxanh.<service>.<event>.v<version>`."""

    service: str
    event: str
    version: int

    def __str__(self) -> str:
        return f"{PREFIX}.{self.service}.{self.event}.v{self.version}"

    @property
    def routing_key(self) -> str:
        return f"{self.service}.{self.event}"


def parse_type(type_string: object) -> EventType:
    """`vn.langxanh.inspections.incident_reported.v1` → EventType("inspections", "incident_reported", 1);
    `ValueError` for anything else (the one parser of the type string)."""
    if type(type_string) is str and (known := _PARSED.get(type_string)) is not None:
        return known
    text = str(type_string)
    match = TYPE.fullmatch(text) if len(text) <= MAX_TYPE_CHARS else None
    if match is None:
        raise ValueError(f"type {text[:MAX_TYPE_CHARS]!r} is not {PREFIX}.<service>.<event>.v<N>")
    return EventType(match.group(1), match.group(2), int(match.group(3)))


def event_name(type_string: object) -> str:
    """The event part of a type string (`incident_reported`), '' when it is not a public type."""
    try:
        return parse_type(type_string).event
    except ValueError:
        return ""


def _build() -> tuple[dict[str, type[PublicEvent]], dict[type[PublicEvent], str]]:
    events: dict[str, type[PublicEvent]] = {}
    services: dict[type[PublicEvent], str] = {}
    for service in SERVICES:
        for contract in importlib.import_module(f"shared.contracts.{service}").PUBLIC_EVENTS:
            key = str(EventType(service, contract.event, contract.version))
            if key in events or contract in services:
                raise RuntimeError(f"{key}: published twice ({events.get(key)}, {contract})")
            events[key] = contract
            services[contract] = service
    return events, services


# public type → contract class, and each contract's service (from every service's PUBLIC_EVENTS)
EVENTS, SERVICE_OF = _build()
# each contract's parts, and each known type string's: worked out once (the relay, every backfill
# and every follower ask for them once an event)
PARTS_OF: dict[type[PublicEvent], EventType] = {
    c: EventType(service, c.event, c.version) for c, service in SERVICE_OF.items()}
_PARSED: dict[str, EventType] = {str(parts): parts for parts in PARTS_OF.values()}


def type_parts(contract: type[PublicEvent] | PublicEvent) -> EventType:
    cls = contract if isinstance(contract, type) else type(contract)
    try:
        return PARTS_OF[cls]
    except KeyError:
        raise LookupError(f"{cls.__qualname__} is in no service's PUBLIC_EVENTS") from None


def type_of(contract: type[PublicEvent] | PublicEvent) -> str:
    """`type_of(IncidentReported)` → `vn.langxanh.inspections.incident_reported.v1`."""
    return str(type_parts(contract))


def routing_key_of(contract: type[PublicEvent] | PublicEvent) -> str:
    """`routing_key_of(IncidentReported)` → `inspections.incident_reported`."""
    return type_parts(contract).routing_key


def contract_of(type_string: object) -> type[PublicEvent] | None:
    """The contract class of a public type string, None when no contract has it (unknown)."""
    return EVENTS.get(str(type_string))


def all_public_event_classes() -> list[type[PublicEvent]]:
    """Every concrete PublicEvent subclass defined in a contracts module (those with an `event`)."""
    seen: list[type[PublicEvent]] = []
    stack = list(PublicEvent.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if "event" in vars(cls) and cls.__module__.startswith("shared.contracts.") and cls not in seen:
            seen.append(cls)
    return seen
