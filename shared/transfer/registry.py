"""The sites service seen through a client (shared/kit/client.py ServiceClient, or anything with
`.call(service, method, **kwargs)`): what a file is compared with, and what an export reads."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from shared.kit.errors import NotFound
from shared.transfer.export import establishment_cells, indicators_table, registry_table, site_cells, write
from shared.transfer.plan import Plan, make_plan
from shared.transfer.problems import FileRefused
from shared.transfer.reading import Limits, read_table
from shared.transfer.rows import parse

PAGE = 200  # staff_sites / staff_establishments' largest page


class ClientRegistry:
    def __init__(self, client: Any) -> None:
        self.client = client
        self._sites: dict[str, dict | None] = {}

    def site(self, site_id: str) -> dict | None:
        if site_id not in self._sites:
            try:
                self._sites[site_id] = self.client.call("sites", "get_site", site_id=site_id)
            except NotFound:
                self._sites[site_id] = None
        return self._sites[site_id]

    def establishment(self, establishment_id: str) -> dict | None:
        try:
            return self.client.call("sites", "get_establishment", establishment_id=establishment_id)
        except NotFound:
            return None


def safe_name(name: str) -> str:
    """The file's own name (no folder), letters, digits, '.', '-', '_' and spaces only: it is
    recorded in each row's source, and an uploaded name is the client's word."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^\w.\- ]", "_", base).strip()[-120:] or "file"


def check_file(sheet: str, data: bytes, name: str, registry: Any, limits: Limits = Limits()) -> Plan:
    """The dry run: every problem of the file, and what applying it would do."""
    name = safe_name(name)
    try:
        table = read_table(data, name, limits)
        parsed = parse(sheet, table, name)
    except FileRefused as e:
        return Plan(sheet, [], e.problems)
    return make_plan(sheet, parsed, registry)


def _pages(fetch: Callable[[int], dict], key: str) -> Iterator[dict]:
    offset = 0
    while True:
        page = fetch(offset)
        yield from page[key]
        offset += PAGE
        if offset >= page["total"] or not page[key]:
            return


def _scope(communes: list[str] | None) -> dict:
    """A commune officer's scope as the staff queries' filter (none: the whole registry)."""
    return {"communes": list(communes)} if communes else {}


def site_records(client: Any, communes: list[str] | None = None) -> list[dict]:
    return [site_cells(client.call("sites", "get_site", site_id=s["id"])) for s in _pages(
        lambda at: client.call("sites", "staff_sites", offset=at, limit=PAGE, **_scope(communes)), "sites")]


def establishment_records(client: Any, communes: list[str] | None = None) -> list[dict]:
    keys: dict[str, str] = {}
    out = []
    for row in _pages(lambda at: client.call("sites", "staff_establishments", offset=at, limit=PAGE,
                                             **_scope(communes)), "establishments"):
        site_id = row["site_id"]
        if site_id not in keys:
            site = client.call("sites", "get_site", site_id=site_id)
            keys[site_id] = site.get("reference_key") or site_id
        out.append(establishment_cells(client.call("sites", "get_establishment", establishment_id=row["id"]),
                                       keys[site_id]))
    return out


def this_year() -> str:
    """Hanoi's year (the default period of an indicators export)."""
    from datetime import datetime, timezone

    from shared.kit.calendar import local_date

    return str(local_date(datetime.now(timezone.utc)).year)


def export_file(client: Any, what: str, fmt: str, period: str | None = None, communes: list[str] | None = None,
                unit_shown: Callable[[str], bool] = lambda unit: True) -> bytes:
    """sites or establishments in the import's own columns (a commune officer's communes only, when
    given), or the indicators' figures of a period (the units `unit_shown` keeps)."""
    if what == "indicators":
        period = period or this_year()
        figures = client.call("indicators", "figures", period=period)
        header, rows = indicators_table({u: f for u, f in figures.items() if unit_shown(u)}, period)
    elif what in ("sites", "establishments"):
        records = site_records(client, communes) if what == "sites" else establishment_records(client, communes)
        header, rows = registry_table(what, records)
    else:
        raise ValueError(f"{what!r}: sites, establishments or indicators")
    return write(header, rows, fmt, what)
