"""The registry out as XLSX or CSV, in the very columns the import reads (export then import changes
nothing), the empty templates, and the indicators' figures.

A spreadsheet runs what looks like a formula: every value starting with =, +, -, @, a tab or a
carriage return is written with a leading apostrophe (CSV/formula injection, OWASP), in CSV and in
XLSX alike; the import reads such a value back without it (reading.unquote).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from shared.transfer.columns import SHEETS

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: object) -> str:
    text = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return "'" + text if text.startswith(DANGEROUS) else text


def site_cells(doc: dict) -> dict[str, object]:
    location = doc.get("location") or {}
    return {
        "reference_key": doc.get("reference_key") or doc["id"], "kind": doc.get("kind"), "name": doc.get("name"),
        "trade": doc.get("trade"), "trade_group": doc.get("trade_group"),
        "craft_village_cluster": bool(doc.get("craft_village_cluster")), "old_district": doc.get("old_district"),
        "old_commune": doc.get("old_commune"), "commune": doc.get("commune"), "lat": location.get("lat"),
        "lon": location.get("lon"), "households": doc.get("households"), "area_ha": doc.get("area_ha"),
        "source": doc.get("source"), "confidence": doc.get("confidence"),
    }


def establishment_cells(doc: dict, site_key: str) -> dict[str, object]:
    permit = doc.get("permit") or {}
    licence = doc.get("licence") or {}
    return {
        "site_key": site_key, "registration_code": doc.get("registration_code"), "name": doc.get("name"),
        "form": doc.get("form"), "trades": "; ".join(doc.get("trades") or []),
        "permit_type": permit.get("type"), "permit_number": permit.get("number"), "permit_date": permit.get("date"),
        "hw_generator": bool(doc.get("hw_generator")), "transporter": bool(doc.get("transporter")),
        "treatment_facility": bool(doc.get("treatment_facility")), "licence_number": licence.get("number"),
        "licence_date": licence.get("date"), "licence_waste_codes": "; ".join(licence.get("waste_codes") or []),
    }


def registry_table(sheet: str, records: Iterable[dict[str, object]]) -> tuple[list[str], list[list[object]]]:
    columns = SHEETS[sheet]
    return [c.label for c in columns], [[r.get(c.name) for c in columns] for r in records]


def indicators_table(figures: dict, period: str) -> tuple[list[str], list[list[object]]]:
    """{unit: {target: {numerator, denominator, ratio}}} as one row per unit and target."""
    keys: list[str] = []
    for targets in figures.values():
        for values in targets.values():
            keys += [k for k in values if k not in keys]
    rows = [[period, unit, target, *[_scalar(values.get(k)) for k in keys]]
            for unit, targets in sorted(figures.items()) for target, values in sorted(targets.items())]
    return ["period", "unit", "target", *keys], rows


def _scalar(value: object) -> object:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (dict, list)) else value


def write(header: list[str], rows: Iterable[list[object]], fmt: str, title: str = "data") -> bytes:
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutral(h) for h in header])
        writer.writerows([neutral(v) for v in row] for row in rows)
        return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with its BOM
    if fmt != "xlsx":
        raise ValueError(f"format {fmt!r}: xlsx or csv")
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append([neutral(h) for h in header])
    for row in rows:
        ws.append([_xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: object) -> object:
    if isinstance(value, bool) or value is None:
        return neutral(value) if isinstance(value, bool) else None
    if isinstance(value, (int, float)):
        return value
    return neutral(value)


def template(sheet: str, fmt: str) -> bytes:
    """An empty sheet: the Vietnamese headers (the English names are accepted too)."""
    header, _ = registry_table(sheet, [])
    return write(header, [], fmt, sheet)
