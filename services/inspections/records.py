"""What the inspections Application answers and who may ask: the role groups its commands require,
and the plain documents of an incident, an inspection and a violation (shared by the command
mixins, the service and the staff queries)."""
from __future__ import annotations

from uuid import UUID

from shared.kit.actor import Role
from shared.kit.values import coarse, plain as as_plain
from services.inspections.domainmodel import Incident, Inspection, Violation

STAFF = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN)
INSPECTORS = (Role.INSPECTOR, Role.ADMIN)
PLANNERS = (Role.AGENCY, Role.ADMIN)
REPORTERS = (Role.RESIDENT, Role.INSPECTOR, Role.AGENCY, Role.ADMIN)
READ_ALL = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN, Role.SYSTEM)


def ticket(incident_id: UUID) -> str:
    """A short ticket number residents can quote."""
    return "PA-" + incident_id.hex[:8].upper()


def incident_document(i: Incident, full: bool, with_reporter: bool = False) -> dict:
    doc = {
        "id": i.id, "ticket": ticket(i.id), "version": i.version, "category": i.category, "state": i.state,
        "site_id": i.site_id, "priority": i.priority, "reported_at": i.reported_at, "triage_due": i.triage_due,
        "resolution_due": i.resolution_due, "overdue": i.overdue, "assignment": {"unit": i.assignment["unit"],
        "due": i.assignment["due"]} if i.assignment else None, "violation_found": i.violation_id is not None,
        "reopened": i.reopened, "location": coarse(i.location), "photo_count": len(i.photos),
    }
    if full:
        doc.update(description=i.description, location=i.location, address=i.address,
                   photos=i.photos, additions=i.additions,
                   finding=i.finding, rejection=i.rejection, merged_into=i.merged_into, violation_id=i.violation_id,
                   resolution_note=i.resolution_note, resolved_at=i.resolved_at, assignment=i.assignment,
                   site_photos=getattr(i, "site_photos", []), after_photos=getattr(i, "after_photos", []))
    if with_reporter:
        doc["reporter"] = i.reporter
    return as_plain(doc)


def inspection_document(ins: Inspection, staff: bool = True) -> dict:
    """Who is assigned (unit, inspector: staff ids) only for staff."""
    return as_plain({"id": ins.id, "version": ins.version, "kind": ins.kind, "state": ins.state, "site_id": ins.site_id,
                     "establishment_id": ins.establishment_id, "plan_year": ins.plan_year, "plan_ref": ins.plan_ref,
                     "incident_ids": ins.incident_ids, "scheduled_for": ins.scheduled_for, "conducted": ins.conducted,
                     "violation_ids": ins.violation_ids, "cancel_reason": ins.cancel_reason,
                     **({"unit": ins.unit, "inspector": ins.inspector} if staff else {})})


def violation_document(v: Violation) -> dict:
    return as_plain({"id": v.id, "version": v.version, "state": v.state, "establishment_id": v.establishment_id,
                     "site_id": v.site_id, "inspection_id": v.inspection_id, "legal_basis": v.legal_basis,
                     "description": v.description, "offender_type": v.offender_type, "fine_vnd": v.fine_vnd,
                     "additional_sanctions": v.additional_sanctions, "remedial_measures": v.remedial_measures,
                     "decision": v.decision, "evidence": v.evidence, "overdue": v.overdue})
