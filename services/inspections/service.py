"""The inspections nameko service: thin entrypoints over InspectionsApplication."""
from __future__ import annotations

import base64
import binascii
from uuid import UUID


from shared.contracts import inspections as c
from shared.contracts import inspections_inbox as cs
from shared.contracts import inspections_board as cb
from shared.kit.actor import Role
from shared.kit.errors import Forbidden, InvalidInput
from shared.kit.nameko_glue import ServiceKit, rpc_method
from shared.kit.providers import KitEntrypoints
from shared.kit.timers import setting_timer
from services.inspections.access import ACCESS
from services.inspections.application import incident_document, violation_document
from services.inspections.bootstrap import bootstrap
from services.inspections.inbox import StaffInbox
from services.inspections.report_rpc import ReportEntrypoints

PHOTO_GC_IDLE = 86_400.0  # photo_gc_interval 0: the timer ticks daily and does nothing


class InspectionsService(ReportEntrypoints, KitEntrypoints):  # report_rpc.py: the reports establishments owe
    name = "inspections"
    access = ACCESS  # services/inspections/access.py: the role × RPC matrix
    kit = ServiceKit("inspections", bootstrap, c.PUBLIC_EVENTS, follows=("sites",))  # bootstrap.py: its composition

    def _args(self, cmd):  # type: ignore[no-untyped-def]
        return cmd.model_dump(exclude={"command_id"})

    # -- photos ----------------------------------------------------------------------------------
    @rpc_method(c.StorePhoto)
    def store_photo(self, cmd: c.StorePhoto) -> dict:
        self.actor.require(Role.RESIDENT, Role.BUSINESS, Role.INSPECTOR, Role.AGENCY, Role.ADMIN, action="store a photo")
        try:
            data = base64.b64decode(cmd.data_b64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("data_b64 is not valid base64", "data_b64", "base64") from None
        try:
            return self.app.photo_shelf.store(self.actor, data)
        except InvalidInput as e:
            raise InvalidInput(e.message, "data_b64", e.rule) from None

    # -- incidents -------------------------------------------------------------------------------
    @rpc_method(c.ReportIncident)
    def report_incident(self, cmd: c.ReportIncident) -> dict:
        args = self._args(cmd)
        args["site_id"] = str(cmd.site_id) if cmd.site_id else None
        return self.app.report_incident(self.actor, cmd.command_id, **args)

    @rpc_method(c.AddInformation)
    def add_information(self, cmd: c.AddInformation) -> dict:
        return self.app.add_information(self.actor, cmd.command_id, cmd.incident_id, cmd.text, list(cmd.photos))

    @rpc_method(c.ReopenIncident)
    def reopen_incident(self, cmd: c.ReopenIncident) -> dict:
        return self.app.reopen_incident(self.actor, cmd.command_id, cmd.incident_id, cmd.reason, cmd.photo)

    @rpc_method(c.TriageIncident)
    def triage_incident(self, cmd: c.TriageIncident) -> dict:
        return self.app.triage_incident(self.actor, cmd.command_id, cmd.incident_id, cmd.category, cmd.priority,
                                            str(cmd.site_id) if cmd.site_id else None)

    @rpc_method(c.RejectIncident)
    def reject_incident(self, cmd: c.RejectIncident) -> dict:
        return self.app.reject_incident(self.actor, cmd.command_id, cmd.incident_id, cmd.reason,
                                            cmd.reason_code)

    @rpc_method(c.MergeIncident)
    def merge_incident(self, cmd: c.MergeIncident) -> dict:
        return self.app.merge_incident(self.actor, cmd.command_id, cmd.incident_id, cmd.into)

    @rpc_method(c.AssignIncident)
    def assign_incident(self, cmd: c.AssignIncident) -> dict:
        return self.app.assign_incident(self.actor, cmd.command_id, cmd.incident_id, cmd.unit, cmd.inspector, cmd.due)

    @rpc_method(c.VerifyIncident)
    def verify_incident(self, cmd: c.VerifyIncident) -> dict:
        return self.app.verify_incident(self.actor, cmd.command_id, cmd.incident_id, cmd.finding,
                                            str(cmd.inspection_id) if cmd.inspection_id else None, list(cmd.photos))

    @rpc_method(c.ResolveIncident)
    def resolve_incident(self, cmd: c.ResolveIncident) -> dict:
        return self.app.resolve_incident(self.actor, cmd.command_id, cmd.incident_id,
                                             str(cmd.violation_id) if cmd.violation_id else None, cmd.note,
                                             list(cmd.photos))

    @rpc_method(c.CloseIncident)
    def close_incident(self, cmd: c.CloseIncident) -> dict:
        return self.app.close_incident(self.actor, cmd.command_id, cmd.incident_id, cmd.reason,
                                           cmd.reason_code)

    @rpc_method(c.IncidentRef)
    def get_incident(self, q: c.IncidentRef) -> dict:
        return self.app.get_incident(self.actor, q.incident_id)

    @rpc_method(c.IncidentRef)
    def suggest_duplicates(self, q: c.IncidentRef) -> list[dict]:
        return self.app.suggest_duplicates(self.actor, q.incident_id)

    @rpc_method(c.MyIncidents)
    def my_incidents(self, q: c.MyIncidents) -> list[dict]:
        actor = self.actor
        return [incident_document(self.app.repository.get(UUID(i)), full=True)
                for i in self.views.incidents_of_reporter(actor.id)]

    @rpc_method(c.MyTasks)
    def my_tasks(self, q: c.MyTasks) -> dict:
        return self.app.my_tasks(self.actor, q.offset, q.limit)

    @rpc_method(c.IncidentRef)
    def incident_assignee(self, q: c.IncidentRef) -> dict:
        return self.app.incident_assignee(self.actor, str(q.incident_id))

    @rpc_method(c.ListIncidents)
    def list_incidents(self, q: c.ListIncidents) -> list[dict]:
        self.actor.require(Role.INSPECTOR, Role.AGENCY, Role.ADMIN, Role.PUBLIC,  # public: redacted documents
                               action="list all incidents")
        ids = self.views.list_incidents(q.state, str(q.site_id) if q.site_id else None, q.limit, q.offset)
        return [self.app.get_incident(self.actor, i) for i in ids]

    # -- the staff inbox (services/inspections/inbox.py) -------------------------------------------
    @rpc_method(cs.StaffInbox)
    def staff_inbox(self, q: cs.StaffInbox) -> dict:
        args = q.model_dump()
        args["site_id"] = str(q.site_id) if q.site_id else None
        return StaffInbox(self.app).page(self.actor, **args)

    @rpc_method(c.IncidentRef)
    def incident_history(self, q: c.IncidentRef) -> list[dict]:
        return StaffInbox(self.app).history(self.actor, str(q.incident_id))

    @rpc_method(cs.IncidentPhoto)
    def incident_photo(self, q: cs.IncidentPhoto) -> dict:
        return StaffInbox(self.app).photo(self.actor, str(q.incident_id), q.photo)

    @rpc_method(c.SiteIncidents)
    def site_incident_counts(self, q: c.SiteIncidents) -> dict:
        return self.views.site_counts(str(q.site_id))

    # -- plan and inspections --------------------------------------------------------------------
    @rpc_method(c.AddPlanItem)
    def add_plan_item(self, cmd: c.AddPlanItem) -> dict:
        args = self._args(cmd)
        args["site_id"] = str(cmd.site_id)
        args["establishment_id"] = str(cmd.establishment_id) if cmd.establishment_id else None
        return self.app.add_plan_item(self.actor, cmd.command_id, **args)

    @rpc_method(c.PlanRef)
    def get_plan(self, q: c.PlanRef) -> dict:
        return self.app.get_plan(q.year)

    @rpc_method(c.ScheduleInspection)
    def schedule_inspection(self, cmd: c.ScheduleInspection) -> dict:
        args = self._args(cmd)
        args["site_id"] = str(cmd.site_id) if cmd.site_id else None
        args["establishment_id"] = str(cmd.establishment_id) if cmd.establishment_id else None
        args["incident_ids"] = [str(i) for i in cmd.incident_ids]
        return self.app.schedule_inspection(self.actor, cmd.command_id, **args)

    @rpc_method(c.ConductInspection)
    def conduct_inspection(self, cmd: c.ConductInspection) -> dict:
        return self.app.conduct_inspection(self.actor, cmd.command_id, cmd.inspection_id, cmd.conducted_on,
                                               list(cmd.team), cmd.findings, [s.model_dump() for s in cmd.samples])

    @rpc_method(c.ConcludeInspection)
    def conclude_inspection(self, cmd: c.ConcludeInspection) -> dict:
        return self.app.conclude_inspection(self.actor, cmd.command_id, cmd.inspection_id,
                                                [str(v) for v in cmd.violation_ids], cmd.summary)

    @rpc_method(c.CancelInspection)
    def cancel_inspection(self, cmd: c.CancelInspection) -> dict:
        return self.app.cancel_inspection(self.actor, cmd.command_id, cmd.inspection_id, cmd.reason,
                                              cmd.reason_code)

    @rpc_method(c.InspectionRef)
    def get_inspection(self, q: c.InspectionRef) -> dict:
        return self.app.get_inspection(self.actor, q.inspection_id)

    # -- violations ------------------------------------------------------------------------------
    @rpc_method(c.Catalogue)
    def sanction_catalogue(self, q: c.Catalogue) -> dict:
        return self.app.sanctions

    @rpc_method(c.RecordViolation)
    def record_violation(self, cmd: c.RecordViolation) -> dict:
        args = self._args(cmd)
        args["establishment_id"] = str(cmd.establishment_id)
        args["inspection_id"] = str(cmd.inspection_id) if cmd.inspection_id else None
        return self.app.record_violation(self.actor, cmd.command_id, **args)

    @rpc_method(c.DecideSanction)
    def decide_sanction(self, cmd: c.DecideSanction) -> dict:
        return self.app.decide_sanction(self.actor, cmd.command_id, cmd.violation_id, cmd.decision_number,
                                            cmd.decided_on, cmd.fine_vnd, cmd.authority)

    @rpc_method(c.SubmitEvidence)
    def submit_evidence(self, cmd: c.SubmitEvidence) -> dict:
        return self.app.submit_evidence(self.actor, cmd.command_id, cmd.violation_id, cmd.text, list(cmd.files))

    @rpc_method(c.ReviewEvidence)
    def review_evidence(self, cmd: c.ReviewEvidence) -> dict:
        return self.app.review_evidence(self.actor, cmd.command_id, cmd.violation_id, cmd.accepted, cmd.note)

    @rpc_method(c.ViolationRef)
    def get_violation(self, q: c.ViolationRef) -> dict:
        return self.app.get_violation(self.actor, q.violation_id)

    @rpc_method(c.ListViolations)
    def list_violations(self, q: c.ListViolations) -> list[dict]:
        actor = self.actor
        establishment = str(q.establishment_id) if q.establishment_id else None
        if actor.role == Role.BUSINESS:
            if not actor.establishment:
                raise Forbidden("a business account must be linked to its establishment", "actor.establishment", "required")
            establishment = actor.establishment  # a business sees its own establishment's only
        else:
            actor.require(Role.INSPECTOR, Role.AGENCY, Role.ADMIN, action="list violations")
        return [violation_document(self.app.repository.get(UUID(v)))
                for v in self.views.violations_of(establishment, q.state)]

    # -- the staff workspace's queries (services/inspections/staff_queries.py) -------------------
    @rpc_method(cb.PlanQuarter)
    def plan_quarter(self, q: cb.PlanQuarter) -> dict:
        return self.app.plan_quarter(self.actor, q.year, q.quarter)

    @rpc_method(cb.ListInspections)
    def list_inspections(self, q: cb.ListInspections) -> dict:
        args = q.model_dump()
        args["site_id"] = str(q.site_id) if q.site_id else None
        return self.app.list_inspections(self.actor, **args)

    @rpc_method(cb.EvaluateSamples)
    def evaluate_samples(self, q: cb.EvaluateSamples) -> dict:
        return self.app.evaluate_samples(self.actor, on=q.on, samples=[s.model_dump() for s in q.samples],
                                             site_id=str(q.site_id) if q.site_id else None,
                                             establishment_id=str(q.establishment_id) if q.establishment_id else None)

    @rpc_method(cb.InspectionViolations)
    def inspection_violations(self, q: cb.InspectionViolations) -> list[dict]:
        return self.app.inspection_violations(self.actor, str(q.inspection_id))

    @rpc_method(cb.OverdueMeasures)
    def overdue_measures(self, q: cb.OverdueMeasures) -> dict:
        return self.app.overdue_measures(self.actor, q.on, list(q.communes), q.offset, q.limit)

    # -- timers ----------------------------------------------------------------------------------
    @setting_timer("deadline_check_interval")
    def check_deadlines(self) -> dict:
        return self.app.check_deadlines()

    @setting_timer("photo_gc_interval", fallback=PHOTO_GC_IDLE)
    def collect_photo_garbage(self) -> dict:
        """Deletes photos no event references once they are older than the grace period."""
        if not self.kit.settings.services.photo_gc_interval:
            return {}
        return self.app.photo_shelf.collect_garbage()
