"""Pure reading of monitoring results as an establishment types them (bot/flows/monitoring.py):
one parameter per line, "COD 80 mg/l", "pH 7,2 -", "Amoni 5,5 mg/L Kq=0,9". No Telegram here.

A line is read from its right end: the unit last, the value before it, the parameter's name before
that (so a name may have spaces: "Chất rắn lơ lửng 45 mg/l"); pH needs no unit ("-", as the limit
tables write it). Comma or point decimals. Optional `Kq=…` and `Kf=…` (the QCVN 40 factors).

The parameters and units are checked against the wastewater-limit tables the inspections service
loads too (shared/reference.limit_tables with the same LANGXANH_LIMIT_TABLES_DIR): a parameter is
named by its code or its Vietnamese or English name, a unit's case is the table's ("mg/l" is the
table's "mg/L"). With no table of values loaded the names and units are left for the service to
judge. Every refusal names its line; nothing is half-read.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from bot.flows.manifest.parse import parse_kg, short
from shared.kit.text import fold

MAX_MESSAGE = 4000     # characters in the results message
MAX_LINES = 100        # the contract's bound on samples (shared/contracts/reports.py)
MAX_LINE = 100         # characters a line
MAX_VALUE = 1e9        # shared/contracts/inspections.py Sample.value
MAX_PARAMETER, MAX_UNIT = 40, 20
PH, PH_UNIT, PH_MAX = "ph", "-", 14.0
FACTOR_MAX = 2.0       # Sample.kq / kf: > 0, <= 2
_NUMBER = re.compile(r"^[0-9][0-9.,]*$")
_AMBIGUOUS = re.compile(r"^[1-9][0-9]{0,2}[.,][0-9]{3}$")  # '1.500': 1500 the Vietnamese way, 1.5 the English way
_FACTOR = re.compile(r"^(k[qf])[=:]([0-9][0-9.,]*)$", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[•*\-–]+|\d{1,3}[.)])\s+")
# common short names labs print that are not a table's code or name
ALIASES = {"nh4": "NH4_N", "nh4 n": "NH4_N", "bod": "BOD5", "ss": "TSS", "nhiet do": "TEMP", "mau": "COLOUR",
           "coliforms": "COLIFORM", "tong coliform": "COLIFORM", "dau mo khoang": "MINERAL_OIL"}
UNIT_ALIASES = {"oc": "°C", "do c": "°C", "ptco": "Pt/Co", "pt co": "Pt/Co"}


class BadResults(Exception):
    """A refusal: the catalogue key and its arguments (always the line number and its text when one line is wrong)."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


@dataclass
class Catalogue:
    """The parameters of the loaded tables with values: code → its units; names (folded) → code."""

    units: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    lacking: list[str] = field(default_factory=list)  # tables shipped without values (not evaluable)
    transition: dict = field(default_factory=dict)     # the successor's dates (the reasons' facts)

    @classmethod
    def of(cls, tables: list[dict]) -> "Catalogue":
        cat = cls()
        for table in tables:
            if table.get("transition"):
                tr = table["transition"]
                cat.transition = {"successor": table["table"], "new_from": table.get("valid_from"),
                                  "existing_before": tr.get("existing_before"), "until": tr.get("until")}
            if not table.get("values_available", True) or not table.get("parameters"):
                if table.get("table") and table["table"] not in cat.lacking:
                    cat.lacking.append(table["table"])
                continue
            for p in table["parameters"]:
                code = str(p["code"])
                cat.units.setdefault(code, set()).add(str(p["unit"]))
                for name in (code, p.get("name_vi"), p.get("name_en")):
                    if name:
                        cat.names.setdefault(fold(name), code)
                        cat.names.setdefault(fold(str(name).split("(")[0]), code)
        for alias, code in ALIASES.items():
            if code in cat.units:
                cat.names.setdefault(alias, code)
        return cat

    def code(self, name: str) -> str | None:
        return self.names.get(fold(name)) if self.units else name


def number(text: str) -> float | None:
    """'7,2', '0.005', '1.250,5' → a float; None for anything else (a sign, '<0,5', 'KPH')."""
    if not _NUMBER.match(text):
        return None
    value = parse_kg(text)
    return value if value is not None and math.isfinite(value) else None


def lines_of(text: str) -> list[tuple[int, str]]:
    """(line number as the user sees it, the line without its bullet) for every non-blank line."""
    if len(text) > MAX_MESSAGE:
        raise BadResults("mon-results-too-long", max=MAX_MESSAGE)
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if len(line) > MAX_LINE:
            raise BadResults("mon-line-too-long", line=n, text=short(line, 40), max=MAX_LINE)
        out.append((n, _BULLET.sub("", line)))
        if len(out) > MAX_LINES:
            raise BadResults("mon-results-too-many", max=MAX_LINES)
    if not out:
        raise BadResults("mon-results-empty")
    return out


def _factors(tokens: list[str], n: int, line: str) -> tuple[list[str], dict]:
    rest, factors = [], {}
    for token in tokens:
        m = _FACTOR.match(token)
        if m is None:
            rest.append(token)
            continue
        value = number(m.group(2))
        if value is None or not 0 < value <= FACTOR_MAX:
            raise BadResults("mon-line-factor", line=n, text=short(line, 40), max="2")
        factors[m.group(1).lower()] = value
    return rest, factors


def _split(tokens: list[str], n: int, line: str) -> tuple[str, str, str]:
    """(parameter, value, unit) as typed."""
    tokens = [t for t in tokens if t not in (":", "=")]
    if len(tokens) >= 2 and number(tokens[-1]) is not None:
        name = " ".join(tokens[:-1]).rstrip(":=").strip()
        if fold(name) == PH:
            return name, tokens[-1], PH_UNIT
        raise BadResults("mon-line-no-unit", line=n, text=short(line, 40))
    if len(tokens) < 3:
        raise BadResults("mon-line-bad", line=n, text=short(line, 40))
    return " ".join(tokens[:-2]).rstrip(":=").strip(), tokens[-2], tokens[-1]


def read_line(n: int, line: str, cat: Catalogue) -> dict:
    tokens, factors = _factors(line.split(), n, line)
    name, raw_value, raw_unit = _split(tokens, n, line)
    if _AMBIGUOUS.match(raw_value):
        raise BadResults("mon-line-ambiguous", line=n, text=short(line, 40), value=raw_value,
                         whole=raw_value.replace(".", "").replace(",", ""),
                         decimal=float(raw_value.replace(",", ".")))  # the flow writes it the user's way
    value = number(raw_value)
    if not name or value is None:
        raise BadResults("mon-line-bad", line=n, text=short(line, 40))
    code = cat.code(name)
    if code is None or len(code) > MAX_PARAMETER:
        raise BadResults("mon-line-unknown", line=n, name=short(name, 40), examples="COD, BOD5, TSS, pH, NH4_N")
    ph = fold(code) == PH
    if value > (PH_MAX if ph else MAX_VALUE):
        raise BadResults("mon-line-range", line=n, text=short(line, 40), max="14" if ph else "1.000.000.000")
    unit = PH_UNIT if ph and raw_unit in ("-", "–") else raw_unit
    known = cat.units.get(code)
    if known:
        unit = next((u for u in known if u.lower() == unit.lower()), None) or UNIT_ALIASES.get(fold(unit), unit)
        if unit not in known:
            raise BadResults("mon-line-unit", line=n, name=code, unit=short(raw_unit, 20),
                             expected=", ".join(sorted(known)))
    if len(unit) > MAX_UNIT:
        raise BadResults("mon-line-bad", line=n, text=short(line, 40))
    return {"parameter": code, "value": value, "unit": unit, **factors}


def read_results(text: str, cat: Catalogue) -> list[dict]:
    """Every line as a sample (the contract's shape), or BadResults naming the first bad line."""
    samples, seen = [], {}
    for n, line in lines_of(text):
        sample = read_line(n, line, cat)
        key = sample["parameter"].lower()
        if key in seen:
            raise BadResults("mon-line-twice", line=n, name=sample["parameter"], first=seen[key])
        seen[key] = n
        samples.append(sample)
    return samples


__all__ = ["BadResults", "Catalogue", "MAX_LINE", "MAX_LINES", "MAX_MESSAGE", "number", "read_results"]
