"""A report's document, judged by its content (issue 16): PDF, DOCX or XLSX only.

The file is hostile: its name and the type a client claims say nothing, so only its bytes decide.
- At most MAX_BYTES, never empty.
- PDF: the `%PDF-` header and an `%%EOF` marker in its last 1024 bytes (kept as sent).
- DOCX and XLSX are ZIP archives. The archive's central directory is read (never extracted): at
  most MAX_ENTRIES entries, their declared uncompressed sizes summing to at most MAX_UNPACKED,
  no entry declaring more than MAX_RATIO times its compressed size (a zip bomb's signature), no
  encrypted entry; then `[Content_Types].xml` (read with a cap) and `word/document.xml` (DOCX) or
  `xl/workbook.xml` (XLSX) must be there. Macro-enabled files (a `vbaProject.bin`, or a
  macroEnabled content type) are refused.
- Anything else — an old .doc/.xls, a plain ZIP, an image — is refused.
"""
from __future__ import annotations

import io
import zipfile

from shared.kit.errors import InvalidInput

MAX_BYTES = 10_000_000
MAX_ENTRIES = 2000
MAX_UNPACKED = 100_000_000
MAX_RATIO = 200
MAX_CONTENT_TYPES = 200_000

PDF, DOCX, XLSX = "pdf", "docx", "xlsx"
MEDIA_TYPES = {PDF: "application/pdf",
               DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
FIELD = "document"


def refuse(message: str, rule: str) -> InvalidInput:
    return InvalidInput(message, FIELD, rule)


def document_kind(data: bytes, max_bytes: int = MAX_BYTES) -> str:
    """`pdf`, `docx` or `xlsx`, from the bytes alone; InvalidInput on `document` otherwise."""
    if not data:
        raise refuse("the document is empty", "required")
    if len(data) > max_bytes:
        raise refuse(f"a report document may be at most {max_bytes / 1_000_000:g} MB", "max_size")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-1024:]:
            raise refuse("the PDF file is incomplete (no end-of-file marker)", "file_type")
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    raise refuse("a report document is a PDF, DOCX or XLSX file", "file_type")


def _office_kind(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise refuse("this ZIP archive is damaged: a report document is a PDF, DOCX or XLSX file", "file_type") from None
    with archive:
        entries = archive.infolist()
        _check_entries(entries)
        names = {e.filename for e in entries}
        kinds = [k for k, part in PARTS.items() if part in names]
        if "[Content_Types].xml" not in names or len(kinds) != 1:
            raise refuse("this archive is not a Word (DOCX) or Excel (XLSX) document", "file_type")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise refuse("macro-enabled documents are not accepted: save it as DOCX or XLSX", "macros")
        types = _read_capped(archive, "[Content_Types].xml", MAX_CONTENT_TYPES)
        if b"macroenabled" in types.lower():
            raise refuse("macro-enabled documents are not accepted: save it as DOCX or XLSX", "macros")
        return kinds[0]


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ENTRIES:
        raise refuse(f"the archive has {len(entries)} entries (at most {MAX_ENTRIES})", "zip_entries")
    total = 0
    for e in entries:
        if e.flag_bits & 0x1:
            raise refuse("encrypted documents are not accepted", "encrypted")
        total += e.file_size
        if total > MAX_UNPACKED:
            raise refuse(f"the archive unpacks to more than {MAX_UNPACKED / 1_000_000:g} MB", "zip_bomb")
        if e.file_size > MAX_RATIO * max(e.compress_size, 1) and e.file_size > 1_000_000:
            raise refuse(f"entry {e.filename[:60]!r} unpacks {e.file_size // max(e.compress_size, 1)}× its size",
                         "zip_bomb")


def _read_capped(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """At most `cap` bytes of an entry, whatever its header claims (zipfile stops at the declared
    size; this stops at the cap)."""
    try:
        with archive.open(name) as f:
            data = f.read(cap + 1)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, RuntimeError):
        raise refuse(f"{name} cannot be read from the archive", "file_type") from None
    if len(data) > cap:
        raise refuse(f"{name} is larger than {cap} bytes", "zip_bomb")
    return data


def describe(digest: str, kind: str, size: int) -> dict:
    """What an event records of a document: its sha256 (the blob), kind and size; never a file name."""
    return {"sha256": digest, "kind": kind, "media_type": MEDIA_TYPES[kind], "bytes": size}
