"""Writers on one aggregate inside one process take turns instead of racing.

A command reads its aggregates, decides, and saves; a save that finds a newer version lost an
optimistic-concurrency race and the command is tried again (`ServiceApplication.execute`). Once
psycopg yields to the eventlet hub (shared/kit/green_pg.py), a service process really runs many
commands at once, and eight clients on one site made some command lose twelve races in a row. So
a command holds a lock per aggregate it is about to save (`Turns.take`), and one that had to wait
for another writer of this process reads again before saving: inside a process nothing is lost to
a race; only another replica can still win one, which the retry covers.

A writer that finished entirely between another's read and its turn (B reads, saves, releases
while A is still deciding) left no lock to wait on; so each aggregate also keeps the stamp of its
last save in this process, and a command whose read is older than that stamp reads again too.

The locks are `threading.Lock`s, green ones in a monkey-patched service process. A holder always
takes its whole set in one sorted pass while holding none, so two writers of overlapping sets
cannot deadlock.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any


class Turns:
    """The process's per-aggregate locks, each kept only while some command holds or awaits it."""

    STAMPS = 10_000  # aggregates whose last save is remembered (an older one is the store's retry's)

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Any, list] = {}  # aggregate id → [lock, commands using it]
        self._clock = 0
        self._saved: dict[Any, int] = {}  # aggregate id → stamp of its last save in this process

    def now(self) -> int:
        with self._guard:
            return self._clock

    def stamp(self, keys: Iterable[Any]) -> None:
        with self._guard:
            self._clock += 1
            for key in keys:
                self._saved.pop(key, None)
                self._saved[key] = self._clock
            while len(self._saved) > self.STAMPS:
                del self._saved[next(iter(self._saved))]

    def saved_after(self, keys: Iterable[Any], stamp: int) -> bool:
        with self._guard:
            return any(self._saved.get(key, -1) > stamp for key in keys)

    def _lock(self, key: Any) -> threading.Lock:
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
            return entry[0]

    def _unuse(self, key: Any) -> None:
        with self._guard:
            entry = self._locks[key]
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[key]

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)

    @contextmanager
    def command(self) -> Iterator[Turn]:
        turn = Turn(self)
        try:
            yield turn
        finally:
            turn.release()


class Turn:
    """The locks one command holds, over all of its tries."""

    def __init__(self, turns: Turns) -> None:
        self._turns = turns
        self._held: dict[Any, threading.Lock] = {}
        self._read_at = turns.now()

    def reading(self) -> None:
        """The command is about to read what it decides on (each try reads anew)."""
        self._read_at = self._turns.now()

    def take(self, keys: Iterable[Any]) -> bool:
        """Hold the locks of `keys` (and those held already). True when another writer of this
        process held one meanwhile, or saved one since this command read: what it read may be
        stale, so it reads again (and `reading()` is called again first)."""
        wanted = set(self._held) | {k for k in keys if k is not None}
        if wanted <= set(self._held):
            return False
        self.release()
        waited = False
        for key in sorted(wanted, key=str):
            lock = self._turns._lock(key)
            if not lock.acquire(blocking=False):
                waited = True
                lock.acquire()
            self._held[key] = lock
        return waited or self._turns.saved_after(wanted, self._read_at)

    def saved(self) -> None:
        """The held aggregates were saved: a command that read them before must read again."""
        self._turns.stamp(self._held)

    def release(self) -> None:
        for key, lock in self._held.items():
            lock.release()
            self._turns._unuse(key)
        self._held = {}
