"""Routes: Open311 GeoReport v2 under /open311/v2/.

Errors here are the spec's, not the gateway's: a list [{"code", "description"}] with the spec's
HTTP statuses — 403 for a missing, unknown or insufficient api_key (where the other routes
answer 401/403), 404 for an unknown request, service_code or jurisdiction_id, 405 for a wrong
method, 429 for a reporter over the day's quota, 400 for anything else, a service down included
(code 503 in the body). The mappings and models: shared/contracts/open311.py; README "Open311
GeoReport v2". A POST is idempotent: its Idempotency-Key (or, without one, a key derived from the
agency's key, the reporter, the day and the form) becomes the inspections command's id."""
from __future__ import annotations

import hashlib
import re
import urllib.parse
from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.routing import Match

from services.gateway.actors import public_actor, reporter_actor
from services.gateway.context import G
from services.gateway.open311_keys import open311_secret
from shared.contracts import open311 as o311
from shared.kit.calendar import local_date
from shared.kit.errors import Conflict, Forbidden, InvalidInput, LangXanhError, NotFound
from shared.kit.pool import Unavailable

MEDIA = "application/json; charset=utf-8"
PAGE = 500  # incidents per list_incidents call
CODES = "|".join(sorted(o311.SERVICE_CODES))
FORM_MAX = 65_536


def answer(body: Any, status: int = 200, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


def failure(e: Exception) -> JSONResponse:
    if isinstance(e, Forbidden):
        text = e.message
        if e.field == "X-API-Key":
            text = (f"{e.message}; send an API key with scope open311:write as the api_key form field or "
                    f"the X-API-Key header")
        return answer(o311.errors(403, text), 403)
    if isinstance(e, NotFound):
        return answer(o311.errors(404, e.message), 404)
    if isinstance(e, Conflict):
        return answer(o311.errors(409, e.message), 400)
    if isinstance(e, InvalidInput) and e.rule == "rate_limit":
        return answer(o311.errors(429, e.message), 429)
    if isinstance(e, LangXanhError):
        return answer(o311.errors(400, e.message), 400)
    if isinstance(e, RequestValidationError):
        return answer([{"code": 400, "description": f"{'.'.join(str(x) for x in p['loc'])}: {p['msg']}"}
                       for p in e.errors()[:10]] or o311.errors(400, "invalid request"), 400)
    return answer(o311.errors(503, "a service behind the gateway did not answer; try again"), 400)


class Open311Route(APIRoute):
    """Every failure of an Open311 route, parameters' validation included, in the spec's format."""

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Any:
            try:
                return await handler(request)
            except (LangXanhError, Unavailable, RequestValidationError) as e:
                return failure(e)

        return guarded


def said(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {400: "Bad input, or a service down (code 503)", 403: "api_key missing, unknown or without "
            "scope open311:write", 404: "Not found (request, service_code or jurisdiction_id)",
            429: "This reporter's reports for today are used up"}
    return {c: {"model": list[o311.Error], "description": text[c]} for c in (400, *codes)}


router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)
Jurisdiction = Annotated[str | None, Query(max_length=80, description=f"Optional: {o311.JURISDICTION_ID}")]


@router.get("/services.json", response_model=list[o311.Service], responses=said(404),
            summary="Open311: the incident categories as services")
async def services(jurisdiction_id: Jurisdiction = None) -> Any:
    o311.check_jurisdiction(jurisdiction_id)
    return answer([s.model_dump(mode="json") for s in o311.services()])


@router.get("/services/{service_code}.json", response_model=o311.ServiceDefinition, responses=said(404),
            summary="Open311: a service's definition (no category has extra attributes)")
async def service_definition(service_code: Annotated[str, Path(max_length=80)],
                             jurisdiction_id: Jurisdiction = None) -> Any:
    o311.check_jurisdiction(jurisdiction_id)
    return answer(o311.service_definition(service_code).model_dump(mode="json"))


async def read_form(request: Request) -> tuple[bool, dict[str, str]]:
    form_encoded = request.headers.get("content-type", "").split(";")[0].strip().lower() == \
        "application/x-www-form-urlencoded"
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX:
            raise InvalidInput("the form is larger than 64 KiB", None, "size")
    fields: dict[str, str] = {}
    if form_encoded:
        try:
            pairs = urllib.parse.parse_qsl(body.decode("utf-8"), max_num_fields=200)
        except (UnicodeDecodeError, ValueError):
            raise InvalidInput("the form must be UTF-8 and have at most 200 fields", None, "form") from None
        for name, value in pairs:
            fields.setdefault(name, value)
    return form_encoded, fields


def command_id(key_id: str, given: str | None, reporter: str, fields: dict[str, str], day: str) -> str:
    """The inspections command's id: the client's Idempotency-Key, else one derived from the
    reporter, the day and the form (the same form posted twice the same day is one report).
    Scoped to the API key, so no agency can take another's ids."""
    if given is not None:
        if not re.fullmatch(r"[!-~]{1,200}", given):
            raise InvalidInput("Idempotency-Key must be 1-200 visible ASCII characters", "Idempotency-Key", "format")
        seed = f"key\x1f{given}"
    else:
        form = "\x1e".join(f"{k}\x1f{v}" for k, v in sorted(fields.items()) if k != "api_key")
        seed = f"form\x1f{reporter}\x1f{day}\x1f{form}"
    return f"o311-{key_id}-" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:40]


@router.post("/requests.json", response_model=list[o311.RequestCreated], responses=said(403, 404, 429),
             summary="Open311: report an incident (key with open311:write)",
             description="Form-encoded per GeoReport v2. The reporter is a pseudonym: an HMAC of the agency "
                         "and the email, device_id or account_id; names, phone and media_url are dropped. "
                         "Idempotent: a retry with the same Idempotency-Key (or the same form the same day) "
                         "answers the same service_request_id. Reports per reporter per day are limited.",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/x-www-form-urlencoded": {"schema": o311.form_schema()}}}})
async def post_request(request: Request, gate: G,
                       x_api_key: Annotated[str | None, Header(description="Or the api_key form field")] = None,
                       idempotency_key: Annotated[str | None, Header(
                           min_length=1, max_length=200, pattern=r"^[!-~]+$",
                           description="A retry with the same key creates nothing more")] = None
                       ) -> Any:
    checked = request.scope.get("state", {}).get("caller")  # a header key, checked before the body was read
    form_encoded, fields = await read_form(request)
    who = checked or gate.gateway.authenticate(x_api_key or fields.get("api_key"))
    who.require("open311:write")
    if not form_encoded:
        raise InvalidInput("send the request as application/x-www-form-urlencoded", None, "content_type")
    form = o311.new_request(fields)
    args = o311.report_arguments(form)
    pseudonym = o311.reporter_pseudonym(open311_secret(gate.settings), who.agency or "", form)
    anonymous = pseudonym.startswith("o311-anon-")
    day = local_date(datetime.now(timezone.utc)).isoformat()
    command = command_id(who.key_id or "", idempotency_key, "anonymous" if anonymous else pseudonym, fields, day)
    bucket, limit = ((f"anonymous:{who.key_id}", gate.settings.gateway.open311_anonymous_reports_per_day) if anonymous
                     else (pseudonym, gate.settings.gateway.open311_reports_per_day))
    await gate.quota(command, bucket, day, limit)
    created = await gate.services.call(reporter_actor(pseudonym), "inspections", "report_incident",
                                       command_id=command, **args)
    return answer([o311.request_created(created).model_dump(mode="json")])


@router.get("/requests.json", response_model=list[o311.ServiceRequest], responses=said(404),
            summary="Open311: incidents (public: no personal data, locations coarsened to about 1 km)")
async def list_requests(
        gate: G, jurisdiction_id: Jurisdiction = None,
        service_request_id: Annotated[str | None, Query(max_length=4000, description=(
            "Comma-delimited ids; overrides every other parameter"))] = None,
        service_code: Annotated[str | None, Query(max_length=400, description="Comma-delimited", json_schema_extra={
            "pattern": f"^({CODES})(,({CODES}))*$"})] = None,
        start_date: Annotated[str | None, Query(max_length=40, description=(
            "W3C date-time (or date); default: 90 days before end_date"), json_schema_extra={"format": "date-time"})
                              ] = None,
        end_date: Annotated[str | None, Query(max_length=40, description=(
            "W3C date-time (or date); default: now, or 90 days after start_date; a span over 90 days is cut to "
            "its last 90"), json_schema_extra={"format": "date-time"})] = None,
        status: Annotated[str | None, Query(max_length=40, description="open, closed or both, comma-delimited",
                                            json_schema_extra={"pattern": "^(open|closed)(,(open|closed))*$"})
                          ] = None) -> Any:
    o311.check_jurisdiction(jurisdiction_id)
    actor = public_actor()  # the public role: redacted documents, then mapped through a whitelist
    docs: list[dict] = []
    if service_request_id and service_request_id.strip():
        for i in o311.request_ids(service_request_id):
            try:
                docs.append(await gate.services.call(actor, "inspections", "get_incident", incident_id=i))
            except NotFound:
                pass
    else:
        codes = o311.comma_list(service_code, "service_code", o311.SERVICE_CODES)
        statuses = o311.comma_list(status, "status", o311.STATUSES)
        start, end = o311.date_window(start_date, end_date, datetime.now(timezone.utc))
        seen: set[str] = set()
        offset, done = 0, False
        while not done and len(docs) < o311.MAX_REQUESTS:
            page = await gate.services.call(actor, "inspections", "list_incidents", offset=offset, limit=PAGE)
            done = len(page) < PAGE
            for doc in page:  # newest first: past the window's start, nothing older can match
                if o311.w3c(doc["reported_at"]) < start:  # type: ignore[operator]
                    done = True
                    break
                if doc["id"] not in seen and o311.matches(doc, codes, statuses, start, end):
                    seen.add(doc["id"])
                    docs.append(doc)
            offset += PAGE
    return answer([o311.service_request(d).model_dump(mode="json") for d in docs[:o311.MAX_REQUESTS]])


@router.get("/requests/{service_request_id}.json", response_model=list[o311.ServiceRequest], responses=said(404),
            summary="Open311: one incident (a list of one)")
async def one_request(gate: G, service_request_id: Annotated[str, Path(max_length=80)],
                      jurisdiction_id: Jurisdiction = None) -> Any:
    o311.check_jurisdiction(jurisdiction_id)
    ids = o311.request_ids(service_request_id)
    if len(ids) != 1:
        raise NotFound(f"no service request {service_request_id[:80]!r}: ids are UUIDs "
                       f"(the ticket PA-… is not an id)", "service_request_id", "exists")
    doc = await gate.services.call(public_actor(), "inspections", "get_incident", incident_id=ids[0])
    return answer([o311.service_request(doc).model_dump(mode="json")])


elsewhere = APIRouter(route_class=Open311Route)


@elsewhere.api_route("/open311/{rest:path}", include_in_schema=False, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def open311_elsewhere(request: Request, rest: str) -> Any:
    allowed = sorted({m for r in router.routes if isinstance(r, Open311Route)
                      and r.matches(request.scope)[0] == Match.PARTIAL for m in (r.methods or ())})
    if allowed:
        return answer(o311.errors(405, f"{request.method} is not allowed here: {', '.join(allowed)}"), 405,
                      headers={"Allow": ", ".join(allowed)})
    return answer(o311.errors(404, "no such Open311 resource: GeoReport v2 is served as JSON under "
                                   "/open311/v2/ (services.json, requests.json, requests/{id}.json)"), 404)
