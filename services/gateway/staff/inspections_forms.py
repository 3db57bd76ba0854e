"""The inspections pages' form handling, plain Python (no routes): rows of samples and of
remedial measures read from a posted form, the band of a refused fine for its Vietnamese
message, and who may act on an inspection (the scope rules of the staff workspace)."""
from __future__ import annotations

from typing import Any

from shared.kit.actor import Role
from shared.kit.errors import Forbidden

SAMPLE_ROWS = 6    # blank sample rows on the conduct form
MEASURE_ROWS = 3   # blank remedial-measure rows on the violation form
MAX_ROWS = 100     # what the contracts accept at most (samples); more rows are cut, then refused by the contract
FINE_BAND_RULE = "fine_band"


def number(text: str) -> float | str:
    """'1,5' or '1.5' -> 1.5 (Vietnamese decimal comma accepted); anything else is returned as
    typed so the contract refuses it next to its field."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return text


def vnd(text: str) -> int | str:
    """'1.500.000', '1 500 000' or '1500000' -> 1500000 (đồng); anything else as typed."""
    cleaned = text.strip().replace(".", "").replace(" ", "").replace(",", "").removesuffix("đ")
    return int(cleaned) if cleaned.isdigit() else text


def sample_rows(values: Any) -> list[dict]:
    """The sample rows of a form (`sample_parameter`, `sample_value`, `sample_unit`, optional
    `sample_kq`, `sample_kf`, each multi-valued); fully blank rows are dropped."""
    columns = {name: values(f"sample_{name}") for name in ("parameter", "value", "unit", "kq", "kf")}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_ROWS + 1)
    rows = []
    for i in range(count):
        cell = {name: (col[i].strip() if i < len(col) else "") for name, col in columns.items()}
        if not any(cell[n] for n in ("parameter", "value", "unit")):
            continue
        row: dict[str, Any] = {"parameter": cell["parameter"], "value": number(cell["value"]) if cell["value"] else None,
                               "unit": cell["unit"]}
        for factor in ("kq", "kf"):
            if cell[factor]:
                row[factor] = number(cell[factor])
        rows.append(row)
    return rows


def measure_rows(values: Any) -> list[dict]:
    measures, deadlines = values("measure"), values("measure_deadline")
    rows = []
    for i in range(min(max(len(measures), len(deadlines)), 21)):
        text = measures[i].strip() if i < len(measures) else ""
        deadline = deadlines[i].strip() if i < len(deadlines) else ""
        if text or deadline:
            rows.append({"measure": text, "deadline": deadline or None})
    return rows


def lines(text: str | None, limit: int = 21) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()][:limit]


def dong(amount: int) -> str:
    """1500000 -> '1.500.000' (the Vietnamese grouping)."""
    return f"{amount:,}".replace(",", ".")


def band_of(catalogue: dict, code: str | None, offender_type: str | None) -> tuple[int, int] | None:
    """The band of a catalogue entry for an offender (households as individuals, organisations
    × the catalogue's multiplier), as the service checks it; None when the entry is unknown."""
    entry = next((e for e in catalogue.get("entries", []) if e["code"] == code), None)
    band = (entry or {}).get("band_individual_vnd") or {}
    if entry is None or band.get("min") is None or band.get("max") is None:
        return None  # unknown, or blocked (no amount in a readable source): the service refuses it
    factor = int(catalogue.get("rules", {}).get("organisation_multiplier", 2)) if offender_type == "organisation" else 1
    return int(band["min"]) * factor, int(band["max"]) * factor


def fits(entry: dict, factor: float | None) -> bool:
    """An entry graded by the exceedance factor (Art. 18: [min, max)) that the samples' largest factor falls in."""
    cond = entry.get("conditions") or {}
    if factor is None or cond.get("exceedance_min") is None:
        return False
    return cond["exceedance_min"] <= factor < (cond.get("exceedance_max") or float("inf"))


def catalogue_options(catalogue: dict, lang: str, factor: float | None = None) -> list[tuple[str, str]]:
    """(code, label) of every fine of the catalogue; those the largest exceedance factor fits first, marked."""
    out, fitting = [], []
    for e in catalogue.get("entries", []):
        if e.get("sanction") != "fine" or not (e.get("band_individual_vnd") or {}).get("max"):
            continue  # blocked entries (no amount in a readable source) are not offered
        point = f" điểm {e['point'].replace('dd', 'đ')}" if e.get("point") else ""
        where = f"Điều {e['article']} khoản {e['clause']}{point}" if lang == "vi" else \
            f"Art. {e['article']} cl. {e['clause']}{(' pt. ' + e['point']) if e.get('point') else ''}"
        title = e.get("title_vi") if lang == "vi" else e.get("title_en") or e.get("title_vi")
        band = e["band_individual_vnd"]
        label = f"{where} — {dong(band['min'])}–{dong(band['max'])} đ — {(title or '')[:90]}"
        if fits(e, factor):
            fitting.append((e["code"], f"★ {label}"))
        else:
            out.append((e["code"], label))
    return fitting + out


def assigned_to(member: Any, doc: dict) -> bool:
    """An inspector acts on an inspection assigned to them or to their unit; agency and admin on
    every inspection in their scope."""
    if member.role != Role.INSPECTOR:
        return True
    return bool((doc.get("inspector") and doc["inspector"] == member.email)
                or (doc.get("unit") and member.unit and doc["unit"] == member.unit))


def require_assigned(member: Any, doc: dict) -> None:
    if not assigned_to(member, doc):
        raise Forbidden("this inspection is assigned to another inspector or unit", "inspection_id", "assigned")
