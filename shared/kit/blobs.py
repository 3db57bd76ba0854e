"""Content-addressed blobs in the data dir (design.md §3): photos and report files never go
into events; events carry the sha256. Photos are re-encoded without EXIF (location, device)
before they are stored."""
from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

from shared.kit.errors import InvalidInput, NotFound

HASH = re.compile(r"^[0-9a-f]{64}$")
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if not HASH.match(digest or ""):
            raise InvalidInput(f"{str(digest)[:80]!r} is not a sha256 blob reference", "photo", "sha256")
        return self.root / digest[:2] / digest

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    def get(self, digest: str) -> bytes:
        path = self.path(digest)
        if not path.exists():
            raise NotFound(f"no stored blob {digest}", "photo", "exists")
        return path.read_bytes()

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # atomic: a crash never leaves half a blob under its hash
        return digest

    def put_photo(self, data: bytes) -> str:
        """Store a photo without its metadata; returns its sha256 reference."""
        return self.put(strip_metadata(data))


def strip_metadata(data: bytes) -> bytes:
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidInput("the photo is empty", "photo", "required")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"a photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB", "photo", "max_size")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            if fmt not in PHOTO_FORMATS:
                raise InvalidInput(f"photo format {fmt} is not accepted; send JPEG, PNG or WebP", "photo", "format")
            img.load()
            clean = Image.frombytes(img.mode, img.size, img.tobytes())  # pixels only: no EXIF, no text chunks
            if img.mode == "P" and img.getpalette():
                clean.putpalette(img.getpalette())
            out = io.BytesIO()
            clean.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise InvalidInput(f"this is not a readable image ({type(e).__name__})", "photo", "image") from None
