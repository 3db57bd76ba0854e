"""The staff workspace's queries of the inspections Application (issue 14), a mixin of
InspectionsApplication: the plan of a year and of a quarter, the inspections list, samples evaluated on the
spot against the limit table in force, the violations recorded at an inspection, the overdue
remedial measures. Reads only: nothing here changes a record."""
from __future__ import annotations

from datetime import date
from typing import Any

from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.values import plain as as_plain
from services.inspections.board import InspectionsBoard
from services.inspections import limits
from services.inspections.domainmodel import InspectionPlan

STAFF_ROLES = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN)


def quarter_months(quarter: int | None) -> set[int | None]:
    if quarter is None:
        return set(range(1, 13)) | {None}
    return {3 * quarter - 2, 3 * quarter - 1, 3 * quarter}


class StaffQueries:
    """Mixed into InspectionsApplication (uses its repository, ports and helpers)."""

    @property
    def board(self) -> InspectionsBoard:
        """The staff board (board.py), beside the service's views in their database, made on first use."""
        board = getattr(self, "_staff_board", None)
        if board is None:
            board = self._staff_board = InspectionsBoard(self.views.db, self)  # type: ignore[attr-defined]
        return board

    # -- scheduling support ----------------------------------------------------------------------
    @staticmethod
    def unannounced_defaults(reports: list[Any], site_id: str | None, unit: str | None,
                             inspector: str | None) -> tuple[str | None, str | None, str | None]:
        """An unannounced inspection opened from reports: the site the reports name when they all
        name the same one, and the assignment of the first assigned report, unless given."""
        if not site_id:
            sites = {str(r.site_id) for r in reports if r.site_id is not None}
            if len(sites) == 1 and all(r.site_id is not None for r in reports):
                site_id = sites.pop()
        assigned = next((r.assignment for r in reports if r.assignment), None) or {}
        return site_id, unit or assigned.get("unit"), inspector or assigned.get("inspector")

    # -- the plan ---------------------------------------------------------------------------------
    def get_plan(self, year: int) -> dict:
        plan = self.get_or_none(InspectionPlan.create_id(year))  # type: ignore[attr-defined]
        if plan is None:
            raise NotFound(f"no inspection plan for {year}", "year", "exists")
        return as_plain({"year": plan.year, "version": plan.version, "items": list(plan.items.values())})

    def plan_quarter(self, actor: Actor, year: int, quarter: int | None = None) -> dict:
        actor.require(*STAFF_ROLES, action="read the inspection plan")
        plan = self.get_or_none(InspectionPlan.create_id(year))  # type: ignore[attr-defined]
        months = quarter_months(quarter)
        items = [dict(i) for i in (plan.items.values() if plan else []) if i["month"] in months]
        states = self.board.states_of([str(i["inspection_id"]) for i in items if i["inspection_id"]])
        places = getattr(self.directory, "places", None)  # type: ignore[attr-defined]
        known = places([str(i["site_id"]) for i in items]) if places is not None else {}
        for item in items:
            item["inspection_state"] = states.get(str(item["inspection_id"])) if item["inspection_id"] else None
            site = known.get(str(item["site_id"])) or self.directory.site(str(item["site_id"])) or {}  # type: ignore[attr-defined]
            item["site_name"], item["commune"] = site.get("name"), site.get("commune")
            item["old_district"] = site.get("old_district")
        items.sort(key=lambda i: (i["month"] or 13, i["ref"]))
        return as_plain({"year": year, "quarter": quarter, "exists": plan is not None,
                         "version": plan.version if plan else 0, "items": items})

    # -- lists -----------------------------------------------------------------------------------
    def list_inspections(self, actor: Actor, *, state: str | None = None, kind: str | None = None,
                         site_id: str | None = None, year: int | None = None, quarter: int | None = None,
                         unit: str | None = None, inspector: str | None = None, communes: list[str] | None = None,
                         offset: int = 0, limit: int = 50) -> dict:
        actor.require(*STAFF_ROLES, action="list inspections")
        if quarter is not None and year is None:
            raise InvalidInput("a quarter needs its year", "quarter", "with_year")
        filters = {"state": state, "kind": kind, "site_id": site_id, "year": year, "quarter": quarter,
                   "unit": unit or None, "inspector": inspector or None}
        return self._named(self.board.inspections(filters, self._scope(communes), limit, offset))  # type: ignore[attr-defined]

    def _scope(self, communes: list[str] | None) -> tuple[str, list[str]] | None:
        """A member's communes (new communes or old districts) as the sites in them, when the directory
        knows both (services/inspections/places.py); else the board's commune column."""
        if not communes:
            return None
        sites_in = getattr(self.directory, "sites_in", None)  # type: ignore[attr-defined]
        return ("site_id", list(sites_in(communes))) if sites_in is not None else ("commune", list(communes))

    def _named(self, page: dict) -> dict:
        """Each row with its site's name (the sites directory)."""
        names: dict[str, str | None] = {}
        for row in page["rows"]:
            if row["site_id"] not in names:
                names[row["site_id"]] = (self.directory.site(row["site_id"]) or {}).get("name")  # type: ignore[attr-defined]
            row["site_name"] = names[row["site_id"]]
        return page

    def overdue_measures(self, actor: Actor, on: date | None = None, communes: list[str] | None = None,
                         offset: int = 0, limit: int = 50) -> dict:
        """Remedial measures not done whose deadline has passed (deadline before `on`), oldest first."""
        actor.require(*STAFF_ROLES, action="list overdue remedial measures")
        day = on or local_date(self.clock())  # type: ignore[attr-defined]
        return self._named(self.board.overdue_measures(day, self._scope(communes), limit, offset))  # type: ignore[attr-defined]

    def inspection_violations(self, actor: Actor, inspection_id: str) -> list[dict]:
        """The violations recorded at an inspection (before and after its conclusion)."""
        from services.inspections.application import violation_document
        from services.inspections.domainmodel import Inspection, Violation

        actor.require(*STAFF_ROLES, action="read the violations of an inspection")
        ins = self._get(Inspection, inspection_id, "inspection_id")  # type: ignore[attr-defined]
        ids = self.board.violations_at(str(ins.id))
        return [violation_document(self._get(Violation, v, "violation_id")) for v in ids]  # type: ignore[attr-defined]

    # -- samples on the spot ---------------------------------------------------------------------
    def evaluate_samples(self, actor: Actor, *, on: date, samples: list[dict], site_id: str | None = None,
                         establishment_id: str | None = None) -> dict:
        """Each sample against the limits in force on `on` for the establishment (its permit's
        discharge terms choose the table; its own stricter limits win): the selection (table,
        column, reason code and text, evaluable or not), per sample the limit and its source, the
        exceedance factor, exceeded or not, or its error (field, rule). Pure: nothing is stored.
        See services/inspections/limits.py."""
        actor.require(*STAFF_ROLES, action="evaluate samples")
        if establishment_id:
            est = self._known_establishment(establishment_id)  # type: ignore[attr-defined]
            if site_id and est.get("site_id") != str(site_id):
                raise InvalidInput("the establishment is not at that site", "establishment_id", "at_site")
            site_id = est.get("site_id")
        if not site_id:
            raise InvalidInput("name the site or the establishment sampled", "site_id", "required_one_of")
        self._known_site(site_id)  # type: ignore[attr-defined]
        # a site sampled without an establishment: the facility is unknown (the selection says so)
        return limits.evaluate(self.limits, self.facility(establishment_id), on, samples)  # type: ignore[attr-defined]


__all__ = ["StaffQueries", "quarter_months"]
