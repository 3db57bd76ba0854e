"""The indicators Application: the four targets per unit and period (as of any instant), the
roadmap, the site status card, and immutable reports. The facts come in through a port (the
followed projection); the only events this service stores are the reports it issues."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.eventstore import Store
from shared.kit.store import ServiceApplication
from shared.kit.values import parse_uuid
from services.indicators.domainmodel import REFORM, TARGETS, Period, Report, roadmap_target, status
from services.indicators.drill import IndicatorsDrill

if TYPE_CHECKING:
    from services.indicators.drill import ReportsIndex
    from services.indicators.views import IndicatorFacts

CONDITION_ITEMS = ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point")
FIRST_PERIOD = "2021Q1"
VILLAGE_TARGETS = ("villages_classified", "villages_meeting_conditions")


@dataclass(frozen=True)
class IndicatorsPorts:
    """Everything the Application needs from outside, each one required (services/indicators/bootstrap.py
    builds them from settings; tests/ports.py gives fakes)."""

    facts: "IndicatorFacts"  # the facts its followers keep from the sites, inspections and manifests streams
    reports: "ReportsIndex"  # its issued reports, indexed (its own log, on the store)
    validity_years: int  # how long a classification stays valid
    roadmap_overrides: dict  # the operator's roadmap values (roadmap_file), {} for none


class IndicatorsApplication(ServiceApplication):
    name = "Indicators"

    def __init__(self, env: dict | None = None, *, ports: IndicatorsPorts, store: Store | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env, store=store)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.facts = ports.facts
        self.validity_years = ports.validity_years
        self.roadmap_overrides = ports.roadmap_overrides
        self._figures_cache: dict[str, tuple[tuple, str, dict]] = {}
        self.drill = IndicatorsDrill(self, ports.reports)  # the staff workspace's queries

    # -- the state of every site at the end of a period, as known at an instant -------------------
    def _as_of(self, as_of: str | datetime | None) -> str:
        if as_of is None:
            return self.clock().astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        if isinstance(as_of, datetime):
            return as_of.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        return as_of

    def site_states(self, period: Period, as_of: str) -> dict[str, dict]:
        states: dict[str, dict] = {}
        for s in self.facts.sites():
            if s["recorded_at"] <= as_of:
                states[s["site_id"]] = {"site": s, "facts": {}, "events": {}, "valid": {}}
        for f in self.facts.facts(period.end.isoformat(), as_of):
            st = states.get(f["site_id"])
            if st is not None:
                st["facts"][f["fact"]] = f["value"]
                st["events"][f["fact"]] = f["event_id"]
                st["valid"][f["fact"]] = f["valid_from"]
        return states

    @staticmethod
    def units_of(state: dict, period: Period) -> list[str]:
        units = ["city:hanoi"]
        if state["site"]["old_district"]:
            units.append(f"district:{state['site']['old_district']}")
        commune = state["facts"].get("commune")
        if commune and period.end >= REFORM:  # the new communes report from their creation
            units.append(f"commune:{commune}")
        return units

    # -- the four definitions --------------------------------------------------------------------
    def figures(self, period_text: str, as_of: str | datetime | None = None) -> dict[str, dict[str, dict]]:
        """{unit: {target: {numerator, denominator, ratio, sites}}} for every unit with data.

        The figures as of now are kept per period until the facts move (a status card asks for
        twelve quarters): reused while the sources' positions are unchanged and every fact was
        already visible when they were computed. Figures as of a past instant are computed.
        Callers read the answer and never change it (it may be the cached object)."""
        if as_of is not None or not hasattr(self.facts, "version"):
            return self._figures(period_text, as_of)
        now, version = self._as_of(None), self.facts.version()
        hit = self._figures_cache.get(period_text)
        if hit is not None and hit[0] == version and hit[1] <= now:
            return hit[2]
        result = self._figures(period_text, now)
        if self.facts.latest_recorded() <= now:  # nothing recorded "later than now" (an injected clock)
            self._figures_cache[period_text] = (version, now, result)
        return result

    def _figures(self, period_text: str, as_of: str | datetime | None) -> dict[str, dict[str, dict]]:
        period, as_of = Period(period_text), self._as_of(as_of)
        states = self.site_states(period, as_of)
        out: dict[str, dict[str, dict]] = defaultdict(lambda: {t: _empty() for t in TARGETS})
        cutoff = date(period.end.year - self.validity_years, period.end.month, min(period.end.day, 28)).isoformat()
        for sid, st in states.items():
            site, facts, events = st["site"], st["facts"], st["events"]
            if facts.get("active") == "0":
                continue
            rows: list[tuple[str, bool, list[str]]] = []
            if site["kind"] == "industrial_cluster":
                rows.append(("clusters_with_wwtp", facts.get("wwtp") == "operating",
                             [site["event_id"]] + ([events["wwtp"]] if "wwtp" in events else [])))
            withdrawn = withdrawal(st)
            if withdrawn is not None:
                for unit in self.units_of(st, period):
                    for target in VILLAGE_TARGETS:
                        out[unit][target]["left_out"].append({"site_id": sid, "name": site["name"], **withdrawn})
            elif site["kind"] == "craft_village" and "recognised" in facts:
                base = [site["event_id"], events["recognised"]]
                classified = facts.get("classified")
                rows.append(("villages_classified", bool(classified and classified >= cutoff),
                             base + ([events["classified"]] if "classified" in events else [])))
                met = all(facts.get(f"condition:{i}") == "met" or
                          (i == "central_wwtp" and facts.get(f"condition:{i}") == "not_applicable")
                          for i in CONDITION_ITEMS)
                rows.append(("villages_meeting_conditions", met,
                             base + [events[f"condition:{i}"] for i in CONDITION_ITEMS if f"condition:{i}" in events]))
            for unit in self.units_of(st, period):
                unit_figures = out[unit]  # every unit with a site reports, even with nothing to count
                for target, counted, evs in rows:
                    fig = unit_figures[target]
                    fig["denominator"] += 1
                    fig["numerator"] += int(counted)
                    fig["sites"].append({"site_id": sid, "name": site["name"], "counted": counted, "events": evs})
        self._hazardous_waste(period, as_of, states, out)
        for unit in out.values():
            for fig in unit.values():
                fig["ratio"] = round(fig["numerator"] / fig["denominator"], 4) if fig["denominator"] else None
        return dict(sorted(out.items()))

    def _hazardous_waste(self, period: Period, as_of: str, states: dict, out: dict) -> None:
        """kg with treatment completed ÷ kg handed over, for the manifests handed over in the period."""
        site_of = self.facts.establishments()
        start, end = period.start.isoformat(), period.end.isoformat()
        for m in self.facts.manifests():
            if not m["handed_over_on"] or not (start <= m["handed_over_on"] <= end) or m["handed_over_recorded"] > as_of:
                continue
            sid = site_of.get(m["generator_id"])
            st = states.get(sid) if sid else None
            if st is None:
                continue
            treated = (m["treated_kg"] or 0.0) if m["treated_recorded"] and m["treated_recorded"] <= as_of else 0.0
            for unit in self.units_of(st, period):
                fig = out[unit]["hw_treated"]
                fig["denominator"] = round(fig["denominator"] + (m["handed_over_kg"] or 0.0), 3)
                fig["numerator"] = round(fig["numerator"] + treated, 3)
                entry = next((x for x in fig["sites"] if x["site_id"] == sid), None)
                if entry is None:
                    entry = {"site_id": sid, "name": st["site"]["name"], "counted": False, "events": []}
                    fig["sites"].append(entry)
                entry["counted"] = entry["counted"] or treated > 0
                entry["events"].extend(json.loads(m["event_ids"]))

    # -- roadmap ---------------------------------------------------------------------------------
    def roadmap(self, period_text: str, as_of: str | datetime | None = None,
                figures: dict | None = None) -> dict[str, dict[str, dict]]:
        """{unit: {target: {ratio, target, status}}} for the period."""
        period = Period(period_text)
        now = figures or self.figures(period.text, as_of)
        first: dict[tuple[str, str], tuple[Period, float]] = {}
        for i in range(Period(FIRST_PERIOD).index(), period.index() + 1):
            p = Period.of_index(i)
            for unit, targets in (now if p.index() == period.index() else self.figures(p.text, as_of)).items():
                for t, fig in targets.items():
                    if fig["ratio"] is not None and (unit, t) not in first:
                        first[(unit, t)] = (p, fig["ratio"])
        out: dict[str, dict[str, dict]] = {}
        for unit, targets in now.items():
            out[unit] = {}
            for t, fig in targets.items():
                override = self.roadmap_overrides.get(t, {}).get(unit, {}).get(period.text)
                if override is not None:
                    target = float(override)
                elif (unit, t) in first:
                    target = round(roadmap_target(*first[(unit, t)], period), 4)
                else:
                    target = None
                out[unit][t] = {"ratio": fig["ratio"], "target": target, "status": status(fig["ratio"], target)}
        return out

    # -- status card -----------------------------------------------------------------------------
    def status_card(self, site_id: str) -> dict:
        sid = str(parse_uuid(site_id, "site_id"))
        today = local_date(self.clock())
        period = Period(f"{today.year}Q{(today.month - 1) // 3 + 1}")
        states = self.site_states(period, self._as_of(None))
        st = states.get(sid)
        if st is None:
            raise NotFound(f"no site {sid} is known to the indicators", "site_id", "exists")
        cases = self.facts.cases(sid)
        incidents = [c for c in cases if c["kind"] == "incident"]
        open_incidents = [c for c in incidents if c["state"] not in ("closed", "rejected", "merged")]
        inspections = [c for c in cases if c["kind"] == "inspection" and c["state"] in ("conducted", "concluded")]
        violations = [dict(c, detail=json.loads(c["detail"]) if c["detail"] else None) for c in cases
                      if c["kind"] == "violation" and c["state"] != "closed"]
        site_of = self.facts.establishments()
        manifests = [m for m in self.facts.manifests() if site_of.get(m["generator_id"]) == sid]
        grid = []
        for i in range(period.index() - 11, period.index() + 1):
            p = Period.of_index(i)
            row = self.figures(p.text)
            mine = {t: next((x["counted"] for x in row.get("city:hanoi", {}).get(t, {}).get("sites", [])
                             if x["site_id"] == sid), None) for t in TARGETS}
            grid.append({"quarter": p.text, **mine})
        facts = st["facts"]
        return {
            "site_id": sid, "name": st["site"]["name"], "kind": st["site"]["kind"],
            "old_district": st["site"]["old_district"], "commune": facts.get("commune"),
            "recognised": "recognised" in facts, "classified_on": facts.get("classified"),
            "conditions": {i: facts.get(f"condition:{i}") for i in CONDITION_ITEMS}, "wwtp": facts.get("wwtp"),
            "last_inspection": inspections[-1]["on_date"] if inspections else None,
            "open_violations": [{"id": v["id"], "state": v["state"], "measures": (v["detail"] or {}).get("measures", [])}
                                for v in violations],
            "open_incidents": len(open_incidents), "incidents_total": len(incidents),
            "manifests": {"count": len(manifests),
                          "handed_over_kg": round(sum(m["handed_over_kg"] or 0 for m in manifests), 3),
                          "treated_kg": round(sum(m["treated_kg"] or 0 for m in manifests), 3)},
            "compliance_grid": grid,
        }

    # -- reports ---------------------------------------------------------------------------------
    def report_content(self, period_text: str, unit: str | None, as_of: str) -> tuple[list[dict], dict]:
        figures = self.figures(period_text, as_of)
        if unit is not None and unit not in figures:
            raise NotFound(f"unit {unit} has no data for {period_text}", "unit", "exists")
        road = self.roadmap(period_text, as_of, figures)
        units = [{"unit": u, "targets": {t: {k: v for k, v in figures[u][t].items() if k not in ("sites", "left_out")}
                                         | {"target": road[u][t]["target"], "status": road[u][t]["status"],
                                            "sites": [{"site_id": x["site_id"], "name": x["name"], "counted": x["counted"]}
                                                      for x in figures[u][t]["sites"]]} for t in TARGETS}}
                 for u in figures if unit is None or u == unit]
        end = Period(period_text).index()
        trend: dict[str, list] = {t: [] for t in TARGETS}
        for i in range(max(Period(FIRST_PERIOD).index(), end - 7), end + 1):
            p = Period.of_index(i)
            row = (self.figures(p.text, as_of) if i != end else figures).get(unit or "city:hanoi", {})
            for t in TARGETS:
                trend[t].append({"period": p.text, "ratio": row.get(t, {}).get("ratio")})
        return units, trend

    def issue_report(self, actor: Actor, command_id: str | None, period: str, unit: str | None) -> dict:
        actor.require(Role.AGENCY, Role.ADMIN, Role.INSPECTOR, action="issue a report")
        Period(period)

        def work():  # type: ignore[no-untyped-def]
            as_of = self._as_of(None)
            units, trend = self.report_content(period, unit, as_of)
            report = Report(period=Period(period).text, unit=unit, issued_at=as_of, as_of=as_of, units=units,
                            trend=trend, actor=actor.to_dict())
            return [report], {"id": str(report.id), "period": report.period, "unit": unit, "issued_at": as_of}

        return self.execute(command_id, work)

    def get_report(self, report_id: str) -> dict:
        report = self.get_or_none(parse_uuid(report_id, "report_id"))
        if not isinstance(report, Report):
            raise NotFound(f"no report {report_id}", "report_id", "exists")
        return {"id": str(report.id), "period": report.period, "unit": report.unit, "issued_at": report.issued_at,
                "as_of": report.as_of, "units": report.units, "trend": report.trend}

    def diff_report(self, report_id: str) -> dict:
        """The issued report against today's figures for the same period (late corrections)."""
        issued = self.get_report(report_id)
        today_units, _ = self.report_content(issued["period"], issued["unit"], self._as_of(None))
        now = {u["unit"]: u["targets"] for u in today_units}
        changes = []
        for u in issued["units"]:
            for t in TARGETS:
                before, after = u["targets"][t], now.get(u["unit"], {}).get(t)
                keys = ("numerator", "denominator", "ratio")
                if after is None or any(before[k] != after[k] for k in keys):
                    changes.append({"unit": u["unit"], "target": t, "issued": {k: before[k] for k in keys},
                                    "today": {k: after[k] for k in keys} if after else None})
        return {"id": issued["id"], "period": issued["period"], "changes": changes}


def _empty() -> dict:
    """`left_out`: the sites kept out of the denominator, each with why (a withdrawn recognition)."""
    return {"numerator": 0, "denominator": 0, "ratio": None, "sites": [], "left_out": []}


def withdrawal(state: dict) -> dict | None:
    """The recognition withdrawn by the end of the period (and not granted again after it)."""
    facts, valid = state["facts"], state["valid"]
    if state["site"]["kind"] != "craft_village" or "withdrawn" not in facts or "recognised" not in facts:
        return None
    if valid["recognised"] > valid["withdrawn"]:
        return None  # recognised again after the withdrawal
    return {"reason": "recognition_withdrawn", "decision": facts["withdrawn"], "effective": valid["withdrawn"],
            "events": [state["events"]["withdrawn"]]}


def check_unit(unit: str | None) -> None:
    if unit is not None and unit.split(":")[0] not in ("city", "district", "commune"):
        raise InvalidInput("a unit is city:hanoi, district:<code> or commune:<code>", "unit", "format")
