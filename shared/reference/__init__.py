"""Hanoi reference data shipped with Làng Xanh: every entry carries its source and a confidence
flag (H stated in a source, M secondary or inferred, L unconfirmed placeholder)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def sites() -> list[dict]:
    return load("hanoi_sites.json")["sites"]


def sources() -> dict[str, str]:
    return load("hanoi_sites.json")["sources"]


def delisting() -> dict:
    """QĐ 2546/QĐ-UBND (2023): the villages whose recognition Làng Xanh records as withdrawn."""
    return load("delisting_qd2546.json")


def units() -> dict:
    return load("hanoi_units.json")


def _unit_name(collection: str, code: str | None) -> str | None:
    if not code:
        return None
    for unit in units()[collection]:
        if unit["code"] == code:
            return f"{unit['kind']} {unit['name']}"
    return code


def commune_name(code: str | None) -> str | None:
    """'xa-bat-trang' → 'xã Bát Tràng' (the code itself when unknown)."""
    return _unit_name("communes", code)


def district_name(code: str | None) -> str | None:
    """'gia-lam' → 'huyện Gia Lâm' (the code itself when unknown)."""
    return _unit_name("districts", code)


def limit_tables(extra_dir: Path | None = None) -> list[dict]:
    """Every wastewater-limit table shipped (qcvn*.json: QCVN 40:2011 B, and QCVN 40:2025 and
    QCVN 13-MT:2015 as metadata without values) plus any in `extra_dir` (e.g. QCVN 40:2025's
    values once available as data), which replace a shipped one of the same table and column
    (services/inspections/limits.py)."""
    files = sorted(HERE.glob("qcvn*.json"))
    if extra_dir is not None and Path(extra_dir).is_dir():
        files += sorted(Path(extra_dir).glob("*.json"))
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]
