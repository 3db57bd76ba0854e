"""Domain events → public events → CloudEvents 1.0 structured JSON (design.md §4).

Used by the relay (publishing) and by `events_since` (backfill), so both give the very same
message for a notification. The contract of a domain event is the one whose `source_event` names
the event's class (e.g. "Incident.Reported" → IncidentReported); the envelope is built by
shared/kit/envelope.py `build` (the `cloudevents` SDK's structured JSON), its type by shared/contracts/registry.py.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from shared.contracts.registry import EventType, type_parts
from shared.kit.places import UNRECORDED, PlacedMapper
from shared.kit.store import cooperatively
from shared.kit.envelope import SEQUENCE_WIDTH, SPECVERSION, build, format_sequence, parse_sequence

__all__ = ["SEQUENCE_WIDTH", "SPECVERSION", "PublicMapper", "event_type", "format_sequence", "parse_sequence",
           "routing_key"]


def event_type(service: str, contract: Any) -> str:
    """`vn.langxanh.<service>.<event>.v<version>` (shared/contracts/registry.py `type_of` when the
    contract is published)."""
    return str(EventType(service, contract.event, contract.version))


def routing_key(service: str, contract: Any) -> str:
    return EventType(service, contract.event, contract.version).routing_key


class PublicMapper:
    """Maps one service's notifications to CloudEvents.

    `contracts` are PublicEvent classes; each names the domain event it publishes
    (`source_event`). The `communecode` is the place stored with the event when it was written;
    for an event stored without one, `place(domain_event)` returns the commune code where the
    event concerns a place, or None. The events of the aggregates the Application names in `private_aggregates`
    are never published: the relay skips them and `events_since` leaves them out (the stream's
    sequence then has holes, which followers already accept).
    """

    def __init__(self, service: str, app: Any, contracts: Iterable[Any],
                 place: Callable[[Any], str | None] | None = None) -> None:
        self.service = service
        self.app = app
        self.place = place or (lambda _e: None)
        self.by_topic: dict[str, Any] = {}
        self.by_name = {c.source_event: c for c in contracts}
        for contract in self.by_name.values():  # each is one of this service's PUBLIC_EVENTS
            if type_parts(contract).service != service:
                raise LookupError(f"{contract.__qualname__} is not a {service} event")
        self.private = frozenset(getattr(app, "private_aggregates", ()))

    def publishes(self, notification: Any) -> bool:
        """False for a private aggregate's event (topic "module:Aggregate.Event")."""
        qualname = notification.topic.rsplit(":", 1)[-1]
        return qualname.split(".", 1)[0] not in self.private

    def contract_for(self, topic: str, domain_event: Any) -> Any:
        contract = self.by_topic.get(topic)
        if contract is None:
            name = type(domain_event).__qualname__
            try:
                contract = self.by_name[name]
            except KeyError:
                raise LookupError(f"{self.service}: no public contract for domain event {name}") from None
            self.by_topic[topic] = contract
        return contract

    def read(self, notification: Any) -> tuple[Any, str | None]:
        """(domain event, its place): the place stored with the event when it was written
        (shared/kit/places.py), else — an event stored before places were — looked up now."""
        mapper = self.app.mapper
        if isinstance(mapper, PlacedMapper):
            domain_event, place = mapper.to_domain_event_and_place(notification)
        else:
            domain_event, place = mapper.to_domain_event(notification), UNRECORDED
        return domain_event, self.place(domain_event) if place is UNRECORDED else place

    def cloudevent(self, notification: Any) -> tuple[str, dict]:
        domain_event, place = self.read(notification)
        contract = self.contract_for(notification.topic, domain_event)
        public = contract.from_domain(domain_event)
        event = build(self.service, notification.id, public, subject=str(notification.originator_id),
                      time=domain_event.timestamp, commune=place)
        return type_parts(contract).routing_key, event

    def events_since(self, position: int, limit: int) -> list[dict]:
        """Up to `limit` public events after `position` (private ones skipped, the page filled
        from further on, so a run of private events never looks like the end of the log)."""
        out: list[dict] = []
        while len(out) < limit:
            notifications = self.app.select_notifications(position, limit)
            if not notifications:
                break
            for n in cooperatively(notifications):  # a page of 500 mapped: the service answers meanwhile
                if self.publishes(n):
                    out.append(self.cloudevent(n)[1])
                    if len(out) == limit:
                        break
            position = notifications[-1].id
        return out
