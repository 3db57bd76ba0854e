"""Page 3 of the staff workspace, Thanh tra (inspections): the plan of a quarter with its items,
the inspections list, the overdue remedial measures; schedule; an unannounced inspection opened
from reports; an inspection: conduct (team, findings, samples evaluated on the spot against the
limit table in force), record violations from the Decree 45 catalogue (a fine outside the band is
refused with the band), conclude, cancel; a violation: decide the sanction, review the evidence.

Every action is the inspections service's RPC as the member, with the form's command id. Scope:
a commune officer only sites of their communes (403, nothing changed); an inspector conducts,
records, concludes, decides and reviews only what is assigned to them or their unit. The JSON
twins are in inspections_api.py."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.gateway.context import Uuid
from services.gateway.staff import inspections_data as data
from services.gateway.staff.inspections_api import api  # noqa: F401  (the area's JSON twin)
from services.gateway.staff.inspections_forms import (
    MEASURE_ROWS, SAMPLE_ROWS, assigned_to, catalogue_options, lines, measure_rows, sample_rows, vnd,
)
from services.gateway.staff.kit import Posted, StaffPage, StaffPost, call, paging, redirect, render
from shared.contracts import inspections as c
from shared.reference import commune_name
from shared.contracts import inspections_board as cb
from shared.kit.actor import Role
from shared.kit.errors import Forbidden, LangXanhError
from shared.vocabulary import InspectionKind, InspectionState, values
from services.gateway.staff.i18n import rule_text

router = APIRouter(include_in_schema=False)
STATES = values(InspectionState)  # shared/vocabulary.py
OPEN_REPORT_STATES = ("assigned", "triaged", "reported", "reopened", "verified")
Year = Query(None, ge=2021, le=2100)


def _refused(e: Exception) -> None:
    """A refusal of scope, assignment or role is a 403 page (nothing changed), never a form error."""
    if isinstance(e, Forbidden):
        raise e


def _quarter_of(day: str) -> tuple[int, int]:
    return int(day[:4]), (int(day[5:7]) - 1) // 3 + 1


# -- the index: plan, list, overdue measures ------------------------------------------------------
async def _index(request: Request, m: Any, year: int | None, quarter: int | None, state: str | None,
                 kind: str | None, mine: bool, offset: int, status: int = 200, **ctx: Any) -> HTMLResponse:
    y, q = _quarter_of(data.today())
    year, quarter = year or y, quarter or q
    communes = list(m.communes)
    plan = await call(request, m, "inspections", "plan_quarter", year=year, quarter=quarter)
    plan["items"] = [i for i in plan["items"] if m.covers(i.get("commune"), i.get("old_district"))]
    filters = {"state": state if state in STATES else None, "kind": kind if kind in values(InspectionKind) else None,
               "year": year, "quarter": quarter}
    if mine:
        filters["inspector"] = m.email
    listed = await call(request, m, "inspections", "list_inspections", communes=communes, offset=offset, limit=50,
                        **filters)
    overdue = await call(request, m, "inspections", "overdue_measures", communes=communes, limit=100)
    return await render(request, m, "inspections/index.html", status=status, plan=plan, listed=listed,
                        overdue=overdue, year=year, quarter=quarter, state=filters["state"] or "",
                        kind=filters["kind"] or "", mine=mine, today=data.today(), commune_name=commune_name,
                        pager=paging(offset, 50, listed["total"], request), **ctx)


@router.get("/staff/inspections", response_class=HTMLResponse)
async def index(request: Request, member: StaffPage, year: int | None = Year,
                quarter: int | None = Query(None, ge=1, le=4), state: str | None = Query(None, max_length=20),
                kind: str | None = Query(None, max_length=20), mine: bool = False,
                offset: int = Query(0, ge=0, le=10**9)) -> HTMLResponse:
    return await _index(request, member, year, quarter, state, kind, mine, offset)


@router.post("/staff/inspections/plan-items", response_class=HTMLResponse)
async def add_plan_item(request: Request, posted: StaffPost) -> Response:
    m, f = posted.member, posted.fields
    fields = {k: f.get(k) or None for k in ("year", "ref", "site_id", "establishment_id", "month", "topic")}
    try:
        m.require(Role.AGENCY, Role.ADMIN)
        cmd = c.AddPlanItem(command_id=posted.command_id, **fields)
        await data.site_in_scope(request, m, cmd.site_id)
        await call(request, m, "inspections", "add_plan_item", **cmd.model_dump(mode="json"))
    except (LangXanhError, ValueError) as e:
        _refused(e)
        return await _index(request, m, _int(f.get("year")), None, None, None, False, 0, status=400,
                            errors=data.errors_of(e, m), item_form=f)
    return redirect(f"/staff/inspections?year={cmd.year}" + (f"&quarter={(cmd.month - 1) // 3 + 1}" if cmd.month else ""))


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 2021 <= int(text) <= 2100 else None


@router.post("/staff/inspections/schedule", response_class=HTMLResponse)
async def schedule_planned(request: Request, posted: StaffPost) -> Response:
    """A plan item scheduled (its site in scope)."""
    m, f = posted.member, posted.fields
    try:
        cmd = c.ScheduleInspection(command_id=posted.command_id, kind="planned", scheduled_for=f.get("scheduled_for"),
                                   plan_year=f.get("plan_year"), plan_ref=f.get("plan_ref"),
                                   unit=f.get("unit") or None, inspector=f.get("inspector") or None)
        plan = await call(request, m, "inspections", "plan_quarter", year=cmd.plan_year)
        item = next((i for i in plan["items"] if i["ref"] == cmd.plan_ref), None)
        if item is not None:
            await data.site_in_scope(request, m, item["site_id"])
        done = await call(request, m, "inspections", "schedule_inspection", **cmd.model_dump(mode="json"))
    except (LangXanhError, ValueError) as e:
        _refused(e)
        found = data.errors_of(e, m)
        errors = {f"plan:{f.get('plan_ref')}:{k}": v for k, v in found.items()}
        errors["_form"] = f"{f.get('plan_ref') or ''}: {next(iter(found.values()))}"  # also where it is always seen
        return await _index(request, m, _int(f.get("plan_year")), None, None, None, False, 0, status=400, errors=errors)
    return redirect(f"/staff/inspections/{done['id']}")


# -- an unannounced inspection from reports --------------------------------------------------------
async def _open_reports(request: Request, m: Any, picked: set[str]) -> list[dict]:
    """The open reports in the member's scope (the picked ones first, whatever their state)."""
    out, sites, seen = [], {}, set()
    listed = [await call(request, m, "inspections", "get_incident", incident_id=i) for i in sorted(picked)[:50]]
    for state in OPEN_REPORT_STATES:
        listed += await call(request, m, "inspections", "list_incidents", state=state, limit=100)
    for r in listed:
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        sid = r.get("site_id")
        if sid and sid not in sites:
            try:
                sites[sid] = await data.site_in_scope(request, m, sid)
            except LangXanhError:
                sites[sid] = None
        site = sites.get(sid) if sid else None
        if (site is not None) or (not sid and not m.communes):
            out.append(dict(r, site_name=(site or {}).get("name")))
    return out


async def _unannounced_page(request: Request, m: Any, status: int = 200, **ctx: Any) -> HTMLResponse:
    return await render(request, m, "inspections/unannounced.html", status=status,
                        reports=await _open_reports(request, m, ctx.get("picked") or set()), today=data.today(), **ctx)


@router.get("/staff/inspections/unannounced", response_class=HTMLResponse)
async def unannounced_form(request: Request, member: StaffPage,
                           incident_id: list[str] = Query(default_factory=list, max_length=50)) -> HTMLResponse:
    return await _unannounced_page(request, member, picked=set(incident_id), form={})


@router.post("/staff/inspections/unannounced", response_class=HTMLResponse)
async def unannounced(request: Request, posted: StaffPost) -> Response:
    m, f = posted.member, posted.fields
    picked = posted.values("incident_ids")
    try:
        cmd = c.ScheduleInspection(command_id=posted.command_id, kind="unannounced", scheduled_for=f.get("scheduled_for"),
                                   site_id=f.get("site_id") or None, establishment_id=f.get("establishment_id") or None,
                                   incident_ids=picked, unit=f.get("unit") or None, inspector=f.get("inspector") or None)
        for iid in cmd.incident_ids:  # every report behind it in scope, and the site named
            report = await call(request, m, "inspections", "get_incident", incident_id=str(iid))
            if report.get("site_id"):
                await data.site_in_scope(request, m, report["site_id"])
            else:
                m.require_covers(None, None)
        if cmd.site_id:
            await data.site_in_scope(request, m, cmd.site_id)
        done = await call(request, m, "inspections", "schedule_inspection", **cmd.model_dump(mode="json"))
    except (LangXanhError, ValueError) as e:
        _refused(e)
        return await _unannounced_page(request, m, status=400, errors=data.errors_of(e, m), picked=set(picked), form=f)
    return redirect(f"/staff/inspections/{done['id']}")


# -- violations (before /{inspection_id}: the paths share a prefix) --------------------------------
@router.get("/staff/inspections/violations/{violation_id}", response_class=HTMLResponse)
async def violation_page(request: Request, violation_id: Uuid, member: StaffPage) -> HTMLResponse:
    v, ins = await data.violation_in_scope(request, member, violation_id)
    return await render(request, member, "inspections/violation.html", v=v, ins=ins, today=data.today(),
                        authorities=data.authorities(await data.catalogue(request, member)),
                        can_act=assigned_to(member, ins or {}), est=await data.establishment(request, member, v["establishment_id"]))


@router.post("/staff/inspections/violations/{violation_id}/{action}", response_class=HTMLResponse)
async def violation_action(request: Request, violation_id: Uuid, action: str, posted: StaffPost) -> Response:
    m, f = posted.member, posted.fields
    v, ins = await data.violation_in_scope(request, m, violation_id, act=True)
    back = f"/staff/inspections/{ins['id']}" if ins else f"/staff/inspections/violations/{violation_id}"
    sanctions = await data.catalogue(request, m)
    try:
        if action == "decide":
            cmd: Any = c.DecideSanction(command_id=posted.command_id, violation_id=violation_id,
                                        decision_number=f.get("decision_number"), decided_on=f.get("decided_on"),
                                        fine_vnd=vnd(f.get("fine_vnd", "")), authority=f.get("authority"))
            await call(request, m, "inspections", "decide_sanction", **cmd.model_dump(mode="json"))
        elif action == "review":
            cmd = c.ReviewEvidence(command_id=posted.command_id, violation_id=violation_id,
                                   accepted=f.get("accepted") == "yes", note=f.get("note"))
            await call(request, m, "inspections", "review_evidence", **cmd.model_dump(mode="json"))
        else:
            return await render(request, m, "error.html", status=404, title_key="notfound-title", text_key="notfound-text")
    except (LangXanhError, ValueError) as e:
        _refused(e)
        fields = dict(f, catalogue_code=v["legal_basis"]["code"], offender_type=v["offender_type"])
        errors = {f"{violation_id}:{k}": val for k, val in data.errors_of(e, m, sanctions, fields).items()}
        if ins:
            return await _inspection_page(request, m, ins["id"], status=400, errors=errors, vform={violation_id: f})
        return await render(request, m, "inspections/violation.html", status=400, v=v, ins=None, can_act=True,
                            errors=errors, today=data.today(), vform={violation_id: f}, authorities=data.authorities(sanctions),
                            est=await data.establishment(request, m, v["establishment_id"]))
    return redirect(back)


# -- an inspection ---------------------------------------------------------------------------------
async def _inspection_page(request: Request, m: Any, inspection_id: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ins, site = await data.inspection_in_scope(request, m, inspection_id)
    violations = await call(request, m, "inspections", "inspection_violations", inspection_id=inspection_id)
    sanctions = await data.catalogue(request, m)
    est = await data.establishment(request, m, ins.get("establishment_id"))
    establishments = [] if est else [(e["id"], e.get("name") or e["id"]) for e in await call(
        request, m, "sites", "site_establishments", site_id=ins["site_id"])]
    table = await call(request, m, "inspections", "evaluate_samples", site_id=ins["site_id"],
                       establishment_id=ins.get("establishment_id"),
                       on=(ins.get("conducted") or {}).get("date") or data.today(), samples=[])
    ctx.setdefault("conduct", {"conducted_on": data.today()})
    ctx.setdefault("rows", [{}] * SAMPLE_ROWS)
    ctx.setdefault("record", {"offender_type": "household" if (est or {}).get("form") == "household" else "organisation"})
    return await render(request, m, "inspections/inspection.html", status=status, ins=ins, site=site, est=est,
                        establishments=establishments, violations=violations, table=table,
                        options=catalogue_options(sanctions, m.lang, _largest_factor(ins)), can_act=assigned_to(m, ins),
                        measure_rows=MEASURE_ROWS, today=data.today(), commune_name=commune_name,
                        authorities=data.authorities(sanctions), **ctx)


def _largest_factor(ins: dict) -> float | None:
    factors = [s["exceedance"] for s in (ins.get("conducted") or {}).get("samples", [])
               if s.get("exceeds") and s.get("exceedance") is not None]
    return max(factors) if factors else None


@router.get("/staff/inspections/{inspection_id}", response_class=HTMLResponse)
async def inspection(request: Request, inspection_id: Uuid, member: StaffPage) -> HTMLResponse:
    return await _inspection_page(request, member, inspection_id)


async def _evaluated(request: Request, m: Any, ins: dict, posted: Posted) -> tuple[list[dict], dict]:
    rows = sample_rows(posted.values)
    query = cb.EvaluateSamples(site_id=ins["site_id"], establishment_id=ins.get("establishment_id"),
                               on=posted.fields.get("conducted_on") or data.today(), samples=rows)
    result = await call(request, m, "inspections", "evaluate_samples", **query.model_dump(mode="json"))
    return rows, result


@router.post("/staff/inspections/{inspection_id}/evaluate", response_class=HTMLResponse)
async def evaluate(request: Request, inspection_id: Uuid, posted: StaffPost) -> Response:
    """The samples of the conduct form evaluated on the spot (nothing stored): the form again with
    the limit, the table, the factor per row."""
    m = posted.member
    ins, _ = await data.inspection_in_scope(request, m, inspection_id)
    try:
        rows, result = await _evaluated(request, m, ins, posted)
    except (LangXanhError, ValueError) as e:
        _refused(e)
        return await _inspection_page(request, m, inspection_id, status=400, errors=data.errors_of(e, m),
                                      conduct=posted.fields, rows=_padded(sample_rows(posted.values)))
    return await _inspection_page(request, m, inspection_id, evaluation=result, conduct=posted.fields,
                                  rows=_padded(rows), errors=_row_errors(m, result))


def _row_errors(m: Any, result: dict) -> dict[str, str]:
    return {s["error"]["field"]: rule_text(m.lang, s["error"]["rule"], s["error"]["message"])
            for s in result["samples"] if s.get("error")}


def _padded(rows: list[dict]) -> list[dict]:
    return rows + [{}] * max(SAMPLE_ROWS - len(rows), 1)


@router.post("/staff/inspections/{inspection_id}/conduct", response_class=HTMLResponse)
async def conduct(request: Request, inspection_id: Uuid, posted: StaffPost) -> Response:
    m, f = posted.member, posted.fields
    ins, _ = await data.assigned_inspection(request, m, inspection_id)
    rows = sample_rows(posted.values)
    try:
        cmd = c.ConductInspection(command_id=posted.command_id, inspection_id=inspection_id,
                                  conducted_on=f.get("conducted_on"), team=lines(f.get("team")),
                                  findings=f.get("findings", ""), samples=rows)
        rows, result = await _evaluated(request, m, ins, posted)
        if _row_errors(m, result):  # each row's own error next to it, nothing stored
            return await _inspection_page(request, m, inspection_id, status=400, evaluation=result, conduct=f,
                                          rows=_padded(rows), errors=_row_errors(m, result))
        await call(request, m, "inspections", "conduct_inspection", **cmd.model_dump(mode="json"))
    except (LangXanhError, ValueError) as e:
        _refused(e)
        return await _inspection_page(request, m, inspection_id, status=400, errors=data.errors_of(e, m),
                                      conduct=f, rows=_padded(rows))
    return redirect(f"/staff/inspections/{inspection_id}")


@router.post("/staff/inspections/{inspection_id}/violations", response_class=HTMLResponse)
async def record_violation(request: Request, inspection_id: Uuid, posted: StaffPost) -> Response:
    m, f = posted.member, posted.fields
    ins, _ = await data.assigned_inspection(request, m, inspection_id)
    sanctions = await data.catalogue(request, m)
    try:
        cmd = c.RecordViolation(command_id=posted.command_id, inspection_id=inspection_id,
                                establishment_id=ins.get("establishment_id") or f.get("establishment_id") or None,
                                catalogue_code=f.get("catalogue_code"), description=f.get("description", ""),
                                offender_type=f.get("offender_type"), fine_vnd=vnd(f.get("fine_vnd", "")),
                                additional_sanctions=lines(f.get("additional_sanctions"), 11),
                                remedial_measures=measure_rows(posted.values))
        await call(request, m, "inspections", "record_violation", **cmd.model_dump(mode="json"))
    except (LangXanhError, ValueError) as e:
        _refused(e)
        return await _inspection_page(request, m, inspection_id, status=400, record=f,
                                      errors=data.errors_of(e, m, sanctions, f),
                                      measures=measure_rows(posted.values))
    return redirect(f"/staff/inspections/{inspection_id}#violations")


@router.post("/staff/inspections/{inspection_id}/{action}", response_class=HTMLResponse)
async def finish(request: Request, inspection_id: Uuid, action: str, posted: StaffPost) -> Response:
    """conclude (with the violations picked) or cancel (with a reason)."""
    m, f = posted.member, posted.fields
    try:
        if action == "conclude":
            await data.assigned_inspection(request, m, inspection_id)
            cmd: Any = c.ConcludeInspection(command_id=posted.command_id, inspection_id=inspection_id,
                                            violation_ids=posted.values("violation_ids"), summary=f.get("summary", ""))
            await call(request, m, "inspections", "conclude_inspection", **cmd.model_dump(mode="json"))
        elif action == "cancel":
            await data.assigned_inspection(request, m, inspection_id)
            cmd = c.CancelInspection(command_id=posted.command_id, inspection_id=inspection_id,
                                     reason=f.get("reason"), reason_code=f.get("reason_code") or "other")
            await call(request, m, "inspections", "cancel_inspection", **cmd.model_dump(mode="json"))
        else:
            return await render(request, m, "error.html", status=404, title_key="notfound-title", text_key="notfound-text")
    except (LangXanhError, ValueError) as e:
        _refused(e)
        return await _inspection_page(request, m, inspection_id, status=400, errors=data.errors_of(e, m),
                                      **{action: f})
    return redirect(f"/staff/inspections/{inspection_id}")
