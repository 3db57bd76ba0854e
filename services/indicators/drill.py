"""Staff queries over the indicators (issue 14, page 5): the four targets per unit and quarter
against the roadmap, the drill-down to the sites behind a figure and to the events behind a
site, the index of issued reports, and the difference between two issues. Plain Python over the
IndicatorsApplication; the index of reports is a read model of the service's own log."""
from __future__ import annotations

import json
from typing import Any

from shared.kit.errors import InvalidInput, NotFound
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from services.indicators.domainmodel import TARGETS, Period, Report

KEYS = ("numerator", "denominator", "ratio", "target", "status")


class ReportsIndex(OwnLogProjection):
    """One row per issued report (who issued it, when, for which period and unit)."""

    name = "indicators_reports"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:ind_report} (id TEXT PRIMARY KEY, period TEXT NOT NULL, unit TEXT, "
        "issued_at TEXT NOT NULL, issued_by TEXT, seq BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS ind_report_period ON {t:ind_report} (period, seq)",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        e = event["event"]
        if isinstance(e, Report.Issued):
            cur.execute("DELETE FROM {t:ind_report} WHERE id=%s", (str(e.originator_id),))
            cur.execute("INSERT INTO {t:ind_report} (id, period, unit, issued_at, issued_by, seq) "
                        "VALUES (%s,%s,%s,%s,%s,%s)", (str(e.originator_id), e.period, e.unit, e.issued_at,
                                                      (getattr(e, "actor", None) or {}).get("id"), event["sequence"]))

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:ind_report}")

    def page(self, period: str | None, unit: str | None, offset: int, limit: int,
             units: list[str] | None = None) -> dict:
        where, params = ["1=1"], []
        if units:
            where.append(f"unit IN ({','.join(['%s'] * len(units))})")
            params.extend(units)
        if period:
            where.append("period = %s")
            params.append(period)
        if unit:
            where.append("unit = %s")
            params.append(unit)
        clause = " AND ".join(where)
        total = self.fresh_rows(f"SELECT COUNT(*) AS n FROM {{t:ind_report}} WHERE {clause}", params)[0]["n"]
        rows = self.rows(f"SELECT id, period, unit, issued_at, issued_by FROM {{t:ind_report}} WHERE {clause} "
                         "ORDER BY seq DESC LIMIT %s OFFSET %s", [*params, limit, offset])
        return {"total": int(total), "offset": offset, "limit": limit, "items": rows}


def left_out_summary(fig: dict) -> dict:
    """How many sites a figure leaves out of its denominator, and why (per reason and decision)."""
    reasons: dict[tuple[str, str, str], int] = {}
    for x in fig.get("left_out", []):
        key = (x["reason"], x["decision"], x["effective"])
        reasons[key] = reasons.get(key, 0) + 1
    return {"count": len(fig.get("left_out", [])),
            "reasons": [{"reason": r, "decision": d, "effective": e, "count": n}
                        for (r, d, e), n in sorted(reasons.items())]}


class IndicatorsDrill:
    def __init__(self, app: Any, reports: ReportsIndex | None = None) -> None:
        self.app = app
        self.reports = reports

    def targets(self, period: str, units: list[str] | None = None) -> dict:
        """{period, units: {unit: {target: numerator, denominator, ratio, target, status}}}; `units`
        (when given) keeps only those."""
        p = Period(period)
        figures = self.app.figures(p.text)
        road = self.app.roadmap(p.text, figures=figures)
        out = {}
        for unit in figures:
            if units is not None and unit not in units:
                continue
            out[unit] = {t: {"numerator": figures[unit][t]["numerator"], "denominator": figures[unit][t]["denominator"],
                             "ratio": figures[unit][t]["ratio"], "target": road[unit][t]["target"],
                             "status": road[unit][t]["status"],
                             "left_out": left_out_summary(figures[unit][t])} for t in TARGETS}
        return {"period": p.text, "units": out}

    def _figure(self, period: str, unit: str, target: str) -> dict:
        if target not in TARGETS:
            raise InvalidInput(f"target is one of {', '.join(TARGETS)}", "target", "enum")
        figures = self.app.figures(Period(period).text)
        if unit not in figures:
            raise NotFound(f"unit {unit} has no data for {period}", "unit", "exists")
        return figures[unit][target]

    def drill_down(self, period: str, unit: str, target: str) -> dict:
        """The sites behind one figure: every site in the denominator, `counted` for the numerator."""
        fig = self._figure(period, unit, target)
        sites = sorted(({"site_id": x["site_id"], "name": x["name"], "counted": x["counted"],
                         "events": len(x["events"])} for x in fig["sites"]),
                       key=lambda x: (not x["counted"], x["name"], x["site_id"]))
        return {"period": Period(period).text, "unit": unit, "target": target, "numerator": fig["numerator"],
                "denominator": fig["denominator"], "ratio": fig["ratio"], "sites": sites}

    def site_events(self, period: str, unit: str, target: str, site_id: str) -> dict:
        """The events behind one site of a figure: what each set (a fact, a registration) and, for
        the hazardous-waste target, the manifests the kilograms come from."""
        fig = self._figure(period, unit, target)
        entry = next((x for x in fig["sites"] if x["site_id"] == str(site_id)), None)
        if entry is None:
            raise NotFound(f"site {site_id} is not counted in {target} of {unit} for {period}", "site_id", "exists")
        ids = list(dict.fromkeys(entry["events"]))
        events = self.app.facts.events(ids)
        manifests = []
        if target == "hw_treated":
            generators = [e for e, s in self.app.facts.establishments().items() if s == entry["site_id"]]
            wanted = set(ids)
            for m in self.app.facts.manifests_of(generators):
                mine = [i for i in json.loads(m["event_ids"]) if i in wanted]
                if mine:
                    manifests.append({"manifest_id": m["manifest_id"], "state": m["state"], "events": mine,
                                      "handed_over_on": m["handed_over_on"], "handed_over_kg": m["handed_over_kg"],
                                      "treated_on": m["treated_on"], "treated_kg": m["treated_kg"]})
        return {"period": Period(period).text, "unit": unit, "target": target, "site_id": entry["site_id"],
                "name": entry["name"], "counted": entry["counted"], "events": events, "manifests": manifests}

    def list_reports(self, period: str | None = None, unit: str | None = None, offset: int = 0,
                     limit: int = 50, units: list[str] | None = None) -> dict:
        if self.reports is None:
            return {"total": 0, "offset": offset, "limit": limit, "items": []}
        return self.reports.page(Period(period).text if period else None, unit, offset, limit, units)

    def compare_reports(self, report_id: str, earlier_id: str) -> dict:
        """What changed from an earlier issue to this one, per unit and target (a unit present in
        only one of them is a change with the other side None)."""
        later, earlier = self.app.get_report(report_id), self.app.get_report(earlier_id)
        if later["id"] == earlier["id"]:
            raise InvalidInput("compare a report with another issue", "earlier_id", "different")
        before = {u["unit"]: u["targets"] for u in earlier["units"]}
        after = {u["unit"]: u["targets"] for u in later["units"]}
        changes = []
        for unit in sorted(set(before) | set(after)):
            for t in TARGETS:
                b = {k: before[unit][t].get(k) for k in KEYS} if unit in before else None
                a = {k: after[unit][t].get(k) for k in KEYS} if unit in after else None
                if a != b:
                    changes.append({"unit": unit, "target": t, "earlier": b, "later": a})
        return {"id": later["id"], "period": later["period"], "issued_at": later["issued_at"],
                "earlier_id": earlier["id"], "earlier_period": earlier["period"],
                "earlier_issued_at": earlier["issued_at"], "changes": changes}
