"""Photos made safe to keep (issue 13, finding 1: the image bomb).

A photo is judged by its header before a single pixel is decoded (Pillow's Image.open is lazy):
too many bytes, too many pixels or an unknown format is refused. What passes is decoded at a
reduced scale when it is large (JPEG: the decoder's own draft mode, 1/2 to 1/8; other formats:
reduce then resample), turned upright from its EXIF orientation, and re-encoded from its pixels
only, so no EXIF (location, device), ICC or text chunk is kept. Every failure of Pillow — an
unreadable file, a truncated one, a decompression bomb — is the kit's InvalidInput on `photo`.
"""
from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from shared.kit.errors import InvalidInput

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MODES = {"JPEG": ("L", "RGB", "CMYK"), "PNG": ("L", "LA", "RGB", "RGBA"), "WEBP": ("RGB", "RGBA")}


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int = 10_000_000      # encoded size accepted
    max_pixels: int = 50_000_000     # JPEG: width × height in the header; above: refused before decoding
    max_pixels_lossless: int = 16_000_000  # PNG, WebP: the same (no reduced-scale decoding for them)
    max_side: int = 2560             # the longest side kept; larger photos are downscaled

    @classmethod
    def of(cls, settings: object) -> "PhotoLimits":
        return cls(max_bytes=settings.services.photo_max_bytes, max_pixels=settings.services.photo_max_pixels,  # type: ignore[attr-defined]
                   max_pixels_lossless=settings.services.photo_max_pixels_lossless,  # type: ignore[attr-defined]
                   max_side=settings.services.photo_max_side)  # type: ignore[attr-defined]

    def pixels_for(self, fmt: str) -> int:
        return self.max_pixels if fmt == "JPEG" else self.max_pixels_lossless


def _pillow_errors() -> tuple[type[BaseException], ...]:
    from PIL import Image, UnidentifiedImageError

    # What Pillow raises on hostile or broken files (its own fuzzers catch the same set).
    return (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError, EOFError, struct.error, zlib.error, IndexError, KeyError, TypeError)


def clean_photo(data: bytes, limits: PhotoLimits = PhotoLimits()) -> bytes:
    """The photo re-encoded without metadata, at most `limits.max_side` on its longest side."""
    if not data:
        raise InvalidInput("the photo is empty", "photo", "required")
    if len(data) > limits.max_bytes:
        raise InvalidInput(f"a photo may be at most {limits.max_bytes / 1_000_000:g} MB", "photo", "max_size")
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            return _reencode(data, limits)
    except InvalidInput:
        raise
    except Image.DecompressionBombError:  # above 2 × Pillow's own limit: refused by Image.open itself
        raise InvalidInput(f"a photo may have at most {limits.max_pixels / 1_000_000:g} megapixels",
                           "photo", "max_pixels") from None
    except _pillow_errors() as e:
        raise InvalidInput(f"this is not a readable image ({type(e).__name__})", "photo", "image") from None


def _reencode(data: bytes, limits: PhotoLimits) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data), formats=list(FORMATS)) as img:  # lazy: the header only
        fmt = img.format
        if fmt not in FORMATS:
            raise InvalidInput(f"photo format {fmt} is not accepted; send JPEG, PNG or WebP", "photo", "format")
        width, height = img.size
        cap = limits.pixels_for(fmt)
        if width < 1 or height < 1 or width * height > cap:
            raise InvalidInput(f"a {fmt} photo may have at most {cap / 1_000_000:g} megapixels "
                               f"(this one has {width}×{height})", "photo", "max_pixels")
        # Downscale while decoding: a JPEG is decoded at 1/2..1/8 scale (draft, never below the
        # target size), then reduced and resampled to the target.
        ratio = limits.max_side / max(width, height)
        if fmt == "JPEG" and ratio < 1:
            img.draft(None, (max(1, int(width * ratio)), max(1, int(height * ratio))))
        img.thumbnail((limits.max_side, limits.max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
        upright = ImageOps.exif_transpose(img) or img
        mode = upright.mode if upright.mode in MODES[fmt] else _target_mode(upright, fmt)
        pixels = upright if upright.mode == mode else upright.convert(mode)
        clean = Image.frombytes(mode, pixels.size, pixels.tobytes())  # pixels only: no EXIF, ICC, text
        out = io.BytesIO()
        clean.save(out, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
        return out.getvalue()


def _target_mode(img: object, fmt: str) -> str:
    """RGBA when the photo has transparency and the format keeps it, else RGB."""
    transparent = "A" in img.mode.upper() or "transparency" in img.info  # type: ignore[attr-defined]
    return "RGBA" if fmt != "JPEG" and transparent else "RGB"
