"""Reference rules of the inspections domain, as pure functions over plain reference data: a sample
against a versioned limit table (QCVN), a fine against its Decree 45 band. Re-exported by
domainmodel.py; they take the tables as arguments and keep no state."""
from __future__ import annotations

from shared.kit.errors import InvalidInput
from shared.vocabulary import OffenderType


def evaluate_sample(sample: dict, table: dict) -> dict:
    """A sample against a versioned limit table: Cmax = C × Kq × Kf; exceedance = value / Cmax.
    For a range (pH) the factor is how far outside the range, relative to the nearer bound."""
    params = {p["code"].lower(): p for p in table["parameters"]}
    param = params.get(sample["parameter"].lower())
    if param is None:
        raise InvalidInput(f"parameter {sample['parameter']!r} is not in {table['table']} column {table['column']}",
                           "samples.parameter", "in_table")
    if param["unit"] != sample["unit"]:
        raise InvalidInput(f"{param['code']} is measured in {param['unit']}, not {sample['unit']}", "samples.unit", "unit")
    applies = param.get("applies_kq_kf", True)
    kq = float(sample.get("kq") or 1.0) if applies else 1.0
    kf = float(sample.get("kf") or 1.0) if applies else 1.0
    value = float(sample["value"])
    out = {"parameter": param["code"], "value": value, "unit": param["unit"], "kq": kq, "kf": kf,
           "limit_table": f"{table['table']} {table['column']}", "limit_version": table["version"]}
    if "min" in param and param.get("min") is not None:
        lo, hi = float(param["min"]), float(param["max"])
        out.update(limit_min=lo, limit_max=hi)
        factor = max(lo / value if value < lo and value > 0 else 0, value / hi if value > hi else 0, 1.0 if lo <= value <= hi else 0)
        out["exceedance"] = round(factor, 3) if factor else None
        out["exceeds"] = not (lo <= value <= hi)
    else:
        cmax = float(param["max"]) * kq * kf
        out.update(limit_max=round(cmax, 6))
        out["exceedance"] = round(value / cmax, 3) if cmax else None
        out["exceeds"] = value > cmax
    return out


def fine_band(entry: dict, offender_type: str, rules: dict) -> tuple[int, int]:
    """The fine band for this offender: households as individuals, organisations ×2 (Decree 45)."""
    band = entry["band_individual_vnd"]
    factor = int(rules.get("organisation_multiplier", 2)) if offender_type == OffenderType.ORGANISATION else 1
    return int(band["min"]) * factor, int(band["max"]) * factor


FINE_BAND_RULE = "fine_band"  # the rule a refused fine names (the staff pages translate it, with the band)


def check_fine(entry: dict, offender_type: str, fine_vnd: int, rules: dict) -> None:
    lo, hi = fine_band(entry, offender_type, rules)
    if not lo <= fine_vnd <= hi:
        who = {"household": "a household (fined as an individual)", "individual": "an individual",
               "organisation": "an organisation (twice the individual band)"}[offender_type]
        raise InvalidInput(
            f"fine {fine_vnd:,} VND is outside the band of {entry['code']} (Decree 45 Art. {entry['article']}"
            f" cl. {entry['clause']}{(' pt. ' + entry['point']) if entry.get('point') else ''}) for {who}: "
            f"{lo:,}–{hi:,} VND", "fine_vnd", FINE_BAND_RULE)
