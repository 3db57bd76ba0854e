"""The staff workspace's Báo cáo BVMT page (issue 16): the annual environmental protection reports
establishments owe for a year (default: the year just ended) — who, which form (05.A, 05.B, 06),
the due date, filed or not, on time or late, OVERDUE flagged — as the inspections service answers
`owed_reports`, with its due rule and the monitoring rule it says is blocked. A report handed in
on paper is filed from the establishment's row: the document uploaded (read at most
REPORT_MAX_BYTES + 1 bytes: a larger one is refused unread), stored with `store_report_document`,
then `file_annual_report` with the form's command id (a double submit files once).

Scope as the other staff lists: a commune officer sees and files only establishments whose site
is in their communes (a filing outside them: 403, nothing changed)."""
from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.gateway.staff import inspections_data as data
from services.gateway.staff.i18n import has, t
from services.gateway.staff.kit import StaffPost, StaffPage, call, redirect, render
from shared.contracts import reports as cr
from shared.kit.calendar import local_date
from shared.kit.errors import Forbidden, InvalidInput, LangXanhError

router = APIRouter(include_in_schema=False)
api = APIRouter()  # no JSON twin yet: the RPCs are the service's own
REPORT_MAX_BYTES = 10_000_000  # the inspections service's cap (services/inspections/documents.py MAX_BYTES)
NO_DOCUMENT = "0" * 64  # a well-formed placeholder: the form's own fields checked before the upload is stored


def year_just_ended() -> int:
    return int(data.today()[:4]) - 1


async def _sites(request: Request, m: Any, site_ids: set[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for sid in sorted(site_ids):
        out[sid] = await call(request, m, "sites", "get_site", site_id=sid)
    return out


def _place(site: dict) -> tuple[str | None, str | None]:
    j = site.get("jurisdiction") or {}
    return j.get("commune") or site.get("commune"), j.get("old_district") or site.get("old_district")


def _local_day(at: str | None) -> str | None:
    """A filing's moment as its Hanoi day (dd/mm/yyyy)."""
    return local_date(datetime.fromisoformat(at)).strftime("%d/%m/%Y") if at else None


async def _owed(request: Request, m: Any, year: int, overdue_only: bool) -> dict:
    """owed_reports, kept to the member's communes, each row with its site's name and commune."""
    owed = await call(request, m, "inspections", "owed_reports", year=year, overdue_only=overdue_only)
    sites = await _sites(request, m, {r["site_id"] for r in owed["rows"] + owed["permit_unknown"]})
    for key in ("rows", "permit_unknown"):
        kept = []
        for r in owed[key]:
            site = sites[r["site_id"]]
            commune, district = _place(site)
            if m.covers(commune, district):
                kept.append(dict(r, site_name=site.get("name"), commune=commune, filed_on=_local_day(r.get("filed_at"))))
        owed[key] = sorted(kept, key=lambda r: (not r.get("overdue"), r.get("name") or ""))
    owed["overdue"] = sum(1 for r in owed["rows"] if r["overdue"])
    return owed


async def _page(request: Request, m: Any, year: int, overdue_only: bool, status: int = 200, **ctx: Any) -> HTMLResponse:
    owed = await _owed(request, m, year, overdue_only)
    return await render(request, m, "reports/index.html", status=status, owed=owed, year=year,
                        overdue_only=overdue_only, today=data.today(),
                        max_mb=REPORT_MAX_BYTES // 1_000_000, **ctx)


@router.get("/staff/reports", response_class=HTMLResponse)
async def index(request: Request, member: StaffPage, year: int | None = Query(None, ge=2022, le=2100),
                overdue: bool = False) -> HTMLResponse:
    return await _page(request, member, year or year_just_ended(), overdue)


def _errors(e: BaseException, m: Any) -> dict[str, str]:
    """Field -> text; a refusal of the report (the document, the year) in the reports' own words
    (rep-err-<rule>) when there is one; the establishment's is the form's own error."""
    if isinstance(e, LangXanhError) and e.field in ("document", "year") and has(m.lang, f"rep-err-{e.rule}"):
        return {e.field: e.message if m.lang == "en" else t(m.lang, f"rep-err-{e.rule}")}
    errs = data.errors_of(e, m)
    if "establishment_id" in errs:
        errs["_form"] = errs.pop("establishment_id")
    return errs


async def _read_capped(upload: Any) -> bytes:
    body = await upload.read(REPORT_MAX_BYTES + 1)
    if len(body) > REPORT_MAX_BYTES:
        raise InvalidInput(f"a report document may be at most {REPORT_MAX_BYTES / 1_000_000:g} MB", "document",
                           "max_size")
    return body


@router.post("/staff/reports/file", response_class=HTMLResponse)
async def file_report(request: Request, posted: StaffPost) -> Response:
    """A report handed in on paper (any staff role, as the service allows): scope first, the form's fields, then the document
    stored and the report filed. Any refusal: the page again, the error on the row's form."""
    m, f = posted.member, posted.fields
    year = f.get("year") or ""
    back_year = int(year) if year.isdigit() and 2022 <= int(year) <= 2100 else year_just_ended()
    est_id = f.get("establishment_id") or ""
    try:
        cmd = cr.FileAnnualReport(command_id=posted.command_id, establishment_id=est_id, year=year,
                                  document=NO_DOCUMENT, note=f.get("note") or None)
        est = await call(request, m, "sites", "get_establishment", establishment_id=str(cmd.establishment_id))
        await data.site_in_scope(request, m, est["site_id"])
        upload = posted.files.get("document")
        if upload is None:
            raise InvalidInput("attach the report's file (PDF, DOCX or XLSX)", "document", "required")
        stored = await call(request, m, "inspections", "store_report_document",
                            data_b64=base64.b64encode(await _read_capped(upload)).decode("ascii"))
        cmd = cmd.model_copy(update={"document": stored["sha256"]})
        await call(request, m, "inspections", "file_annual_report", **cmd.model_dump(mode="json"))
    except Forbidden:
        raise
    except (LangXanhError, ValidationError) as e:
        found = _errors(e, m)
        errors = {f"{est_id}:{k}": v for k, v in found.items()}
        if "_form" in found:  # also on top of the page, where it is always seen
            errors["_form"] = found["_form"]
        return await _page(request, m, back_year, f.get("overdue") == "true", status=400, errors=errors, open_row=est_id, form=f)
    return redirect(f"/staff/reports?year={cmd.year}&filed={cmd.establishment_id}#row-{cmd.establishment_id}")
