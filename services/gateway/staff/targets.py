"""Page 5, targets and reports: the four targets per unit (city, old district, commune) and
quarter against the roadmap; the drill-down to the sites behind a figure and to the events
behind a site; the quarterly report issued (immutable), shown, downloaded as Markdown, HTML, CSV
and XLSX, and compared with an earlier issue.

A commune officer sees only the units of their communes (commune:<code> or district:<code>):
the table is asked for those, and a drill-down, a report or an issue outside them is refused
(403) before the services are asked."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from services.gateway.staff.kit import (Member, StaffApi, StaffPage, StaffPost, call, field_errors, paging, redirect,
                                        render)
from shared.contracts import indicators as c
from shared.kit.calendar import local_date
from shared.kit.errors import Forbidden, LangXanhError
from services.gateway.context import errors
from shared.kit.nameko_glue import invalid_from_validation
from shared.kit.values import parse_uuid
from shared.reports import DOWNLOADS, STATUS_VI, TARGET_NAMES, download_name, pct

router = APIRouter(include_in_schema=False)
ERRS = errors(401, 403, 404, 409)  # 401: no staff session; 403: the role, the scope or the CSRF header
api = APIRouter(prefix="/v1/staff", tags=["staff"])
TARGETS = tuple(TARGET_NAMES)
Format = Literal["md", "html", "csv", "xlsx"]
PeriodQ = Annotated[str | None, Query(max_length=10, description="A quarter like 2025Q4 (default: this quarter)")]
UnitQ = Annotated[str, Query(max_length=80, description="city:hanoi, district:<code> or commune:<code>")]
TargetQ = Annotated[str, Query(max_length=40, description=", ".join(TARGETS))]


def this_quarter() -> str:
    today = local_date(datetime.now(timezone.utc))
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def unit_covered(member: Member, unit: str | None) -> bool:
    """A city-wide member sees every unit; a commune officer the units named by their codes."""
    if not member.communes:
        return True
    kind, _, code = (unit or "city:hanoi").partition(":")
    return kind in ("commune", "district") and code in member.communes


def require_unit(member: Member, unit: str | None) -> None:
    if not unit_covered(member, unit):
        raise Forbidden("this unit is outside your communes", "unit", "scope")


def member_units(member: Member) -> list[str] | None:
    return None if not member.communes else [f"{k}:{code}" for code in member.communes for k in ("commune", "district")]


def _check(contract: type[BaseModel], **fields: Any) -> BaseModel:
    return contract(**{k: v for k, v in fields.items() if v not in (None, "")})


def _dump(query: BaseModel) -> dict:
    return query.model_dump(mode="json", exclude_none=True)


# -- what the pages and the JSON share ------------------------------------------------------------------
async def targets_of(request: Request, member: Member, period: str | None) -> dict:
    q = _check(c.Targets, period=period or this_quarter(), units=member_units(member))
    return await call(request, member, "indicators", "targets", **_dump(q))


async def drill_of(request: Request, member: Member, period: str | None, unit: str, target: str) -> dict:
    q = _check(c.DrillDown, period=period or this_quarter(), unit=unit, target=target)
    require_unit(member, q.unit)  # type: ignore[attr-defined]
    return await call(request, member, "indicators", "drill_down", **_dump(q))


async def site_of(request: Request, member: Member, period: str | None, unit: str, target: str, site_id: str) -> dict:
    q = _check(c.SiteEvents, period=period or this_quarter(), unit=unit, target=target, site_id=site_id)
    require_unit(member, q.unit)  # type: ignore[attr-defined]
    return await call(request, member, "indicators", "site_events", **_dump(q))


async def report_of(request: Request, member: Member, report_id: UUID) -> dict:
    report = await call(request, member, "indicators", "get_report", report_id=str(report_id))
    require_unit(member, report.get("unit"))
    return report


async def issue(request: Request, member: Member, command_id: str, period: str, unit: str | None) -> dict:
    cmd = _check(c.IssueReport, command_id=command_id, period=period, unit=unit)
    require_unit(member, cmd.unit)  # type: ignore[attr-defined]
    return await call(request, member, "indicators", "issue_report", **cmd.model_dump(mode="json"))


async def compare(request: Request, member: Member, report_id: UUID, earlier_id: UUID) -> dict:
    await report_of(request, member, report_id)
    await report_of(request, member, earlier_id)
    return await call(request, member, "indicators", "compare_reports", report_id=str(report_id),
                      earlier_id=str(earlier_id))


async def reports_list(request: Request, member: Member, period: str | None, offset: Any, limit: Any) -> dict:
    units = [f"{kind}:{code}" for code in member.communes for kind in ("commune", "district")]
    q = _check(c.ListReports, period=period, offset=offset, limit=limit, units=units)
    answer = await call(request, member, "indicators", "list_reports", **_dump(q))
    answer["items"] = [r for r in answer["items"] if unit_covered(member, r["unit"])]  # and checked here too
    return answer


def download(report: dict, fmt: str) -> Response:
    render_fn, content_type = DOWNLOADS[fmt]
    return Response(render_fn(report), media_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{download_name(report, fmt)}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


# -- pages ------------------------------------------------------------------------------------------------
def _ctx(**kw: Any) -> dict:
    return {"targets": TARGETS, "target_names": TARGET_NAMES, "status_vi": STATUS_VI, "pct": pct, **kw}


async def _failed(request: Request, member: Member, template: str, e: Exception, **kw: Any) -> HTMLResponse:
    if isinstance(e, Forbidden):
        raise e
    return await render(request, member, template, status=400, errors=field_errors(e, member.lang), **_ctx(**kw))


@router.get("/staff/targets", response_class=HTMLResponse)
async def targets_page(request: Request, member: StaffPage, period: PeriodQ = None) -> HTMLResponse:
    try:
        table = await targets_of(request, member, period)
    except (ValidationError, LangXanhError) as e:
        return await _failed(request, member, "targets/table.html", e, table=None, period=period)
    return await render(request, member, "targets/table.html", **_ctx(table=table, period=table["period"]))


@router.get("/staff/targets/drill", response_class=HTMLResponse)
async def drill_page(request: Request, member: StaffPage, unit: UnitQ, target: TargetQ,
                     period: PeriodQ = None) -> HTMLResponse:
    try:
        d = await drill_of(request, member, period, unit, target)
    except (ValidationError, LangXanhError) as e:
        return await _failed(request, member, "targets/drill.html", e, drill=None)
    return await render(request, member, "targets/drill.html", **_ctx(drill=d))


@router.get("/staff/targets/site", response_class=HTMLResponse)
async def site_page(request: Request, member: StaffPage, unit: UnitQ, target: TargetQ,
                    site_id: Annotated[str, Query(max_length=40)], period: PeriodQ = None) -> HTMLResponse:
    try:
        s = await site_of(request, member, period, unit, target, site_id)
    except (ValidationError, LangXanhError) as e:
        return await _failed(request, member, "targets/site.html", e, site=None)
    return await render(request, member, "targets/site.html", **_ctx(site=s))


@router.get("/staff/targets/reports", response_class=HTMLResponse)
async def reports_page(request: Request, member: StaffPage, period: PeriodQ = None,
                       offset: Annotated[str, Query(max_length=12)] = "0") -> HTMLResponse:
    return await _reports(request, member, period, offset)


async def _reports(request: Request, member: Member, period: str | None, offset: Any, status: int = 200,
                   errors: dict | None = None, form: dict | None = None) -> HTMLResponse:
    try:
        answer = await reports_list(request, member, period, offset, 50)
    except (ValidationError, LangXanhError) as e:
        return await _failed(request, member, "targets/reports.html", e, answer=None, form=form or {},
                             period_default=this_quarter())
    return await render(request, member, "targets/reports.html", status=status, errors=errors or {},
                        **_ctx(answer=answer, form=form or {}, period_default=this_quarter(),
                               pager=paging(answer["offset"], answer["limit"], answer["total"], request)))


@router.post("/staff/targets/reports", response_class=HTMLResponse)
async def issue_form(request: Request, posted: StaffPost) -> Response:
    m, f = posted.member, posted.fields
    try:
        issued = await issue(request, m, posted.command_id, f.get("period", ""), f.get("unit") or None)
    except (ValidationError, LangXanhError) as e:
        if isinstance(e, Forbidden):
            raise
        return await _reports(request, m, None, 0, status=400, errors=field_errors(e, m.lang), form=f)
    return redirect(f"/staff/targets/reports/{issued['id']}")


@router.get("/staff/targets/reports/{report_id:uuid}.{fmt}")
async def report_download(request: Request, report_id: UUID, fmt: Format, member: StaffPage) -> Response:
    return download(await report_of(request, member, report_id), fmt)


@router.get("/staff/targets/reports/{report_id:uuid}", response_class=HTMLResponse)
async def report_page(request: Request, report_id: UUID, member: StaffPage,
                      against: Annotated[str | None, Query(max_length=40)] = None) -> HTMLResponse:
    report = await report_of(request, member, report_id)
    others = await reports_list(request, member, report["period"], 0, 200)
    earlier = [r for r in others["items"] if r["id"] != report["id"]]
    diff, errors = None, {}
    if against:
        try:
            diff = await compare(request, member, report_id, parse_uuid(against, "against"))
        except LangXanhError as e:
            if isinstance(e, Forbidden):
                raise
            errors = {"against": next(iter(field_errors(e, member.lang).values()))}
    today = await call(request, member, "indicators", "diff_report", report_id=str(report_id))
    return await render(request, member, "targets/report.html", errors=errors,
                        **_ctx(report=report, earlier=earlier, diff=diff, against=against, today=today))


# -- JSON ---------------------------------------------------------------------------------------------------
def _json_errors(e: Exception) -> Exception:
    return invalid_from_validation(e) if isinstance(e, ValidationError) else e


@api.get("/targets", responses=ERRS, summary="The four targets per unit in the member's scope, against the roadmap")
async def api_targets(request: Request, member: StaffApi, period: PeriodQ = None) -> dict:
    try:
        return await targets_of(request, member, period)
    except ValidationError as e:
        raise _json_errors(e) from None


@api.get("/targets/drill", responses=ERRS, summary="The sites behind one figure (counted: in the numerator)")
async def api_drill(request: Request, member: StaffApi, unit: UnitQ, target: TargetQ, period: PeriodQ = None) -> dict:
    try:
        return await drill_of(request, member, period, unit, target)
    except ValidationError as e:
        raise _json_errors(e) from None


@api.get("/targets/site", responses=ERRS, summary="The events behind one site of a figure")
async def api_site(request: Request, member: StaffApi, unit: UnitQ, target: TargetQ,
                   site_id: Annotated[str, Query(max_length=40)], period: PeriodQ = None) -> dict:
    try:
        return await site_of(request, member, period, unit, target, site_id)
    except ValidationError as e:
        raise _json_errors(e) from None


@api.get("/targets/reports", responses=ERRS, summary="The reports issued (newest first)")
async def api_reports(request: Request, member: StaffApi, period: PeriodQ = None,
                      offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict:
    try:
        return await reports_list(request, member, period, offset, limit)
    except ValidationError as e:
        raise _json_errors(e) from None


class NewReport(BaseModel):
    command_id: str = Field(min_length=8, max_length=200, description="Chosen by the caller: the same id acts once")
    period: str = Field(max_length=10)
    unit: str | None = Field(None, max_length=80)


@api.post("/targets/reports", responses=ERRS, status_code=201, summary="Issue the quarterly report (an immutable snapshot)")
async def api_issue(request: Request, body: NewReport, member: StaffApi) -> dict:
    try:
        return await issue(request, member, body.command_id, body.period, body.unit)
    except ValidationError as e:
        raise _json_errors(e) from None


@api.get("/targets/reports/{report_id}", responses=ERRS, summary="A report as issued")
async def api_report(request: Request, report_id: UUID, member: StaffApi) -> dict:
    return await report_of(request, member, report_id)


@api.get("/targets/reports/{report_id}/download", summary="A report as Markdown, HTML, CSV or XLSX",
         responses={**ERRS, 200: {"content": {"text/markdown": {}, "text/html": {}, "text/csv": {}, DOWNLOADS["xlsx"][1]: {}},
                          "description": "The report, rendered as issued"}})
async def api_download(request: Request, report_id: UUID, member: StaffApi,
                       fmt: Annotated[Format, Query(alias="format")] = "md") -> Response:
    return download(await report_of(request, member, report_id), fmt)


@api.get("/targets/reports/{report_id}/compare", responses=ERRS, summary="What changed since an earlier issue")
async def api_compare(request: Request, report_id: UUID, member: StaffApi, against: UUID) -> dict:
    return await compare(request, member, report_id, against)


@api.get("/targets/reports/{report_id}/today", responses=ERRS, summary="The issued report against today's figures")
async def api_today(request: Request, report_id: UUID, member: StaffApi) -> dict:
    await report_of(request, member, report_id)
    return await call(request, member, "indicators", "diff_report", report_id=str(report_id))
