"""Issue 13, "photo storage without bounds": the garbage collector of `langxanh photos gc` on both
stores never deletes a violation's evidence file (a blob a business stored with store_photo),
deletes what nothing references once older than the grace period, and keeps young ones."""
import io
import os
import time
from datetime import date, timedelta

import pytest
from PIL import Image

from services.inspections.application import InspectionsApplication
from services.inspections.domainmodel import fine_band
from services.inspections.photos import PhotoShelf, blob_refs
from shared import reference
from langxanh.photos import collect
from shared.kit.actor import Actor
from shared.kit.blobs import BlobStore
from shared.kit.errors import InvalidInput
from tests.ports import inspections_ports, on_store
from shared.kit.config import with_values

FIRM = "4b4e28ba-2fa1-11d2-883f-0016d3cca427"
SITE = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
INSPECTOR = Actor("insp-1", "inspector")
AGENCY = Actor("agency-1", "agency")
FIRM_USER = Actor("tg:firm", "business", establishment=FIRM)


class Directory:
    def site(self, site_id):
        return {"id": SITE, "name": "Bát Tràng", "commune": "xa-bat-trang", "active": True} if site_id == SITE else None

    def establishment(self, establishment_id):
        return {"id": FIRM, "site_id": SITE, "form": "enterprise", "active": True} if establishment_id == FIRM else None


def photo(i: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (i, i, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def app(settings):
    app = on_store(InspectionsApplication, "inspections", settings, lambda _: inspections_ports(
        directory=Directory(), blobs=BlobStore(settings.data_dir / "blobs"),
        sanctions=reference.load("sanctions_decree45.json")))
    yield app
    app.close()


def old(app, *digests):
    past = time.time() - 1000 * 3600
    for d in digests:
        os.utime(app.blobs.path(d), (past, past))


@pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)
def test_evidence_files_are_never_collected_and_unreferenced_old_blobs_are(app, settings):
    shelf = PhotoShelf.of(app, app.blobs, settings)
    evidence = shelf.store(FIRM_USER, photo(1))["photo"]
    orphan, young = shelf.store(FIRM_USER, photo(2))["photo"], shelf.store(FIRM_USER, photo(3))["photo"]
    entry = next(e for e in app.sanctions["entries"] if e["article"] == 15 and e["band_individual_vnd"]["max"] > 0)
    v = app.record_violation(INSPECTOR, None, establishment_id=FIRM, catalogue_code=entry["code"],
                             description="Không có công trình xử lý", offender_type="organisation",
                             fine_vnd=fine_band(entry, "organisation", app.sanctions["rules"])[0],
                             remedial_measures=[{"measure": "Lắp đặt", "deadline": date.today() + timedelta(days=60)}])
    app.decide_sanction(AGENCY, None, v["id"], "QĐ 1/QĐ-XPHC", date.today(), entry["band_individual_vnd"]["max"] * 2,
                       authority="commune_chair")
    app.submit_evidence(FIRM_USER, None, v["id"], "Đã lắp đặt", [evidence])
    old(app, evidence, orphan)
    assert collect(settings) == {"deleted": 1, "kept_referenced": 1}
    assert app.blobs.exists(evidence) and app.blobs.exists(young) and not app.blobs.exists(orphan)


@pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)
def test_a_business_has_a_daily_quota_too_and_the_grace_setting_is_honoured(app, settings):
    shelf = PhotoShelf.of(app, app.blobs, with_values(settings, photo_quota_count=2, photo_gc_grace_hours=2000))
    a, _ = shelf.store(FIRM_USER, photo(1))["photo"], shelf.store(FIRM_USER, photo(2))
    with pytest.raises(InvalidInput) as e:
        shelf.store(FIRM_USER, photo(3))
    assert e.value.rule == "daily_quota_count"
    old(app, a)
    assert shelf.collect_garbage()["deleted"] == 0  # 1000 h < 2000 h of grace


def test_references_are_found_anywhere_in_an_event():
    sha = "ab" * 32
    assert set(blob_refs({"photos": [sha], "additions": [{"photos": [sha.replace("a", "c")]}], "text": "x" * 64})) == {
        sha, sha.replace("a", "c")}
