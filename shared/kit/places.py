"""The place of an event (its CloudEvents `communecode`), fixed when the event is written.

A public event's `communecode` is the commune (or, before the reform mapping, old district) the
event concerns. It is worked out once, when the event is saved, by the Application's
`places_for(events, aggregates)` (the aggregates as the command left them), and stored with the
event in its row (so in the same transaction) under the reserved key `PLACE_KEY` of the stored
state. `PlacedMapper` strips that key before the domain event is rebuilt — events are mutated with
their attributes as keyword arguments, and the services' history views list an event's attributes —
and hands it to the PublicMapper beside the event (`to_domain_event_and_place`). So the relay and a
backfill (`events_since`) publish the same `communecode` whatever changed since, e.g. a site's
commune after a reform. An event stored before this (no key) comes back as `UNRECORDED`: the
PublicMapper then looks its place up as it always did (the Application's `place_of`).
"""
from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent

PLACE_KEY = "_communecode"  # no event attribute starts with "_": a key of the stored state only


class _Unrecorded:
    def __repr__(self) -> str:
        return "UNRECORDED"


UNRECORDED: Any = _Unrecorded()  # an event stored without its place (an old log)


class PlacedMapper(Mapper):
    """eventsourcing's Mapper, plus the place stored under `PLACE_KEY` (see the module's text).

    Writing needs nothing of its own: the Application puts the place in the pending event's
    `__dict__` just before `to_stored_event` (which encodes `vars(event)`) and takes it out again
    right after (shared/kit/store.py `ServiceApplication._record`)."""

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.to_domain_event_and_place(stored_event)[0]

    def to_domain_event_and_place(self, stored_event: StoredEvent) -> tuple[Any, Any]:
        """(the domain event without the stored place, that place or `UNRECORDED`)."""
        domain_event = super().to_domain_event(stored_event)
        return domain_event, vars(domain_event).pop(PLACE_KEY, UNRECORDED)


def mark(events: list, places: dict[int, str | None]) -> None:
    """Put `places[i]` in the i-th pending event's `__dict__` (events are frozen dataclasses:
    `object.__setattr__`), for the mapper to store it."""
    for i, place in places.items():
        object.__setattr__(events[i], PLACE_KEY, place)


def unmark(events: list) -> None:
    """Take the places out again once the events are stored (or their save failed)."""
    for e in events:
        vars(e).pop(PLACE_KEY, None)


def by_aggregate(events: list) -> dict[Any, list[int]]:
    """The indices of the pending events of each aggregate, in order."""
    out: dict[Any, list[int]] = {}
    for i, e in enumerate(events):
        out.setdefault(e.originator_id, []).append(i)
    return out
