"""The registry as spreadsheets in the staff workspace (issue 16): /staff/registry/transfer.

- the import templates (sites, establishments; XLSX or CSV), as `langxanh import template` writes them;
- the exports (sites, establishments, indicators of a period; XLSX or CSV), as `langxanh export`
  writes them: a commune officer's export holds only their communes (and their units' figures);
- a file checked as `langxanh import FILE` checks it (the dry run): every problem (row, column,
  value, rule) and what applying it would create or change. The upload is read at most
  Limits.max_bytes + 1 bytes (a larger one is refused unread) and judged by shared/transfer
  (defusedxml, zip-bomb caps, formulas refused). Nothing is ever applied here: registering a site
  is an operator's command the gateway's broker account may not send (shared/brokeracl.py), so the
  page names the command that applies the checked file. JSON twin: POST /v1/staff/transfer/check.

The shared core is synchronous (it calls `.call(service, rpc, **kw)`); it runs in a worker thread
with a client that hands each RPC back to the event loop, as the signed-in member.
"""
from __future__ import annotations

import asyncio
import shlex
from datetime import datetime, timezone
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from services.gateway.context import errors
from services.gateway.staff.i18n import has, t
from services.gateway.staff.kit import Member, StaffApi, StaffPage, StaffPost, call, headers, render
from services.gateway.staff.registry_kit import scope
from services.gateway.staff.targets import unit_covered
from shared.contracts.indicators import Figures
from shared.kit.calendar import local_date
from shared.kit.errors import InvalidInput
from shared.transfer.plan import Plan
from shared.transfer.reading import Limits
from shared.transfer.registry import safe_name

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/v1/staff", tags=["staff"], responses=errors(400, 401, 403))
SHEETS = ("sites", "establishments")
FORMATS = ("xlsx", "csv")
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
RPC_TIMEOUT = 60.0
SHOWN_PROBLEMS = 200


class MemberClient:
    """`.call(service, rpc, **kw)` for the synchronous core, run in a worker thread: each RPC goes
    back to the event loop as the member."""

    def __init__(self, request: Request, member: Member, loop: asyncio.AbstractEventLoop) -> None:
        self.request, self.member, self.loop = request, member, loop

    def call(self, service: str, rpc: str, **kwargs: Any) -> Any:
        done = asyncio.run_coroutine_threadsafe(call(self.request, self.member, service, rpc, **kwargs), self.loop)
        return done.result(timeout=RPC_TIMEOUT)


async def in_thread(request: Request, member: Member, job: Any, *args: Any) -> Any:
    client = MemberClient(request, member, asyncio.get_running_loop())
    return await anyio.to_thread.run_sync(job, client, *args)


def today() -> str:
    return local_date(datetime.now(timezone.utc)).isoformat()


def download(data: bytes, name: str, fmt: str, request: Request) -> Response:
    return Response(data, media_type=MEDIA[fmt], headers={
        **headers(request), "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@router.get("/staff/registry/transfer", response_class=HTMLResponse)
async def index(request: Request, member: StaffPage) -> HTMLResponse:
    return await _page(request, member)


async def _page(request: Request, member: Member, status: int = 200, **ctx: Any) -> HTMLResponse:
    return await render(request, member, "registry/transfer.html", status=status, sheets=SHEETS, formats=FORMATS,
                        year=today()[:4], max_mb=Limits().max_bytes / 1_000_000, **ctx)


@router.get("/staff/registry/transfer/template/{sheet}.{fmt}")
async def template_file(request: Request, member: StaffPage, sheet: Literal["sites", "establishments"],
                        fmt: Literal["xlsx", "csv"]) -> Response:
    from shared.transfer.export import template

    return download(template(sheet, fmt), f"{sheet}-template", fmt, request)


@router.get("/staff/registry/transfer/export/{what}.{fmt}")
async def export_file(request: Request, member: StaffPage,
                      what: Literal["sites", "establishments", "indicators"] = Path(...),
                      fmt: Literal["xlsx", "csv"] = Path(...),
                      period: str | None = Query(None, max_length=20)) -> Response:
    return await _export(request, member, what, fmt, period)


@api.get("/transfer/export/{what}.{fmt}", summary="The registry or the figures as XLSX or CSV (the import's columns)")
async def export_file_api(request: Request, member: StaffApi,
                          what: Literal["sites", "establishments", "indicators"] = Path(...),
                          fmt: Literal["xlsx", "csv"] = Path(...),
                          period: str | None = Query(None, max_length=20)) -> Response:
    return await _export(request, member, what, fmt, period)


async def _export(request: Request, member: Member, what: str, fmt: str, period: str | None) -> Response:
    from shared.transfer.registry import export_file as build

    if what == "indicators":
        try:
            period = Figures(period=period or today()[:4]).period
        except ValidationError:
            raise InvalidInput("the period is a year (2026) or a quarter (2026Q2)", "period", "period") from None
    data = await in_thread(request, member, build, what, fmt, period, scope(member),
                           lambda unit: unit_covered(member, unit))
    name = f"{what}-{period}" if what == "indicators" else f"{what}-{today()}"
    return download(data, name, fmt, request)


async def _read_capped(upload: UploadFile | None) -> tuple[bytes, str]:
    """The upload, at most one byte over the import's cap (the core refuses a larger one unread)."""
    if upload is None:
        raise InvalidInput("choose the file to check (.xlsx or .csv)", "file", "required")
    return await upload.read(Limits().max_bytes + 1), upload.filename or "file"


async def _check(request: Request, member: Member, sheet: str, upload: UploadFile | None) -> Plan:
    from shared.transfer.registry import ClientRegistry, check_file

    if sheet not in SHEETS:
        raise InvalidInput("the sheet is sites or establishments", "sheet", "sheet")
    data, name = await _read_capped(upload)
    return await in_thread(request, member, lambda client: check_file(sheet, data, name, ClientRegistry(client)))


def problem_text(lang: str, problem: Any) -> str:
    """A problem in the member's language: the rule's own words when the workspace has them."""
    key = f"xfer-rule-{problem.rule.replace('_', '-')}"
    return problem.message if lang == "en" or not has(lang, key) else t(lang, key)


@router.post("/staff/registry/transfer/check", response_class=HTMLResponse)
async def check(request: Request, posted: StaffPost) -> HTMLResponse:
    m, sheet = posted.member, posted.fields.get("sheet") or ""
    try:
        plan = await _check(request, m, sheet, posted.files.get("file"))
    except InvalidInput as e:
        return await _page(request, m, status=400, errors={e.field or "_form": e.message if m.lang == "en" else
                                                           t(m.lang, f"xfer-err-{e.field}")}, sheet=sheet)
    upload = posted.files["file"]
    return await _page(request, m, status=200 if plan.valid else 400, plan=plan, summary=plan.summary(),
                       problems=[(p, problem_text(m.lang, p)) for p in plan.problems[:SHOWN_PROBLEMS]],
                       changes=[a for a in plan.actions if a.verb == "amend"][:SHOWN_PROBLEMS], sheet=sheet,
                       file_name=safe_name(upload.filename or ""), sheet_checked=sheet,
                       apply_command=f"langxanh import {sheet} {shlex.quote(safe_name(upload.filename or ''))} --apply")


@api.post("/transfer/check", summary="The dry run of an import file (nothing is applied)")
async def check_api(request: Request, member: StaffApi) -> JSONResponse:
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    plan = await _check(request, member, str(form.get("sheet") or ""), upload if isinstance(upload, UploadFile) else None)
    return JSONResponse({"sheet": plan.sheet, "valid": plan.valid, "summary": plan.summary(),
                         "problems": [p.to_dict() for p in plan.problems],
                         "actions": [a.to_dict() for a in plan.actions]}, status_code=200 if plan.valid else 400)
