"""The annual plan and the inspections, a mixin of InspectionsApplication: plan items, scheduling
(planned from the plan, unannounced from reports), conducting with samples, concluding, cancelling."""
from __future__ import annotations

from datetime import date
from typing import Any

from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.values import parse_uuid as _uuid
from services.inspections.domainmodel import Incident, Inspection, InspectionKind, InspectionPlan, NotYours, Violation
from services.inspections.limits import Facility, evaluated_for_record
from services.inspections.records import INSPECTORS, PLANNERS, READ_ALL, STAFF, inspection_document


class PlanningCommands:
    """Mixed into InspectionsApplication (uses its repository, ports, clock and helpers)."""

    def add_plan_item(self, actor: Actor, command_id: str | None, year: int, ref: str, site_id: str,
                      establishment_id: str | None = None, month: int | None = None, topic: str | None = None) -> dict:
        actor.require(*PLANNERS, action="plan inspections")
        self._known_site(site_id)
        if establishment_id:
            self._check_establishment_at(establishment_id, site_id)

        def work():  # type: ignore[no-untyped-def]
            plan = self.get_or_none(InspectionPlan.create_id(year)) or InspectionPlan(year=year, actor=actor.to_dict())
            if ref in plan.items:
                raise InvalidInput(f"plan {year} already has an item {ref!r}", "ref", "unique")
            plan.add_item(ref=ref, site_id=_uuid(site_id, "site_id"),
                          establishment_id=_uuid(establishment_id, "establishment_id") if establishment_id else None,
                          month=month, topic=topic, actor=actor.to_dict())
            return [plan], self._answer(plan, items=len(plan.items))

        return self.execute(command_id, work)

    def _check_establishment_at(self, establishment_id: str, site_id: str) -> dict:
        est = self._known_establishment(establishment_id)
        if est.get("site_id") != str(_uuid(site_id, "site_id")):
            raise InvalidInput("the establishment is not at that site", "establishment_id", "at_site")
        return est

    def schedule_inspection(self, actor: Actor, command_id: str | None, *, kind: str, scheduled_for: date,
                            site_id: str | None = None, establishment_id: str | None = None,
                            plan_year: int | None = None, plan_ref: str | None = None,
                            incident_ids: list[str] | None = None, unit: str | None = None,
                            inspector: str | None = None) -> dict:
        actor.require(*STAFF, action="schedule an inspection")
        incident_ids = list(incident_ids or [])

        def work():  # type: ignore[no-untyped-def]
            nonlocal site_id, establishment_id, unit, inspector
            changed: list[Any] = []
            if kind == InspectionKind.PLANNED:
                if plan_year is None or not plan_ref:
                    raise InvalidInput("a planned inspection names its plan item (plan_year, plan_ref)", "plan_ref", "required")
                plan = self.get_or_none(InspectionPlan.create_id(plan_year))
                item = plan.items.get(plan_ref) if plan else None
                if item is None:
                    raise NotFound(f"plan {plan_year} has no item {plan_ref!r}", "plan_ref", "exists")
                if item["inspection_id"] is not None:
                    raise InvalidInput(f"plan item {plan_ref!r} is already scheduled", "plan_ref", "once")
                site_id = str(item["site_id"])
                establishment_id = str(item["establishment_id"]) if item["establishment_id"] else None
            else:
                if not incident_ids:
                    raise InvalidInput("an unannounced inspection is triggered by at least one incident",
                                       "incident_ids", "required")
                reports = [self._get(Incident, iid, "incident_ids") for iid in incident_ids]
                site_id, unit, inspector = self.unannounced_defaults(reports, site_id, unit, inspector)
                if not site_id:
                    raise InvalidInput("say which site is inspected", "site_id", "required")
                plan = None
            self._known_site(site_id)
            if establishment_id:
                self._check_establishment_at(establishment_id, site_id)
            inspection = Inspection(kind=kind, site_id=_uuid(site_id, "site_id"),
                                    establishment_id=_uuid(establishment_id, "establishment_id") if establishment_id else None,
                                    plan_year=plan_year if plan else None, plan_ref=plan_ref if plan else None,
                                    incident_ids=[_uuid(i, "incident_ids") for i in incident_ids],
                                    scheduled_for=scheduled_for.isoformat(), actor=actor.to_dict(),
                                    unit=(unit or "").strip() or None, inspector=(inspector or "").strip() or None)
            changed.append(inspection)
            if plan is not None:
                plan.item_scheduled(ref=plan_ref, inspection_id=inspection.id, actor=actor.to_dict())
                changed.append(plan)
            return changed, self._answer(inspection, state=inspection.state)

        return self.execute(command_id, work)

    def conduct_inspection(self, actor: Actor, command_id: str | None, inspection_id: str, conducted_on: date,
                           team: list[str], findings: str, samples: list[dict]) -> dict:
        actor.require(*INSPECTORS, action="conduct an inspection")
        if conducted_on > local_date(self.clock()):
            raise InvalidInput("an inspection cannot be conducted in the future", "conducted_on", "not_future")

        def act(ins: Inspection) -> None:
            evaluated = evaluated_for_record(self.limits, self.facility(ins.establishment_id), conducted_on, samples)
            ins.conduct(conducted_on=conducted_on.isoformat(), team=team, findings=findings, samples=evaluated,
                        actor=actor.to_dict())

        return self._work(command_id, Inspection, inspection_id, "inspection_id", act)

    def facility(self, establishment_id: Any) -> Facility:
        """What the establishment's permit says for its limits (services/inspections/limits.py)."""
        return Facility.of(self.directory.establishment(str(establishment_id)) if establishment_id else None)

    def conclude_inspection(self, actor: Actor, command_id: str | None, inspection_id: str,
                            violation_ids: list[str], summary: str) -> dict:
        actor.require(*INSPECTORS, action="conclude an inspection")
        for vid in violation_ids:
            v = self._get(Violation, vid, "violation_ids")
            if str(v.inspection_id) != str(inspection_id):
                raise InvalidInput(f"violation {vid} was not recorded at this inspection", "violation_ids", "same_inspection")

        def act(ins: Inspection) -> None:
            ins.conclude(violation_ids=[_uuid(v, "violation_ids") for v in violation_ids], summary=summary,
                         actor=actor.to_dict())

        return self._work(command_id, Inspection, inspection_id, "inspection_id", act)

    def cancel_inspection(self, actor: Actor, command_id: str | None, inspection_id: str, reason: str,
                          reason_code: str = "other") -> dict:
        actor.require(*STAFF, action="cancel an inspection")

        def act(ins: Inspection) -> None:
            ins.cancel(reason=reason, reason_code=reason_code, actor=actor.to_dict())

        return self._work(command_id, Inspection, inspection_id, "inspection_id", act)

    def get_inspection(self, actor: Actor, inspection_id: str) -> dict:
        ins = self._get(Inspection, inspection_id, "inspection_id")
        if actor.role not in READ_ALL:
            if not (actor.role == Role.BUSINESS and ins.establishment_id and str(ins.establishment_id) == actor.establishment):
                raise NotYours("only staff and the inspected establishment may read an inspection", "actor.role", "role")
        return inspection_document(ins, staff=actor.role in READ_ALL)
