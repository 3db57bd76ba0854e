"""Issue 13, finding 1: the image bomb. A 420 KB 12000×12000 PNG made store_photo decode 432 MB
of pixels (1.5 GB peak RSS, 5 s of CPU blocking the hub); a 196 Mpx one let Pillow's
DecompressionBombError escape untyped. Now the header decides before any decoding, large photos
are stored downscaled, and every Pillow failure is InvalidInput on `photo`."""
import io
import warnings

import pytest
from PIL import Image

from shared.kit.blobs import BlobStore
from shared.kit.errors import InvalidInput
from shared.kit.photos import PhotoLimits
from tests.security.photo_images import black_png, jpeg, png, put_photo_in_a_subprocess

MB = 1024 * 1024


@pytest.mark.parametrize("side", [12_000, 14_000], ids=["144-Mpx", "196-Mpx-above-pillows-own-limit"])
def test_a_bomb_is_refused_by_its_header_and_the_process_stays_small(side, tmp_path):
    bomb = black_png(side, side)
    assert len(bomb) < 600_000  # a small file on the wire
    answer = put_photo_in_a_subprocess(bomb, tmp_path)
    assert answer["outcome"] == {"refused": "InvalidInput", "field": "photo", "rule": "max_pixels"}
    assert answer["peak_growth"] < 50 * MB, f"the process grew by {answer['peak_growth'] / MB:.0f} MB"
    assert not [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]  # nothing stored


def test_a_big_but_legal_photo_is_stored_downscaled_without_its_exif_in_bounded_memory(tmp_path):
    camera = jpeg(8000, 6000, exif=True)  # 48 Mpx: under the JPEG cap, decoded at half scale
    answer = put_photo_in_a_subprocess(camera, tmp_path)
    assert answer["outcome"] == {"stored": True}
    assert answer["peak_growth"] < 200 * MB  # a full decode is 144 MB of pixels alone, plus copies
    store = BlobStore(tmp_path / "blobs")
    digest = store.put_photo(camera)
    with Image.open(io.BytesIO(store.get(digest))) as img:
        assert max(img.size) == PhotoLimits().max_side and img.size == (2560, 1920)
        assert not img.getexif() and "exif" not in img.info


def test_a_lossless_photo_above_its_cap_is_refused_and_one_under_it_is_downscaled(tmp_path):
    store = BlobStore(tmp_path, PhotoLimits(max_pixels_lossless=1_000_000, max_side=500))
    with pytest.raises(InvalidInput) as e:
        store.put_photo(png(1001, 1000))
    assert (e.value.field, e.value.rule) == ("photo", "max_pixels")
    with Image.open(io.BytesIO(store.get(store.put_photo(png(1000, 1000, "RGBA"))))) as img:
        assert img.size == (500, 500) and img.mode == "RGBA"


def truncated() -> bytes:
    return jpeg(64, 64)[:300]


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a" + b"\x00" * 40, b"not an image at all", truncated(),
    black_png(300, 300)[:-30], b"\xff\xd8\xff\xe0" + b"\xff" * 100, b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20,
], ids=["png-junk", "gif", "text", "jpeg-truncated", "png-idat-cut", "jpeg-junk", "webp-junk"])
def test_every_pillow_failure_is_invalid_input_on_photo(data, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning escapes either
        with pytest.raises(InvalidInput) as e:
            BlobStore(tmp_path).put_photo(data)
    assert e.value.field == "photo" and e.value.rule in ("image", "format")


def test_too_many_bytes_is_refused_before_opening(tmp_path):
    with pytest.raises(InvalidInput) as e:
        BlobStore(tmp_path, PhotoLimits(max_bytes=100_000)).put_photo(b"\xff\xd8" + b"\x00" * 100_000)
    assert e.value.rule == "max_size"
