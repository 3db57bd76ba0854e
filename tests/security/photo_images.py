"""Images for the photo attacks (issue 13, finding 1): bombs, big-but-legal photos, broken files."""
from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from functools import lru_cache
from pathlib import Path

from PIL import Image


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    """A black PNG: a few hundred KB for 12000×12000, width × height × 3 bytes once decoded."""
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def jpeg(width: int, height: int, exif: bool = False, quality: int = 85) -> bytes:
    img = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    kwargs = {}
    if exif:
        e = Image.Exif()
        e[0x010F] = "PhoneMaker"
        e[0x0112] = 1
        kwargs["exif"] = e.tobytes()
    img.save(out, format="JPEG", quality=quality, **kwargs)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@lru_cache(maxsize=4)
def black_png(width: int, height: int) -> bytes:
    """A valid black RGB PNG of any size, written row by row (the test process never holds the
    pixels): 12000×12000 is about 420 KB, as in the finding."""
    z = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)  # filter type 0, then the row's pixels
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))

PEAK = r"""
import json, sys
from pathlib import Path
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
from shared.kit.blobs import BlobStore
from shared.kit.errors import InvalidInput
import PIL.Image, PIL.PngImagePlugin, PIL.JpegImagePlugin
data = Path(sys.argv[1]).read_bytes()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the peak from here on is put_photo's
base = hwm()
try:
    BlobStore(Path(sys.argv[2])).put_photo(data)
    outcome = {"stored": True}
except InvalidInput as e:
    outcome = {"refused": "InvalidInput", "field": e.field, "rule": e.rule}
except BaseException as e:
    outcome = {"escaped": type(e).__name__}
print(json.dumps({"outcome": outcome, "peak_growth": hwm() - base}))
"""


def put_photo_in_a_subprocess(data: bytes, tmp: Path) -> dict:
    """What BlobStore.put_photo (inspections' store_photo) does with `data` in a fresh process, and
    how much its resident set grew at its peak (VmHWM, reset just before the call)."""
    src = tmp / "photo.in"
    src.write_bytes(data)
    run = subprocess.run([sys.executable, "-c", PEAK, str(src), str(tmp / "blobs")], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(run.stdout.strip().splitlines()[-1])


def noisy_jpeg(width: int, height: int, seed: int = 0) -> bytes:
    """A JPEG that compresses badly (its bytes are what a quota counts)."""
    noise = Image.effect_noise((width, height), 80 + seed)
    img = Image.merge("RGB", (noise, noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=95)
    return out.getvalue()
