"""Decree 45/2022 rules over the sanction catalogue (shared/reference/sanctions_decree45.json).

Plain functions, no transport: which entry an exceedance falls in, whether an entry may be used
for a fine at all (blocked entries carry no readable amount), and whether the deciding authority
may decide it (Law on Handling Administrative Violations Art. 52: the cap is per individual,
doubled for an organisation, and compared with the maximum of the violation's band).
"""
from __future__ import annotations

from shared.kit.errors import InvalidInput, NotFound
from services.inspections.domainmodel import OffenderType, fine_band

BLOCKED_RULE = "band_blocked"
CAP_RULE = "authority_cap"
AUTHORITY_RULE = "authority"
MULTI_RULE = "multi_parameter_blocked"
NO_BAND_RULE = "no_band"


def authorities(catalogue: dict) -> list[dict]:
    return list(catalogue.get("authorities", {}).get("levels", []))


def authority_keys(catalogue: dict) -> list[str]:
    return [a["key"] for a in authorities(catalogue)]


def check_usable(entry: dict) -> None:
    """Refuse a fine from an entry whose amount is not from a readable source."""
    if entry.get("blocked") or entry.get("band_individual_vnd") is None:
        raise InvalidInput(
            f"{entry['code']} (Decree 45 Art. {entry['article']}) is blocked: its amount is not in a readable source "
            f"({entry.get('confidence')}); no fine is computed from it until the official text is loaded",
            "catalogue_code", BLOCKED_RULE)


def _cap(level: dict, offender_type: str, rules: dict) -> int | None:
    cap = level.get("cap_individual_vnd")
    if cap is None:
        return None
    return int(cap) * (int(rules.get("organisation_multiplier", 2)) if offender_type == OffenderType.ORGANISATION else 1)


def check_authority(catalogue: dict, entry: dict, offender_type: str, authority: str) -> None:
    """The deciding authority's cap must reach the band's maximum; else say who may decide."""
    levels = {a["key"]: a for a in authorities(catalogue)}
    if authority not in levels:
        raise InvalidInput(f"unknown sanctioning authority {authority!r}; one of {sorted(levels)}",
                           "authority", AUTHORITY_RULE)
    rules = catalogue.get("rules", {})
    band_max = fine_band(entry, offender_type, rules)[1]
    cap = _cap(levels[authority], offender_type, rules)
    if cap is not None and band_max <= cap:
        return
    able = [k for k, a in levels.items() if (c := _cap(a, offender_type, rules)) is not None and band_max <= c]
    unknown = [k for k, a in levels.items() if a.get("cap_individual_vnd") is None]
    why = "its cap is not in a readable source" if cap is None else f"its cap is {cap:,} VND"
    err = InvalidInput(
        f"{levels[authority]['title_en']} may not decide {entry['code']} (band up to {band_max:,} VND): {why}; "
        f"may decide: {', '.join(able) or 'none with a known cap'}", "authority", CAP_RULE)
    err.details = {"authority": authority, "band_max_vnd": band_max, "cap_vnd": cap,  # type: ignore[attr-defined]
                   "may_decide": able, "cap_unknown": unknown}
    raise err


def _in(value: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value < hi)


def lookup_exceedance(catalogue: dict, exceedances: list[dict], flow_m3_day: float) -> dict:
    """The entry for a sample's exceedances: [{parameter, factor, hazardous}], factor = measured / limit.

    One exceeding parameter only: the decree's rule for several at once is not loaded (blocked).
    """
    over = [x for x in exceedances if float(x["factor"]) > 1.0]
    if not over:
        raise InvalidInput("no parameter exceeds its limit", "exceedances", "none_exceeds")
    if len(over) > 1:
        rule = catalogue.get("multi_parameter_rule", {})
        if rule.get("status") != "loaded":
            raise InvalidInput(
                f"{len(over)} parameters exceed ({', '.join(x['parameter'] for x in over)}): the decree's rule for several "
                "parameters at once is not loaded, so no band is chosen", "exceedances", MULTI_RULE)
    x = over[0]
    klass = "hazardous" if x.get("hazardous") else "ordinary"
    factor = float(x["factor"])
    for e in catalogue.get("entries", []):
        c = e.get("conditions") or {}
        if c.get("parameter_class") != klass or "exceedance_min" not in c:
            continue
        if _in(factor, c["exceedance_min"], c["exceedance_max"]) and _in(flow_m3_day, c["flow_min_m3_day"],
                                                                         c["flow_max_m3_day"]):
            return e
    raise NotFound(f"no {klass} entry for {factor}× at {flow_m3_day} m³/day in the catalogue (not extrapolated)",
                   "exceedances", NO_BAND_RULE)
