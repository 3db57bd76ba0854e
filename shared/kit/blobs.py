"""Content-addressed blobs in the data dir (design.md §3): photos and report files never go
into events; events carry the sha256. Photos are re-encoded without EXIF (location, device)
before they are stored."""
from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from shared.kit.errors import InvalidInput, NotFound
from shared.kit.photos import PhotoLimits, clean_photo

HASH = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    def __init__(self, root: Path, limits: PhotoLimits | None = None) -> None:
        self.root = Path(root)
        self.limits = limits or PhotoLimits()

    def path(self, digest: str) -> Path:
        if not HASH.match(digest or ""):
            raise InvalidInput(f"{str(digest)[:80]!r} is not a sha256 blob reference", "photo", "sha256")
        return self.root / digest[:2] / digest

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    def claim(self, digest: str) -> bool:
        """True when the blob is stored; renews its mtime, so a command about to reference it
        keeps it out of the garbage collector's reach (services/inspections/photos.py)."""
        try:
            os.utime(self.path(digest))
            return True
        except FileNotFoundError:
            return False

    def get(self, digest: str) -> bytes:
        path = self.path(digest)
        if not path.exists():
            raise NotFound(f"no stored blob {digest}", "photo", "exists")
        return path.read_bytes()

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        try:
            os.utime(path)  # stored again: young again, so the garbage collector's grace restarts
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # atomic: a crash never leaves half a blob under its hash
        return digest

    def put_photo(self, data: bytes) -> str:
        """Store a photo without its metadata, downscaled when large; returns its sha256 reference.
        Refused (InvalidInput on `photo`) before decoding when its header says it is too large."""
        return self.put(clean_photo(data, self.limits))

    def clean(self, data: bytes) -> bytes:
        """The bytes put_photo would store (a caller that checks a quota first needs their size)."""
        return clean_photo(data, self.limits)

    def older_than(self, seconds: float, now: float | None = None) -> Iterator[tuple[str, float]]:
        """(digest, mtime) of every stored blob last written more than `seconds` ago."""
        limit = (time.time() if now is None else now) - seconds
        if not self.root.exists():
            return
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if HASH.match(path.name):
                    mtime = path.stat().st_mtime
                    if mtime < limit:
                        yield path.name, mtime

    def delete_if_older(self, digest: str, seconds: float, now: float | None = None) -> bool:
        """Deletes the blob when it is still older than `seconds` (not stored again meanwhile)."""
        path = self.path(digest)
        try:
            if path.stat().st_mtime >= (time.time() if now is None else now) - seconds:
                return False
            path.unlink()
            return True
        except FileNotFoundError:
            return False
