"""The JSON twins of the inspections pages, under /v1/staff/inspections (OpenAPI tag "staff"):
the same RPCs as the member, the same scope rules (a commune officer's communes, an inspector's
assignment), bodies validated by the service's own contracts. Writes need X-CSRF-Token."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from services.gateway.context import Uuid, errors
from services.gateway.staff import inspections_data as data
from services.gateway.staff.kit import StaffApi, call
from shared.contracts import inspections as c
from shared.contracts import inspections_board as cb

api = APIRouter(prefix="/v1/staff/inspections", tags=["staff"])
RESPONSES = errors(401, 403, 404, 409)
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


@api.get("", responses=RESPONSES, summary="Inspections (by state, kind, site, quarter, assignment), paged")
async def list_inspections(request: Request, member: StaffApi, state: c.InspectionState | None = None,
                           kind: c.InspectionKind | None = None,
                           site_id: str | None = Query(None, pattern=UUID),
                           year: int | None = Query(None, ge=2021, le=2100), quarter: int | None = Query(None, ge=1, le=4),
                           unit: str | None = Query(None, max_length=200), inspector: str | None = Query(None, max_length=200),
                           offset: int = Query(0, ge=0, le=10**9), limit: int = Query(50, ge=1, le=500)) -> dict:
    """A commune officer sees only the inspections of sites in their communes."""
    q = cb.ListInspections(state=state, kind=kind, site_id=site_id, year=year, quarter=quarter, unit=unit,
                           inspector=inspector, communes=list(member.communes), offset=offset, limit=limit)
    return await call(request, member, "inspections", "list_inspections", **q.model_dump(mode="json"))


@api.get("/plan", responses=RESPONSES, summary="The plan's items of a quarter (or the whole year)")
async def plan(request: Request, member: StaffApi, year: int = Query(ge=2021, le=2100),
               quarter: int | None = Query(None, ge=1, le=4)) -> dict:
    answer = await call(request, member, "inspections", "plan_quarter", year=year, quarter=quarter)
    answer["items"] = [i for i in answer["items"] if member.covers(i.get("commune"))]
    return answer


@api.get("/overdue-measures", responses=RESPONSES, summary="Remedial measures past their deadline, oldest first")
async def overdue(request: Request, member: StaffApi, offset: int = Query(0, ge=0, le=10**9),
                  limit: int = Query(50, ge=1, le=500)) -> dict:
    return await call(request, member, "inspections", "overdue_measures", communes=list(member.communes),
                      offset=offset, limit=limit)


@api.get("/catalogue", responses=RESPONSES, summary="The sanction catalogue (Decree 45/2022/NĐ-CP)")
async def sanctions(request: Request, member: StaffApi) -> dict:
    return await data.catalogue(request, member)


@api.get("/violations/{violation_id}", responses=RESPONSES, summary="A violation (its site in scope)")
async def violation(request: Request, violation_id: Uuid, member: StaffApi) -> dict:
    v, _ = await data.violation_in_scope(request, member, violation_id)
    return v


@api.get("/{inspection_id}", responses=RESPONSES, summary="An inspection with its site and violations")
async def inspection(request: Request, inspection_id: Uuid, member: StaffApi) -> dict:
    ins, site = await data.inspection_in_scope(request, member, inspection_id)
    violations = await call(request, member, "inspections", "inspection_violations", inspection_id=inspection_id)
    return {"inspection": ins, "site": {"id": site["id"], "name": site.get("name"),
                                        "jurisdiction": site.get("jurisdiction")}, "violations": violations}


@api.post("/plan-items", responses=RESPONSES, summary="Add an item to a year's plan (agency, admin)")
async def add_plan_item(request: Request, body: c.AddPlanItem, member: StaffApi) -> dict:
    await data.site_in_scope(request, member, body.site_id)
    return await call(request, member, "inspections", "add_plan_item", **body.model_dump(mode="json"))


@api.post("/schedule", responses=RESPONSES,
          summary="Schedule an inspection: a plan item, or unannounced from reports (incident_ids)")
async def schedule(request: Request, body: c.ScheduleInspection, member: StaffApi) -> dict:
    if body.kind == "planned" and body.plan_year is not None:
        items = (await call(request, member, "inspections", "plan_quarter", year=body.plan_year))["items"]
        item = next((i for i in items if i["ref"] == body.plan_ref), None)
        if item is not None:
            await data.site_in_scope(request, member, item["site_id"])
    for iid in body.incident_ids:
        report = await call(request, member, "inspections", "get_incident", incident_id=str(iid))
        if report.get("site_id"):
            await data.site_in_scope(request, member, report["site_id"])
        else:
            member.require_covers(None, None)
    if body.site_id:
        await data.site_in_scope(request, member, body.site_id)
    return await call(request, member, "inspections", "schedule_inspection", **body.model_dump(mode="json"))


@api.post("/evaluate", responses=RESPONSES, summary="Samples evaluated against the limit table in force (nothing stored)")
async def evaluate(request: Request, body: cb.EvaluateSamples, member: StaffApi) -> dict:
    if body.site_id:
        await data.site_in_scope(request, member, body.site_id)
    if body.establishment_id:
        est = await call(request, member, "sites", "get_establishment", establishment_id=str(body.establishment_id))
        await data.site_in_scope(request, member, est["site_id"])
    return await call(request, member, "inspections", "evaluate_samples", **body.model_dump(mode="json"))


async def _act(request: Request, member: Any, inspection_id: Any, rpc: str, body: Any) -> dict:
    await data.assigned_inspection(request, member, str(inspection_id))
    return await call(request, member, "inspections", rpc, **body.model_dump(mode="json"))


@api.post("/conduct", responses=RESPONSES, summary="Conduct an assigned inspection (team, findings, samples)")
async def conduct(request: Request, body: c.ConductInspection, member: StaffApi) -> dict:
    return await _act(request, member, body.inspection_id, "conduct_inspection", body)


@api.post("/violations", responses=RESPONSES,
          summary="Record a violation from the catalogue (a fine outside the band: 400, rule fine_band)")
async def record(request: Request, body: c.RecordViolation, member: StaffApi) -> dict:
    if body.inspection_id is None:
        est = await call(request, member, "sites", "get_establishment", establishment_id=str(body.establishment_id))
        await data.site_in_scope(request, member, est["site_id"])
        return await call(request, member, "inspections", "record_violation", **body.model_dump(mode="json"))
    return await _act(request, member, body.inspection_id, "record_violation", body)


@api.post("/conclude", responses=RESPONSES, summary="Conclude an assigned, conducted inspection")
async def conclude(request: Request, body: c.ConcludeInspection, member: StaffApi) -> dict:
    return await _act(request, member, body.inspection_id, "conclude_inspection", body)


@api.post("/cancel", responses=RESPONSES, summary="Cancel a scheduled (assigned) inspection")
async def cancel(request: Request, body: c.CancelInspection, member: StaffApi) -> dict:
    return await _act(request, member, body.inspection_id, "cancel_inspection", body)


@api.post("/decide", responses=RESPONSES, summary="Decide the sanction of a violation (the fine within its band)")
async def decide(request: Request, body: c.DecideSanction, member: StaffApi) -> dict:
    await data.violation_in_scope(request, member, str(body.violation_id), act=True)
    return await call(request, member, "inspections", "decide_sanction", **body.model_dump(mode="json"))


@api.post("/review", responses=RESPONSES, summary="Accept or reject the establishment's remediation evidence")
async def review(request: Request, body: c.ReviewEvidence, member: StaffApi) -> dict:
    await data.violation_in_scope(request, member, str(body.violation_id), act=True)
    return await call(request, member, "inspections", "review_evidence", **body.model_dump(mode="json"))
