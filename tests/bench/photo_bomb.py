"""What storing one photo costs (issue 13, finding 1): peak RSS and time of BlobStore.put_photo
(what inspections' store_photo runs) on an image bomb and on a normal 12 Mpx camera JPEG, each in
a fresh subprocess so its peak RSS (VmHWM, reset after imports) is the photo's alone:

    python -m tests.bench.photo_bomb
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time
from pathlib import Path
from shared.kit.blobs import BlobStore
from shared.kit.errors import LangXanhError
data = Path(sys.argv[1]).read_bytes()
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
import PIL.Image, PIL.PngImagePlugin, PIL.JpegImagePlugin  # imported before the baseline
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets VmHWM to the current RSS: the peak measured is the photo's
base = hwm()
store = BlobStore(Path(sys.argv[2]))
t0, c0 = time.perf_counter(), time.process_time()
try:
    digest = store.put_photo(data)
    from PIL import Image
    with Image.open(store.path(digest)) as img:
        outcome = {"stored": list(img.size), "bytes": store.path(digest).stat().st_size}
except LangXanhError as e:
    outcome = {"refused": type(e).__name__, "field": e.field, "rule": e.rule}
except BaseException as e:  # noqa: BLE001 - the bench reports what escapes
    outcome = {"escaped": type(e).__name__}
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = hwm()
print(json.dumps({"outcome": outcome, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                  "rss_before_mb": round(base / 1024, 1), "peak_rss_mb": round(peak / 1024, 1)}))
"""


def bomb_png(side: int = 12_000) -> bytes:
    """A side×side black RGB PNG: a few hundred KB on the wire, side²×3 bytes decoded."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def bomb_png_rect(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def camera_jpeg(width: int = 4000, height: int = 3000, quality: int = 90) -> bytes:
    """A 12 Mpx JPEG with some texture (a phone photo's size, a few MB)."""
    from PIL import Image

    noise = Image.effect_noise((width // 4, height // 4), 60).resize((width, height))
    img = Image.merge("RGB", (noise, Image.linear_gradient("L").resize((width, height)), noise))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def measure(data: bytes) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.write_bytes(data)
        run = subprocess.run([sys.executable, "-c", CHILD, str(src), str(Path(tmp) / "blobs")],
                             capture_output=True, text=True, check=True)
        return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    cases = {"bomb 12000x12000 PNG": bomb_png(), "bomb 14000x14000 PNG (>179 Mpx)": bomb_png(14_000),
             "camera 4000x3000 JPEG": camera_jpeg(),
             "largest legal PNG 5000x3200 (16 Mpx)": bomb_png_rect(5000, 3200),
             "48 Mpx JPEG 8000x6000": camera_jpeg(8000, 6000, quality=60)}
    for name, data in cases.items():
        print(f"{name} ({len(data) / 1024:.0f} KB): {json.dumps(measure(data))}")


if __name__ == "__main__":
    main()
