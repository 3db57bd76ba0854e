"""Issue 13: photos over the real broker, on both stores.

- finding 1: the image bomb sent to store_photo is refused (InvalidInput on data_b64, rule
  max_pixels) and the service goes on storing ordinary photos, downscaled when large;
- "photo storage without bounds": a resident may store so many photos (and bytes) a day; the
  photos of drafts never filed are deleted after the grace period (`langxanh photos gc` and the
  service's timer run the same code), and a referenced photo is never deleted — by a report, an
  addition, a reopening (even once the reopening pushed it out of the incident's current photos)
  or a violation's evidence."""
import base64
import io
import os
import time

import pytest
from PIL import Image

from services.inspections.service import InspectionsService
from services.sites.service import SitesService
from langxanh.photos import collect
from shared.kit.actor import Actor
from shared.kit.blobs import BlobStore
from shared.kit.client import ServiceClient
from shared.kit.config import Settings
from shared.kit.errors import InvalidInput, NotFound
from tests.security.photo_images import black_png, jpeg, noisy_jpeg
from tests.services.helpers import until

RESIDENT = Actor("tg:resident-photos", "resident")
NEIGHBOUR = Actor("tg:resident-other", "resident")
INSPECTOR = Actor("insp-1", "inspector")
AGENCY = Actor("officer-1", "agency")
HERE = {"lat": 21.0035, "lon": 105.9138}
QUOTA = 8


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def small(i: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (i, 255 - i, 7)).save(out, format="JPEG")
    return b64(out.getvalue())


@pytest.fixture
def services(make_container, store_env, exchange_name, amqp_uri, monkeypatch):
    monkeypatch.setenv("LANGXANH_PHOTO_QUOTA_COUNT", str(QUOTA))
    monkeypatch.setenv("LANGXANH_PHOTO_QUOTA_BYTES", "300000")
    for cls in (SitesService, InspectionsService):
        make_container(cls).start()

    def client(actor):
        return ServiceClient(actor=actor, amqp_uri=amqp_uri, timeout=30)

    return client


def test_the_bomb_over_the_broker_is_refused_and_a_large_photo_is_stored_downscaled(services):
    with services(INSPECTOR) as c:
        with pytest.raises(InvalidInput) as e:
            c.inspections.store_photo(data_b64=b64(black_png(12_000, 12_000)))
        assert (e.value.field, e.value.rule) == ("data_b64", "max_pixels")
        with pytest.raises(InvalidInput) as e:
            c.inspections.store_photo(data_b64=b64(b"GIF89a" + b"\x00" * 64))
        assert e.value.field == "data_b64"
        photo = c.inspections.store_photo(data_b64=b64(jpeg(6000, 4000)))["photo"]
    with Image.open(BlobStore(Settings().data_dir / "blobs").path(photo)) as img:
        assert img.size == (2560, 1707)


def test_a_resident_stores_at_most_the_daily_quota_of_photos(services):
    with services(RESIDENT) as me, services(NEIGHBOUR) as other, services(INSPECTOR) as staff:
        for i in range(QUOTA):
            me.inspections.store_photo(data_b64=small(i))
        with pytest.raises(InvalidInput) as e:
            me.inspections.store_photo(data_b64=small(99))
        assert (e.value.field, e.value.rule) == ("data_b64", "daily_quota_count")
        other.inspections.store_photo(data_b64=small(99))  # a quota per resident
        for i in range(QUOTA + 2):
            staff.inspections.store_photo(data_b64=small(100 + i))  # staff have none
        other.inspections.store_photo(data_b64=b64(noisy_jpeg(500, 400)))  # about 170 KB as stored
        with pytest.raises(InvalidInput) as e:  # a second one would make 330 KB of the 300 KB a day
            other.inspections.store_photo(data_b64=b64(noisy_jpeg(500, 400, seed=1)))
        assert e.value.rule == "daily_quota_bytes"


def age(digests, hours: float) -> None:
    blobs = BlobStore(Settings().data_dir / "blobs")
    past = time.time() - hours * 3600
    for d in digests:
        os.utime(blobs.path(d), (past, past))


def test_unreferenced_photos_are_collected_after_the_grace_period_and_referenced_ones_never(services):
    with services(RESIDENT) as me, services(INSPECTOR) as insp, services(AGENCY) as agency:
        reported = [me.inspections.store_photo(data_b64=small(i))["photo"] for i in range(3)]
        added, reopening, draft_only, young = (me.inspections.store_photo(data_b64=small(10 + i))["photo"]
                                               for i in range(4))
        first = me.inspections.report_incident(category="wastewater", description="Nước thải đen", location=HERE,
                                               photos=reported)
        second = me.inspections.report_incident(category="dust", description="Bụi mịt mù", location=HERE)
        me.inspections.add_information(incident_id=second["id"], text="Ảnh thêm", photos=[added])
        insp.inspections.triage_incident(incident_id=first["id"], category="wastewater", priority="normal")
        agency.inspections.assign_incident(incident_id=first["id"], unit="Đội 1")
        insp.inspections.verify_incident(incident_id=first["id"], finding="Không phát hiện")
        insp.inspections.resolve_incident(incident_id=first["id"], note="Không vi phạm")
        me.inspections.reopen_incident(incident_id=first["id"], reason="Vẫn xả thải", photo=reopening)
        current = me.inspections.get_incident(incident_id=first["id"])["photos"]
        assert reported[0] not in current and reopening in current  # pushed out of the state, still in the log

        referenced = [*reported, added, reopening]
        age([*referenced, draft_only], hours=1000)
        assert collect(Settings()) == {"deleted": 1, "kept_referenced": 5}  # the grace: 72 h by default
        blobs = BlobStore(Settings().data_dir / "blobs")
        assert not blobs.exists(draft_only) and blobs.exists(young)
        assert all(blobs.exists(d) for d in referenced)
        with pytest.raises(NotFound):
            me.inspections.report_incident(category="dust", description="Ảnh đã bị xoá", location=HERE,
                                           photos=[draft_only])
        assert collect(Settings()) == {"deleted": 0, "kept_referenced": 5}


def test_a_photo_stored_again_or_claimed_by_a_report_is_young_again(services):
    with services(RESIDENT) as me:
        photo = me.inspections.store_photo(data_b64=small(1))["photo"]
        age([photo], hours=1000)
        assert me.inspections.store_photo(data_b64=small(1))["photo"] == photo  # the same bytes, renewed
        assert collect(Settings())["deleted"] == 0
        age([photo], hours=1000)
        until(lambda: me.inspections.report_incident(category="dust", description="Bụi", location=HERE, photos=[photo]))
        age([photo], hours=1000)
        assert collect(Settings()) == {"deleted": 0, "kept_referenced": 1}
