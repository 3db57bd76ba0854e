"""Which wastewater-limit table applies to a sample, and why; a facility's permit limits when
stricter (issue 16). Plain Python over the reference tables (shared/reference/qcvn*.json).

The rule (QCVN 40:2025/BTNMT, Circular 06/2025/TT-BTNMT; the dates are data, in the successor's
`transition`): before 2025-09-01 the old regulation of the facility's sector applies (QCVN
40:2011/BTNMT, or QCVN 13-MT:2015/BTNMT for textile dyeing); from then on QCVN 40:2025 applies,
except that a facility operating, or whose EIA was approved, before 2025-09-01 keeps its old
regulation until 2031-12-31. A facility without those dates on record is assumed to be an
existing one during the transition, and the evaluation says so (reason `transition_assumed`).

A table shipped without values (QCVN 40:2025 and 13-MT today) is never replaced by another: the
selection is `evaluable: false` and says which table lacks its values. The permit's own limit for
a parameter wins when stricter than the table's; each row says which applied.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.inspections.domainmodel import evaluate_sample
from shared.kit.errors import InvalidInput, LangXanhError

VALUES_RULE = "limit_values"  # the rule a refusal names when the table in force has no values

REASONS = {
    "before_successor": "{successor} applies from {new_from}: before, {old} applies",
    "transition": "the facility operates or had its EIA approved before {existing_before} ({started}): "
                  "{old} stays in force for it until {until}",
    "transition_assumed": "no operating or EIA date is recorded in the facility's permit: assumed operating "
                          "before {existing_before}, so {old} until {until} (record the permit's discharge terms)",
    "new_facility": "the facility started on {started}, on or after {existing_before}: {successor} applies",
    "transition_ended": "the transition ended on {until}: {successor} applies to every facility",
}
SECTOR_NOTE = {"textile_dyeing": "textile dyeing: its sector regulation {old}"}
MISSING = {
    "table": "{table} is not loaded",
    "values": "{table} has no limit values as data: not evaluable (no other table is used in its place)",
    "column": "{table} has no column {column} as data: not evaluable",
}


@dataclass(frozen=True)
class Facility:
    """What the permit's discharge terms say (shared/contracts/permit_terms.py); all unknown for a
    site sampled without an establishment."""

    establishment_id: str | None = None
    permit: str | None = None
    operating_since: date | None = None
    eia_approved_on: date | None = None
    sector: str = "general"
    column: str | None = None
    flow_m3_day: float | None = None
    limits: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, establishment: dict | None) -> "Facility":
        if not establishment:
            return cls()
        permit = establishment.get("permit") or {}
        terms = permit.get("discharge") or {}
        day = lambda v: date.fromisoformat(v) if isinstance(v, str) else v  # noqa: E731
        return cls(establishment_id=establishment.get("id"),
                   permit=" ".join(str(p) for p in (permit.get("type"), permit.get("number")) if p) or None,
                   operating_since=day(terms.get("operating_since")), eia_approved_on=day(terms.get("eia_approved_on")),
                   sector=terms.get("sector") or "general", column=terms.get("column"),
                   flow_m3_day=terms.get("flow_m3_day"),
                   limits={str(p["parameter"]).lower(): p for p in terms.get("limits") or []})

    @property
    def started(self) -> date | None:
        known = [d for d in (self.operating_since, self.eia_approved_on) if d is not None]
        return min(known) if known else None

    def facts(self) -> dict:
        return {"establishment_id": self.establishment_id, "permit": self.permit,
                "operating_since": self.operating_since.isoformat() if self.operating_since else None,
                "eia_approved_on": self.eia_approved_on.isoformat() if self.eia_approved_on else None,
                "sector": self.sector, "column": self.column, "flow_m3_day": self.flow_m3_day}


def has_values(table: dict) -> bool:
    return bool(table.get("values_available", True)) and bool(table.get("parameters"))


class LimitTables:
    """The loaded tables, one per (table, column); a later one replaces an earlier (extra dir)."""

    def __init__(self, tables: list[dict] | None = None) -> None:
        self.tables: dict[tuple[str, str | None], dict] = {}
        for t in tables or []:
            self.tables[(t["table"], t.get("column"))] = t

    def __bool__(self) -> bool:
        return bool(self.tables)

    def named(self, name: str) -> list[dict]:
        return [t for (n, _), t in self.tables.items() if n == name]

    def _old_table(self, sector: str) -> str:
        for (name, _), t in self.tables.items():
            if t.get("sector") == sector and t.get("superseded_by"):
                return name
        raise InvalidInput(f"no wastewater-limit table is loaded for the sector {sector!r}", "samples", "limit_table")

    def _regime(self, facility: Facility, day: date) -> tuple[str, str, dict]:
        old = self._old_table(facility.sector)
        successor = next(iter(self.named(self.named(old)[0]["superseded_by"])), None)
        if successor is None or not successor.get("transition"):
            raise InvalidInput(f"the successor of {old} and its transition are not loaded", "samples", "limit_table")
        tr = successor["transition"]
        new_from, until = date.fromisoformat(successor["valid_from"]), date.fromisoformat(tr["until"])
        facts = {"old": old, "successor": successor["table"], "new_from": new_from.isoformat(), "until": tr["until"],
                 "existing_before": tr["existing_before"],
                 "started": facility.started.isoformat() if facility.started else None}
        started = facility.started
        if day < new_from:
            return old, "before_successor", facts
        if day > until:
            return successor["table"], "transition_ended", facts
        if started is None:
            return old, "transition_assumed", facts
        if started < date.fromisoformat(tr["existing_before"]):
            return old, "transition", facts
        return successor["table"], "new_facility", facts

    def select(self, facility: Facility, day: date) -> tuple[dict, dict | None]:
        """(selection, the table with values or None): the selection names the table and column,
        the reason (code and text), whether it can be evaluated and, if not, what is missing."""
        name, reason, facts = self._regime(facility, day)
        text = REASONS[reason].format(**facts)
        if facility.sector in SECTOR_NOTE:
            text = f"{SECTOR_NOTE[facility.sector].format(**facts)}; {text}"
        table, missing, column = self._column(name, facility.column)
        if missing:
            text = f"{text}. {MISSING[missing].format(table=name, column=column)}"
        return {"table": name, "column": column, "version": (table or {}).get("version"), "reason": reason,
                "text": text, "evaluable": table is not None, "missing": missing,
                "column_assumed": table is not None and facility.column is None,
                "facts": facts, "facility": facility.facts()}, table

    def _column(self, name: str, wanted: str | None) -> tuple[dict | None, str | None, str | None]:
        entries = [t for t in self.named(name) if has_values(t)]
        if not self.named(name):
            return None, "table", wanted
        if not entries:
            return None, "values", wanted
        if wanted is not None:
            found = next((t for t in entries if t.get("column") == wanted), None)
            return (found, None, wanted) if found else (None, "column", wanted)
        default = next((t for t in entries if t.get("default_column")), entries[0] if len(entries) == 1 else None)
        return (default, None, default.get("column")) if default else (None, "column", None)


def _verdict(value: float, lo: float | None, hi: float) -> tuple[float | None, bool]:
    """The exceedance factor and whether the bounds are exceeded (as domainmodel.evaluate_sample)."""
    if lo is not None:
        factor = max(lo / value if 0 < value < lo else 0, value / hi if value > hi else 0, 1.0 if lo <= value <= hi else 0)
        return (round(factor, 3) if factor else None), not (lo <= value <= hi)
    return (round(value / hi, 3) if hi else None), value > hi


def tighten(row: dict, facility: Facility) -> dict:
    """A row evaluated against the table, with the permit's own limit for its parameter when one
    is set: the stricter bound of each side applies, and the row says which (`limit_source`)."""
    limit = facility.limits.get(row["parameter"].lower())
    out = dict(row, table_limit_min=row.get("limit_min"), table_limit_max=row["limit_max"], limit_source="table",
               permit_limit=None, permit_verdict=None)
    if limit is None:
        return out
    out["permit_limit"] = {"min": limit.get("min"), "max": limit.get("max"), "unit": limit["unit"]}
    if limit["unit"] != row["unit"]:
        out["permit_verdict"] = "unit_differs"  # not comparable: the table applies, and the row says why
        return out
    lo, hi = row.get("limit_min"), row["limit_max"]
    p_lo, p_hi = limit.get("min"), limit.get("max")
    new_lo = p_lo if p_lo is not None and (lo is None or p_lo > lo) else lo
    new_hi = p_hi if p_hi is not None and p_hi < hi else hi
    if (new_lo, new_hi) == (lo, hi):
        out["permit_verdict"] = "looser" if (p_hi is not None and p_hi > hi) or (p_lo is not None and lo is not None
                                                                               and p_lo < lo) else "equal"
        return out
    exceedance, exceeds = _verdict(row["value"], new_lo, new_hi)
    out.update(limit_min=new_lo, limit_max=new_hi, exceedance=exceedance, exceeds=exceeds, limit_source="permit",
               permit_verdict="stricter", limit_table=f"{row['limit_table']}; {facility.permit or 'permit'} stricter")
    return out


def evaluate(tables: LimitTables, facility: Facility, day: date, samples: list[dict]) -> dict:
    """Every sample of `day` at `facility`: the selection (which table, why), one row per sample
    (the limit, its source, the exceedance factor, exceeded or not, or its error), and the table's
    parameters. Pure. A selection that is not evaluable gives each sample an error (rule
    `limit_values`) and no parameters."""
    selection, table = tables.select(facility, day)
    rows = []
    for index, sample in enumerate(samples):
        try:
            if table is None:
                raise InvalidInput(selection["text"], "samples.parameter", VALUES_RULE)
            row = tighten(evaluate_sample(sample, table), facility)
        except LangXanhError as e:
            field_ = (e.field or "samples").replace("samples.", f"samples.{index}.")
            rows.append({"index": index, "parameter": sample.get("parameter"), "value": sample.get("value"),
                         "unit": sample.get("unit"), "error": {"message": e.message, "field": field_, "rule": e.rule}})
            continue
        rows.append(dict(row, index=index, table=selection["table"], column=selection["column"],
                         limit_reason=selection["reason"], error=None))
    return {"on": day.isoformat(), "table": selection["table"], "column": selection["column"],
            "version": selection["version"], "selection": selection, "evaluable": selection["evaluable"],
            "exceeded": any(r.get("exceeds") for r in rows),
            "parameters": [{"code": p["code"], "name_vi": p.get("name_vi"), "name_en": p.get("name_en"),
                            "unit": p["unit"], "min": p.get("min"), "max": p.get("max")}
                           for p in (table or {}).get("parameters") or []],
            "samples": rows}


def evaluated_for_record(tables: LimitTables, facility: Facility, day: date, samples: list[dict]) -> list[dict]:
    """The samples as an inspection records them: refused whole (nothing recorded) when the table
    in force cannot evaluate them or one sample is invalid."""
    if not samples:
        return []
    out = evaluate(tables, facility, day, samples)
    if not out["evaluable"]:
        raise InvalidInput(out["selection"]["text"], "samples", VALUES_RULE)
    for row in out["samples"]:
        if row["error"]:
            e = row["error"]
            raise InvalidInput(e["message"], e["field"].replace(f"samples.{row['index']}.", "samples."), e["rule"])
    keep = ("index", "table", "column", "error")
    return [dict({k: v for k, v in r.items() if k not in keep}, limit_reason_text=out["selection"]["text"])
            for r in out["samples"]]


__all__ = ["Facility", "LimitTables", "VALUES_RULE", "evaluate", "evaluated_for_record", "tighten"]
