"""Group commit: the saves of concurrent commands of one process written in one transaction.

A store commit is the dearest part of a command: an fsync on SQLite, and on PostgreSQL a round
trip under eventsourcing's `LOCK TABLE … IN EXCLUSIVE MODE`, which serialises every writer of a
log. Eight clients therefore gained little over one. Here each save joins a queue; the first
saver to take the writer's lock (the leader) writes every queued save in one transaction — the
events of all of them, and each command's record (`lx_commands`) in that same transaction, so "a
command id acts once" holds as before — and wakes the others with their answers. Savers that
arrive while a leader writes queue up for the next transaction.

If that transaction fails (one of them lost a race to another replica, or a twin command id was
recorded first), nothing of it was stored, and the saves of the batch are written again one by
one: each then succeeds, or fails with its own error, so only the raced command is read again and
retried (`ServiceApplication._attempt`), never its neighbours.

Writers of one aggregate in a process take turns (shared/kit/turns.py) and hold their turn until
their save returns, so a batch never holds two saves of one aggregate from this process.
Before leading, a saver gives other work one turn (`gather`, eventlet's `sleep(0)` in a service
process): savers already runnable join this transaction instead of waiting for the next one.
SQLite's calls never yield to the hub, so without that turn each batch would be one save.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.application import ProcessingEvent

log = logging.getLogger(__name__)

MERGEABLE = frozenset({"command"})  # the save keywords a batch knows how to merge (commands are listed)


def merged(events: Sequence[ProcessingEvent]) -> ProcessingEvent:
    """One processing event holding the events, aggregates and command records of `events`, in order."""
    if len(events) == 1:
        return events[0]
    together: ProcessingEvent = ProcessingEvent()
    commands = []
    for pe in events:
        together.events.extend(pe.events)
        together.aggregates.update(pe.aggregates)
        if pe.saved_kwargs.get("command"):
            commands.append(pe.saved_kwargs["command"])
    if commands:
        together.saved_kwargs["commands"] = commands
    return together


def mergeable(pe: ProcessingEvent) -> bool:
    return pe.tracking is None and set(pe.saved_kwargs) <= MERGEABLE


class _Save:
    __slots__ = ("event", "done", "error", "recordings")

    def __init__(self, event: ProcessingEvent) -> None:
        self.event = event
        self.done = False
        self.error: BaseException | None = None
        self.recordings: list = []


class GroupCommit:
    """The process's queue of saves for one store. `record(processing_event) -> recordings`
    writes one (possibly merged) processing event in one transaction."""

    MAX_BATCH = 64  # saves per transaction (a longer queue is written by the next leader)

    def __init__(self, record: Callable[[ProcessingEvent], list],
                 gather: Callable[[], None] = lambda: time.sleep(0)) -> None:
        self._record = record
        self._gather = gather
        self._writer = threading.Lock()  # held by the leader while it writes
        self._guard = threading.Lock()  # the queue's
        self._queue: list[_Save] = []
        self.transactions = 0  # written (for tests and the bench)
        self.retried_alone = 0  # saves written again alone after their batch failed

    def save(self, event: ProcessingEvent) -> list:
        """Store `event` (alone or with concurrent saves) and return its recordings; raises the
        error of its own write."""
        if not mergeable(event):
            return self._write_alone(event)
        entry = _Save(event)
        with self._guard:
            self._queue.append(entry)
        self._gather()
        while not entry.done:
            with self._writer:
                if entry.done:
                    break
                with self._guard:
                    batch, self._queue = self._queue[:self.MAX_BATCH], self._queue[self.MAX_BATCH:]
                self._flush(batch)
        if entry.error is not None:
            raise entry.error
        return entry.recordings

    def _write_alone(self, event: ProcessingEvent) -> list:
        with self._writer:
            self.transactions += 1
            return self._record(event)

    def _flush(self, batch: list[_Save]) -> None:
        try:
            if len(batch) > 1 and self._together(batch):
                return
            for entry in batch:  # alone: each gets its own success or error
                try:
                    self.transactions += 1
                    entry.recordings = self._record(entry.event)
                except Exception as error:  # noqa: BLE001 - handed to its own saver, raised there
                    entry.error = error
                entry.done = True
        finally:
            for entry in batch:  # the leader interrupted (a killed greenthread): none waits forever
                if not entry.done:
                    entry.error, entry.done = RuntimeError("the save was interrupted"), True

    def _together(self, batch: list[_Save]) -> bool:
        """Write the batch in one transaction: True when it was stored, False when nothing was
        (then each save is written again alone)."""
        try:
            self.transactions += 1
            recordings = self._record(merged([e.event for e in batch]))
        except Exception as error:  # noqa: BLE001 - one of them raced, or the store failed: each alone
            log.debug("a batch of %d saves failed (%s): written one by one", len(batch), error)
            self.retried_alone += len(batch)
            return False
        start = 0
        for entry in batch:
            count = len(entry.event.events)
            entry.recordings, entry.done = recordings[start:start + count], True
            start += count
        return True
