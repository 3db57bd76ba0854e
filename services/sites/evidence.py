"""Evidence files of the Art. 56 checklist (issue 14): a PDF or a photo the assessor attaches to a
condition, stored content-addressed (shared/kit/blobs.py) in the sites service's own folder
`<data dir>/evidence` — never beside the inspections' photos, whose garbage collector deletes any
blob its own log does not reference. The condition's event carries the sha256 only.

A photo is re-encoded without its metadata as the incidents' photos are (shared/kit/photos.py);
a PDF is kept as sent, after its header and trailer are checked. Anything else is refused.
"""
from __future__ import annotations

from pathlib import Path

from shared.kit.blobs import HASH, BlobStore
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.photos import PhotoLimits

PDF = "application/pdf"
IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def content_type(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((t for magic, t in IMAGE_TYPES if data.startswith(magic)), None)


class EvidenceShelf:
    def __init__(self, root: Path, max_bytes: int = 10_000_000, photo_limits: PhotoLimits | None = None) -> None:
        self.max_bytes = max_bytes
        self.blobs = BlobStore(root, photo_limits or PhotoLimits(max_bytes=max_bytes))

    @classmethod
    def of(cls, settings: object) -> "EvidenceShelf":
        limits = PhotoLimits.of(settings)
        return cls(settings.data_dir / "evidence", settings.services.evidence_max_bytes, limits)  # type: ignore[attr-defined]

    def store(self, data: bytes) -> dict:
        """Store an evidence file; answers its sha256 (`evidence_file`), type and size."""
        if not data:
            raise InvalidInput("the evidence file is empty", "data_b64", "required")
        if len(data) > self.max_bytes:
            raise InvalidInput(f"an evidence file may be at most {self.max_bytes / 1_000_000:g} MB", "data_b64",
                               "max_size")
        kind = content_type(data)
        if kind is None:
            raise InvalidInput("an evidence file is a PDF, JPEG, PNG or WebP file", "data_b64", "file_type")
        if kind == PDF:
            if b"%%EOF" not in data[-1024:]:
                raise InvalidInput("the PDF file is incomplete (no end-of-file marker)", "data_b64", "file_type")
            clean = data
        else:
            try:
                clean = self.blobs.clean(data)
            except InvalidInput as e:
                raise InvalidInput(e.message, "data_b64", e.rule) from None
        return {"evidence_file": self.blobs.put(clean), "content_type": content_type(clean), "bytes": len(clean)}

    def claim(self, digest: str) -> bool:
        return bool(HASH.match(digest or "")) and self.blobs.claim(digest)

    def get(self, digest: str) -> tuple[bytes, str]:
        if not HASH.match(digest or ""):
            raise InvalidInput("not a sha256 reference", "evidence_file", "sha256")
        try:
            data = self.blobs.get(digest)
        except NotFound:
            raise NotFound(f"no evidence file {digest}", "evidence_file", "exists") from None
        return data, content_type(data) or "application/octet-stream"
