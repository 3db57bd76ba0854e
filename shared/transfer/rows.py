"""Each data row into the sites service's own contract (RegisterSite / RegisterEstablishment).

A row's problems are reported cell by cell (row, column as written in the file, value, rule), all
of them at once; two rows with the same key are refused (the second names the first). Only the
columns the file has are the row's word: a column left out of the file is never changed.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass, field
from uuid import UUID

from pydantic import ValidationError

from shared.contracts import site_rules
from shared.contracts.site_rules import site_id_for
from shared.contracts.sites import RegisterEstablishment, RegisterSite
from shared.kit.errors import InvalidInput, LangXanhError
from shared.kit.text import fold
from shared.transfer.columns import Column, map_header
from shared.transfer.problems import Problem, short
from shared.transfer.reading import Table

KINDS = {"lang nghe": "craft_village", "khu cong nghiep": "industrial_zone", "kcn": "industrial_zone",
         "cum cong nghiep": "industrial_cluster", "ccn": "industrial_cluster"}
FORMS = {"doanh nghiep": "enterprise", "ho": "household", "ho gia dinh": "household", "ho kinh doanh": "household",
         "ho san xuat": "household"}
TRUE = {"true", "1", "x", "yes", "co", "dung"}
FALSE = {"", "false", "0", "no", "khong", "sai"}
LIST_SEPARATOR = ";"


@dataclass
class Row:
    number: int
    key: str                       # reference key (sites) or site + registration code (establishments)
    command: RegisterSite | RegisterEstablishment
    present: set[str] = field(default_factory=set)   # the contract fields the file's columns give


@dataclass
class Parsed:
    rows: list[Row]
    problems: list[Problem]


def _bool(text: str) -> bool | str:
    folded = fold(text)
    if folded in TRUE:
        return True
    if folded in FALSE:
        return False
    return text  # the contract refuses it with its own words


def _number(text: str) -> str | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    return text.replace(",", ".") if text.count(",") == 1 and "." not in text else text


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def _opt(text: str) -> str | None:
    return text.strip() or None


def _site_payload(cells: dict[str, str], source: str) -> tuple[dict, set[str]]:
    g = cells.get
    kind = g("kind", "").strip()
    payload: dict = {
        "reference_key": g("reference_key", "").strip(), "kind": KINDS.get(fold(kind), kind),
        "name": g("name", ""), "trade": _opt(g("trade", "")), "trade_group": _opt(g("trade_group", "")),
        "craft_village_cluster": _bool(g("craft_village_cluster", "")), "old_district": _opt(g("old_district", "")),
        "old_commune": _opt(g("old_commune", "")), "commune": _opt(g("commune", "")),
        "households": _number(g("households", "")), "area_ha": _number(g("area_ha", "")),
        "confidence": _opt(g("confidence", "").upper()),
    }
    lat, lon = _number(g("lat", "")), _number(g("lon", ""))
    payload["location"] = {"lat": lat, "lon": lon} if lat or lon else None
    given = _opt(g("source", ""))
    payload["source"] = f"{given[:200 - len(source) - 3]} ({source})" if given else source
    present = {n for n in cells if n not in ("lat", "lon")} | ({"location"} if {"lat", "lon"} & set(cells) else set())
    return payload, present


def _establishment_payload(cells: dict[str, str], site_id: str, source: str) -> tuple[dict, set[str]]:
    g = cells.get
    form = g("form", "").strip()
    payload: dict = {
        "site_id": site_id, "registration_code": g("registration_code", "").strip(), "name": g("name", ""),
        "form": FORMS.get(fold(form), form), "trades": _list(g("trades", "")),
        "hw_generator": _bool(g("hw_generator", "")), "transporter": _bool(g("transporter", "")),
        "treatment_facility": _bool(g("treatment_facility", "")), "source": source,
    }
    permit_type = g("permit_type", "").strip()
    permit_type = "none" if fold(permit_type) in ("khong", "none") else permit_type.upper()
    payload["permit"] = ({"type": permit_type, "number": _opt(g("permit_number", "")),
                          "date": _opt(g("permit_date", ""))} if permit_type else None)
    number = g("licence_number", "").strip()
    payload["licence"] = ({"number": number, "date": _opt(g("licence_date", "")),
                           "waste_codes": _list(g("licence_waste_codes", ""))} if number else None)
    present = {n for n in cells if not n.startswith(("permit_", "licence_"))}
    present |= {"permit"} if any(n.startswith("permit_") for n in cells) else set()
    present |= {"licence"} if any(n.startswith("licence_") for n in cells) else set()
    return payload, present


def site_id_of(site_key: str) -> str:
    """A site named by its UUID, or by its reference key (the id derived from it, as the seed does)."""
    try:
        return str(UUID(site_key))
    except ValueError:
        return str(site_id_for(site_key))


FIELD_COLUMN = {"location": ("lat", "lon"), "permit": ("permit_type", "permit_number", "permit_date"),
                "licence": ("licence_number", "licence_date", "licence_waste_codes"), "site_id": ("site_key",)}


def _column_of(loc: tuple, labels: dict[str, str]) -> str:
    first = str(loc[0]) if loc else ""
    names = FIELD_COLUMN.get(first, (first,))
    if first == "location" and len(loc) > 1:
        names = (str(loc[1]),)
    if first in ("permit", "licence") and len(loc) > 1:
        names = (f"{first}_{loc[1]}",) if f"{first}_{loc[1]}" in labels else names
    return next((labels[n] for n in names if n in labels), names[0])


def _validate(model, payload: dict, number: int, labels: dict[str, str], cells: dict[str, str]):  # type: ignore[no-untyped-def]
    try:
        command = model.model_validate(payload)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            column = _column_of(tuple(err["loc"]), labels)
            name = next((n for n, label in labels.items() if label == column), column)
            problems.append(Problem(number, column, short(cells.get(name, "")), err["type"], err["msg"]))
        return None, problems
    return command, []


@functools.lru_cache(maxsize=1)
def _unit_codes() -> dict[str, frozenset[str]]:
    from shared.reference import units

    return {kind: frozenset(u["code"] for u in units()[kind]) for kind in ("districts", "communes")}


def _known_units(command: RegisterSite) -> None:
    """A spreadsheet's typo ("gia-lamm") would register a site in a unit no target counts: the old
    district and the new commune must be Hanoi's (shared/reference units.json)."""
    known = _unit_codes()
    if command.old_district and command.old_district not in known["districts"]:
        raise InvalidInput(f"{command.old_district!r} is not one of Hanoi's old districts (a code such as gia-lam)",
                           "old_district", "unknown_district")
    if command.commune and command.commune not in known["communes"]:
        raise InvalidInput(f"{command.commune!r} is not one of Hanoi's communes or wards since 1 July 2025 "
                           "(a code such as xa-bat-trang)", "commune", "unknown_commune")


def _domain_checks(command: RegisterSite | RegisterEstablishment) -> None:
    if isinstance(command, RegisterSite):
        site_rules.check_registration(command.kind, command.old_district, command.commune, command.craft_village_cluster)
        _known_units(command)
    else:
        licence = command.licence.model_dump() if command.licence else None
        site_rules.check_licence(command.transporter, command.treatment_facility, licence)


def parse(sheet: str, table: Table, file_name: str) -> Parsed:
    """Every row validated; FileRefused (from map_header) when the header itself is wrong."""
    mapping = map_header(sheet, table.header)
    labels = {col.name: table.header[i] for i, col in mapping.items()}
    rows: list[Row] = []
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        row_problems = [Problem(number, f"#{i + 1}", short(v), "unnamed_column", "a value under a column without header")
                        for i, v in enumerate(cells) if v.strip() and i not in mapping]
        named = _named(mapping, cells)
        row, found = _row(sheet, named, number, labels, file_name)
        row_problems += found
        if row is not None and row.key in first_row:
            row_problems.append(Problem(number, labels.get("reference_key") or labels.get("registration_code"),
                                        short(row.key), "duplicate_key",
                                        f"the same key as row {first_row[row.key]}: one row per key"))
        elif row is not None:
            first_row[row.key] = number
        problems += row_problems
        if row is not None and not row_problems:
            rows.append(row)
    return Parsed(rows, problems)


def _named(mapping: dict[int, Column], cells: list[str]) -> dict[str, str]:
    named = {col.name: "" for col in mapping.values()}
    for i, col in mapping.items():
        if i < len(cells):
            named[col.name] = cells[i].strip()
    return named


def _row(sheet: str, named: dict[str, str], number: int, labels: dict[str, str],
         file_name: str) -> tuple[Row | None, list[Problem]]:
    if sheet == "sites":
        payload, present = _site_payload(named, f"{file_name[-120:]} dòng {number}")
        model, key = RegisterSite, payload["reference_key"]
    else:
        site_key = named.get("site_key", "")
        site_id = site_id_of(site_key) if site_key else ""
        payload, present = _establishment_payload(named, site_id, f"{file_name[-120:]} dòng {number}")
        model, key = RegisterEstablishment, f"{site_id}:{payload['registration_code']}"
    command, problems = _validate(model, payload, number, labels, named)
    if command is None:
        return None, problems
    try:
        _domain_checks(command)
    except LangXanhError as e:
        column = labels.get(e.field or "", e.field)
        return None, [Problem(number, column, short(named.get(e.field or "", "")), e.rule or "invalid", e.message)]
    return Row(number, key, command, present), []
