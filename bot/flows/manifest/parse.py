"""Pure reading and writing of what people type in a manifest chat: kilograms the local way,
dates, plates, waste codes. No Telegram here, so it is tested (and reused) on its own."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone

from shared.kit.calendar import local_date
from shared.kit.text import fold

MAX_KG = 1_000_000          # the contract's bound on a line
PLATE_MIN, PLATE_MAX = 4, 15
PLATE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 .\-]*[A-Z0-9]$")
TEXT_MIN, TEXT_MAX = 2, 200
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
TODAY_WORDS = {"hom nay", "today", "nay"}
YESTERDAY_WORDS = {"hom qua", "yesterday"}


def today() -> date:
    """Today in Hanoi (the manifest's dates are local dates)."""
    return local_date(datetime.now(timezone.utc))


def fmt_kg(lng: str, kg: float) -> str:
    """12.5 → '12,5' (vi) or '12.5' (en); thousands grouped."""
    text = f"{kg:,.3f}".rstrip("0").rstrip(".")
    if lng == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_date(value: date | str | None) -> str:
    if not value:
        return "—"
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return d.strftime("%d/%m/%Y")


def fmt_instant(value: str | None) -> str:
    """An instant the service gives (ISO, UTC) as the Hanoi date it fell on."""
    if not value:
        return "—"
    if len(value) <= 10:
        return fmt_date(value)
    return fmt_date(local_date(datetime.fromisoformat(value)))


def parse_kg(text: str) -> float | None:
    """A quantity as people type it: '12,5', '12.5', '1.250,5', '1,250.5', '40 kg'. None if not a number."""
    s = re.sub(r"\s+", "", text.strip().lower().replace("\u00a0", ""))
    s = s.removesuffix("kg")
    if not s or not re.fullmatch(r"[-+]?[0-9.,]+", s) or not re.search(r"[0-9]", s):
        return None
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    elif s.count(",") > 1 or s.count(".") > 1:      # '1.234.567' or '1,234,567': thousands only
        groups = re.split(r"[.,]", s.lstrip("+-"))
        if any(len(g) != 3 for g in groups[1:]) or not groups[0]:
            return None
        s = s.replace(",", "").replace(".", "")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_date(text: str, yesterday: bool = False) -> date | None:
    """'05/03/2025', '2025-03-05', 'hôm nay' (and 'hôm qua' where a past date is meant)."""
    s = text.strip()
    if fold(s) in TODAY_WORDS:
        return today()
    if yesterday and fold(s) in YESTERDAY_WORDS:
        return today() - timedelta(days=1)
    for f in DATE_FORMATS:
        try:
            return datetime.strptime(s, f).date()
        except ValueError:
            continue
    return None


def plate(text: str) -> str | None:
    """A vehicle plate, upper-cased with single spaces ('29c-123.45' → '29C-123.45'); None if it
    cannot be one (letters and digits, 4 to 15 characters)."""
    p = re.sub(r"\s+", " ", text.strip()).upper()
    if PLATE_MIN <= len(p) <= PLATE_MAX and PLATE_RE.match(p) and re.search(r"[0-9]", p) and re.search(r"[A-Z]", p):
        return p
    return None


def code_of(text: str) -> str | None:
    """'160106', '16 01 06', '16-01-06', '16.01.06' → '16 01 06'; None if it is not a whole code."""
    digits = re.sub(r"[\s.\-]", "", text)
    if len(digits) == 6 and digits.isdigit():
        return f"{digits[:2]} {digits[2:4]} {digits[4:]}"
    return None


def one_line(text: str) -> str | None:
    """Free text on one line (spaces collapsed), TEXT_MIN to TEXT_MAX characters; None otherwise."""
    s = re.sub(r"\s+", " ", text.strip())
    return s if TEXT_MIN <= len(s) <= TEXT_MAX else None


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def entry_name(entry: dict, lng: str) -> str:
    return (entry.get("name_en") if lng == "en" and entry.get("name_en") else entry.get("name_vi")) or entry["code"]


__all__ = ["today", "fmt_kg", "fmt_date", "fmt_instant", "parse_kg", "parse_date", "plate", "code_of", "one_line", "short",
           "entry_name", "MAX_KG"]
