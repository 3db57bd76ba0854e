"""Photos in and out of inspections' blob store (issue 13, "photo storage without bounds").

In: `PhotoShelf.store` cleans the photo (refused before decoding when too large, downscaled,
no metadata: shared/kit/photos.py), then counts it against the caller's daily quota (residents
and businesses: photos and bytes per local day, by pseudonym) and stores it. The quota row and
the check are one transaction, serialised per caller on PostgreSQL, so replicas cannot both
pass the last slot.

Out: `collect_garbage` deletes the blobs no event of the log references (a cancelled draft's
photos, a report never filed) once they are older than the grace period. References are every
sha256 that appears anywhere in any event of the service's own log (`PhotoReferences`, projected
from it): an incident's photos, its additions, its reopening photo, a violation's evidence files
— also the ones a later event dropped from the aggregate's state.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from shared.kit.actor import Actor, Role
from shared.kit.blobs import HASH, BlobStore
from shared.kit.calendar import local_date
from shared.kit.errors import InvalidInput
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor, Db

QUOTA_ROLES = (Role.RESIDENT, Role.BUSINESS)


def blob_refs(value: Any) -> Iterator[str]:
    """Every sha256 reference inside an event's (nested) fields."""
    if isinstance(value, str):
        if HASH.match(value):
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from blob_refs(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from blob_refs(v)


class PhotoReferences(OwnLogProjection):
    """The blobs the log references (never forgets one: events are never removed)."""

    name = "inspections_photo_refs"
    tables = ("CREATE TABLE IF NOT EXISTS {t:photo_ref} (digest TEXT PRIMARY KEY)",)

    def project(self, cur: Cursor, event: dict) -> None:
        for digest in set(blob_refs(vars(event["event"]))):
            cur.execute("INSERT INTO {t:photo_ref} (digest) VALUES (%s) ON CONFLICT (digest) DO NOTHING", (digest,))

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:photo_ref}")

    def referenced(self) -> set[str]:
        return {r["digest"] for r in self.fresh_rows("SELECT digest FROM {t:photo_ref}")}


class PhotoShelf:
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:photo_upload} (actor TEXT NOT NULL, day TEXT NOT NULL, "
        "digest TEXT NOT NULL, bytes BIGINT NOT NULL, at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS photo_upload_by_actor ON {t:photo_upload} (actor, day)",
    )

    def __init__(self, db: Db, blobs: BlobStore, references: PhotoReferences, *, quota_count: int,
                 quota_bytes: int, grace_hours: float, clock: Callable[[], datetime] | None = None) -> None:
        self.db, self.blobs, self.references = db, blobs, references
        self.quota_count, self.quota_bytes, self.grace_hours = quota_count, quota_bytes, grace_hours
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        db.execute_script(*self.tables)

    @classmethod
    def of(cls, log: Any, blobs: BlobStore, settings: Any) -> "PhotoShelf":
        """On a service's own log (its store, shared/kit/eventstore.py): the references read it."""
        db = Db.of(log)
        return cls(db, blobs, PhotoReferences(db, log), quota_count=settings.services.photo_quota_count,
                   quota_bytes=settings.services.photo_quota_bytes, grace_hours=settings.services.photo_gc_grace_hours)

    # -- in --------------------------------------------------------------------------------------
    def store(self, actor: Actor, data: bytes) -> dict:
        if actor.role in QUOTA_ROLES:
            self._count(actor.id, None, 0)  # over the count already: refused before any decoding
        clean = self.blobs.clean(data)  # InvalidInput on `photo` for a bomb, junk or a too-large file
        if actor.role in QUOTA_ROLES:
            self._count(actor.id, hashlib.sha256(clean).hexdigest(), len(clean))
        return {"photo": self.blobs.put(clean)}

    def _count(self, who: str, digest: str | None, size: int) -> None:
        """Checks the caller's quota for one more photo of `size` bytes; records it unless `digest`
        is None (a check only)."""
        now = self.clock()
        day = local_date(now).isoformat()
        with self.db.transaction() as cur:
            if self.db.postgres:  # one caller's uploads one at a time: the check below sees the others
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"photo-quota:{who}",))
            row = cur.execute("SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM {t:photo_upload} "
                              "WHERE actor=%s AND day=%s", (who, day)).one() or {}
            count, used = int(row.get("n") or 0), int(row.get("b") or 0)
            if count + 1 > self.quota_count:
                raise InvalidInput(f"at most {self.quota_count} photos a day; try again tomorrow",
                                   "photo", "daily_quota_count")
            if used + size > self.quota_bytes:
                raise InvalidInput(f"at most {self.quota_bytes / 1_000_000:g} MB of photos a day; try again tomorrow",
                                   "photo", "daily_quota_bytes")
            if digest is not None:
                cur.execute("INSERT INTO {t:photo_upload} (actor, day, digest, bytes, at) VALUES (%s,%s,%s,%s,%s)",
                            (who, day, digest, size, now.isoformat()))

    # -- out -------------------------------------------------------------------------------------
    def collect_garbage(self, now: float | None = None) -> dict:
        """Deletes unreferenced blobs older than the grace period; also forgets quota rows of days
        gone. Returns {"deleted": n, "kept_referenced": n} (old blobs kept because referenced)."""
        grace = self.grace_hours * 3600
        now = time.time() if now is None else now
        # A command that references a photo claims it first (its mtime is renewed: the application's
        # _check_photos), so a reference committed after this snapshot makes the blob young again
        # and delete_if_older, which looks at the mtime right before deleting, keeps it.
        referenced = self.references.referenced()
        deleted = kept = 0
        for digest, _ in list(self.blobs.older_than(grace, now)):
            if digest in referenced:
                kept += 1
            elif self.blobs.delete_if_older(digest, grace, now):
                deleted += 1
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:photo_upload} WHERE day < %s", (local_date(self.clock()).isoformat(),))
        return {"deleted": deleted, "kept_referenced": kept}
