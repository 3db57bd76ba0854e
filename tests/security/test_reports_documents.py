"""Issue 16: a report's document is hostile. Each attack is reproduced: too large, empty, a
renamed image, an old .doc, a plain ZIP, a zip bomb (one entry, and many entries), too many
entries, a lying header, an encrypted archive, a macro-enabled file, a truncated PDF; and the
photo garbage collector never deletes a filed document (the filing claims it first)."""
from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import datetime, timezone

import pytest

from services.inspections import documents as docs
from services.inspections.application import InspectionsApplication
from services.inspections.photos import PhotoShelf
from shared import reference
from shared.kit.blobs import BlobStore
from shared.kit.errors import InvalidInput
from tests.ports import inspections_ports, on_store
from tests.application.reports_world import FIRM, FIRM_USER, PermitDirectory, office, pdf
from tests.history import Clock


def refused(data: bytes) -> str:
    with pytest.raises(InvalidInput) as e:
        docs.document_kind(data)
    assert e.value.field == "document"
    return e.value.rule


def archive(entries: dict, method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def test_the_three_kinds_are_told_by_content():
    assert docs.document_kind(pdf()) == "pdf"
    assert docs.document_kind(office("docx")) == "docx"
    assert docs.document_kind(office("xlsx")) == "xlsx"


def test_size_and_emptiness():
    assert refused(b"") == "required"
    assert refused(pdf(b"0" * (docs.MAX_BYTES + 1))) == "max_size"


def test_other_files_are_refused_whatever_their_name():
    assert refused(b"\x89PNG\r\n\x1a\n" + b"\0" * 100) == "file_type"  # an image renamed .pdf
    assert refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500) == "file_type"  # an old .doc / .xls
    assert refused(b"%PDF-1.4\n1 0 obj") == "file_type"  # truncated: no %%EOF
    assert refused(archive({"readme.txt": b"hello"})) == "file_type"  # a plain ZIP
    assert refused(archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<d/>",
                            "xl/workbook.xml": b"<w/>"})) == "file_type"  # both at once: neither
    assert refused(b"PK\x03\x04" + b"\0" * 100) == "file_type"  # a damaged archive


def test_a_zip_bomb_entry_is_refused_before_anything_is_unpacked():
    bomb = office("docx", extra={"word/media/bomb.bin": b"\0" * 50_000_000})  # 50 MB of zeros: ~50 KB packed
    assert len(bomb) < 200_000
    assert refused(bomb) == "zip_bomb"


def test_many_entries_unpacking_past_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(docs, "MAX_RATIO", 10_000_000)  # so that only the total decides
    parts = {f"word/media/p{i}.bin": b"\0" * 3_000_000 for i in range(40)}  # 120 MB declared
    assert refused(office("docx", extra=parts)) == "zip_bomb"


def test_too_many_entries_are_refused():
    parts = {f"xl/worksheets/s{i}.xml": b"" for i in range(docs.MAX_ENTRIES)}
    assert refused(office("xlsx", extra=parts)) == "zip_entries"


def test_a_lying_or_huge_content_types_part_is_read_only_up_to_the_cap():
    assert refused(office("docx", content_types=b"<Types>" + b" " * docs.MAX_CONTENT_TYPES + b"</Types>")) == "zip_bomb"


def test_encrypted_and_macro_enabled_documents_are_refused():
    data = bytearray(office("docx"))
    central = data.rfind(b"PK\x01\x02")  # the last central directory entry: set its "encrypted" bit
    data[central + 8] |= 0x1
    assert refused(bytes(data)) == "encrypted"
    assert refused(office("docx", extra={"word/vbaProject.bin": b"\0" * 10})) == "macros"
    macro_types = b'<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
    assert refused(office("xlsx", content_types=macro_types)) == "macros"


# -- the photo garbage collector and filed documents -------------------------------------------------
@pytest.fixture
def app(settings):
    app = on_store(InspectionsApplication, "inspections", settings, lambda _: inspections_ports(
        directory=PermitDirectory(), blobs=BlobStore(settings.data_dir / "blobs"), limits=reference.limit_tables()),
        clock=Clock(datetime(2027, 1, 10, 3, tzinfo=timezone.utc)))
    yield app
    app.close()


def age(app, *digests):
    past = time.time() - 1000 * 3600
    for d in digests:
        os.utime(app.blobs.path(d), (past, past))


@pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)
def test_a_filed_document_survives_the_photo_collector_and_an_orphan_does_not(app, settings):
    shelf = PhotoShelf.of(app, app.blobs, settings)
    filed = app.store_report_document(FIRM_USER, pdf())["sha256"]
    monitoring = app.store_report_document(FIRM_USER, office("xlsx"))["sha256"]
    orphan = app.store_report_document(FIRM_USER, office("docx"))["sha256"]
    age(app, filed, monitoring, orphan)  # uploaded long ago (a slow user): past the grace period
    app.file_annual_report(FIRM_USER, None, FIRM, 2026, filed)  # claims it: young again
    app.file_monitoring_results(FIRM_USER, None, FIRM, datetime(2026, 6, 1).date(), document=monitoring,
                                samples=[{"parameter": "COD", "value": 20, "unit": "mg/L"}])
    assert shelf.collect_garbage() == {"deleted": 1, "kept_referenced": 0}
    assert app.blobs.exists(filed) and app.blobs.exists(monitoring) and not app.blobs.exists(orphan)
    age(app, filed, monitoring)  # later still: kept because the filings' events reference them
    assert shelf.collect_garbage() == {"deleted": 0, "kept_referenced": 2}


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_rpc_refuses_bad_base64_and_answers_a_document(settings):
    import base64

    from shared.kit.actor import Role
    from tests.security.authz_world import World

    world = World(settings)
    try:
        svc = world.service("inspections", world.actor(Role.BUSINESS))
        with pytest.raises(InvalidInput) as e:
            svc.store_report_document(data_b64="!!!!not base64")
        assert e.value.rule == "base64"
        with pytest.raises(InvalidInput) as e:
            svc.store_report_document(data_b64=base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode())
        assert e.value.rule == "file_type"
        done = svc.store_report_document(data_b64=base64.b64encode(office("xlsx")).decode())
        assert done["kind"] == "xlsx" and world.inspections.blobs.exists(done["sha256"])
    finally:
        world.close()
