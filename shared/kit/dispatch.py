"""Followers receive contract instances and dispatch on their class.

A `ContractProjection` is a `SqlProjection` of public events: each envelope the follower applies
is decoded (shared/kit/envelope.py `decode`: type → contract class by shared/contracts/registry.py
`EVENTS`, data → its instance) and handed to `on(event, cur, got)`, a `functools.singledispatchmethod`
the projection registers one handler per contract class on:

    class IndicatorFacts(ContractProjection):
        @singledispatchmethod
        def on(self, event: PublicEvent, cur: Cursor, got: Received) -> None:
            \"\"\"A contract these facts do not follow.\"\"\"

        @on.register
        def _(self, event: IncidentReported, cur: Cursor, got: Received) -> None: ...

`got` carries the envelope's attributes (subject, id, time, commune, data as published). An
envelope whose type no contract has (a producer newer than this process, a retired version) or
whose data its contract refuses is never dropped silently: it is counted (`unknown`, and the
follower's metrics `langxanh_follower_unknown`), logged, and passed over (the position moves on,
as for any event the projection does not follow).
"""
from __future__ import annotations

import logging
from collections import Counter
from functools import singledispatchmethod
from typing import Any

from shared.contracts.base import PublicEvent
from shared.kit.envelope import BadEnvelope, Received, UnknownEvent, decode
from shared.kit.follower import SqlProjection
from shared.kit.sql import Cursor, Db

log = logging.getLogger("langxanh.follower")


class ContractProjection(SqlProjection):
    def __init__(self, db: Db) -> None:
        super().__init__(db)
        self.unknown: Counter[str] = Counter()  # type → events passed over (see the module's docstring)
        self.metrics: Any = None  # a FollowerMetrics, attached by the Follower that applies this projection

    def attach_metrics(self, metrics: Any) -> None:
        self.metrics = metrics

    def prepare(self, event: dict) -> Received | tuple[dict, Exception]:
        """The decoded event, before its transaction opens; (envelope, error) for one not understood."""
        try:
            return decode(event)
        except (UnknownEvent, BadEnvelope) as e:
            return event, e

    def project(self, cur: Cursor, event: dict | Received | tuple[dict, Exception]) -> None:
        """One event: prepared (what `project_page` hands over) or an envelope, decoded here."""
        item = event if isinstance(event, (Received, tuple)) else self.prepare(event)
        if isinstance(item, Received):
            self.project_event(cur, item)
        else:
            self.unknown_event(cur, *item)

    def project_event(self, cur: Cursor, got: Received) -> None:
        """One decoded event; a subclass that adds a dispatcher of its own calls super() first."""
        self.on(got.event, cur, got)

    @singledispatchmethod
    def on(self, event: PublicEvent, cur: Cursor, got: Received) -> None:
        """A contract this projection does not follow: nothing to do."""

    def unknown_event(self, cur: Cursor, event: dict, error: Exception) -> None:
        """Counted and logged; a subclass that can still use the envelope calls super() first."""
        kind = getattr(error, "event_type", None) or str(event.get("type", ""))[:200]
        self.unknown[kind] += 1
        if self.metrics is not None:
            self.metrics.unknown(kind)
        log.warning("%s: event %s (sequence %s) passed over, not understood: %s", self.name,
                    str(event.get("id", ""))[:100], str(event.get("sequence", ""))[:30], error)
