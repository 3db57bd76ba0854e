"""Open311 GeoReport v2 (JSON) over the inspections service's incidents: the answers' models and
the pure mappings between them and the service's documents.

The gateway serves it under /open311/v2/ (services/gateway/service.py). The shapes follow the
GeoReport v2 specification (open311.github.io, GeoReport/v2/index.md) and the JSON Schemas the
Open311 project published (github.com/open311/schema-validation, schema/georeport-v2/*.json);
tests/gateway/open311_schemas/ holds JSON Schemas derived from those, against which every
answer is validated in the tests.

- A service is an incident category: service_code = the category (wastewater, dust, …).
- A service request is an incident: service_request_id = the incident's UUID (its ticket
  PA-XXXXXXXX, the UUID's first 8 hex digits, is given in service_notice).
- status: open (reported, triaged, assigned, verified, reopened) or closed (resolved, closed,
  rejected, merged); status_notes says which, in Vietnamese and English.
- What is published is a whitelist (`service_request`): never the description, the address,
  the reporter or the photos; lat/long coarsened to 2 decimals (about 1 km), as in the
  inspections service's public events.
- Reporters are pseudonymous (`reporter_pseudonym`): an HMAC of the agency and the e-mail,
  device_id or account_id under the gateway's secret; names, phone numbers and media URLs are
  dropped, never stored.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from shared.contracts.clean_text import CONTROL_CLASS, TEXT_PATTERN, MultiLine, SingleLine
from shared.contracts.inspections import Category
from shared.kit.calendar import LOCAL_TZ
from shared.kit.errors import InvalidInput, NotFound
from shared.vocabulary import OPEN_INCIDENT_STATES, IncidentState as IncidentStates, values

JURISDICTION_ID = "vn-hn"          # ISO 3166-2 code of Hanoi; the only jurisdiction served
MAX_REQUESTS = 1000                # GET requests answers at most this many (the spec's volume)
WINDOW = timedelta(days=90)        # default and largest start_date..end_date span (the spec's)
MAX_IDS = 100                      # service_request_id values in one GET requests
DESCRIPTION_MAX = 4000             # the spec's limit on a request's description

Status = Literal["open", "closed"]
OPEN_STATES: frozenset[str] = OPEN_INCIDENT_STATES  # the rest are closed (resolved, closed, rejected, merged)
CLOSED_STATES: frozenset[str] = frozenset(values(IncidentStates)) - OPEN_STATES
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=TEXT_PATTERN), SingleLine]
Where = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=TEXT_PATTERN),
                  SingleLine]


# -- answers -----------------------------------------------------------------------------------------
class Service(BaseModel):
    """One entry of GET services: an incident category."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    service_code: str = Field(description="The incident category")
    service_name: str = Field(description="Its Vietnamese name")
    description: str | None = Field(None, description="Vietnamese and English")
    metadata: bool = Field(False, description="No extra attributes: no service definition is needed")
    type: Literal["realtime", "batch", "blackbox"] = "realtime"
    keywords: str | None = Field(None, description="Comma-separated tags (the spec's format)")
    group: str | None = None


class ServiceAttribute(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None = None
    order: int | None = None
    description: str | None = None


class ServiceDefinition(BaseModel):
    """GET services/{service_code}: no category has extra attributes (metadata false)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    service_code: str
    attributes: list[ServiceAttribute] = Field(default_factory=list)


class ServiceRequest(BaseModel):
    """One entry of GET requests / GET request: an incident as the public may see it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    service_request_id: str = Field(description="The incident's UUID")
    status: Status
    status_notes: str | None = Field(None, description="The incident's state, in Vietnamese and English")
    service_name: str | None = None
    service_code: str
    description: None = Field(None, description="Never published (may name people)")
    agency_responsible: str | None = Field(None, description="The unit the incident is assigned to")
    service_notice: str | None = Field(None, description="The ticket and the resolution deadline")
    requested_datetime: datetime
    updated_datetime: datetime | None = Field(None, description="Known when never modified since the report, "
                                                                 "or the resolution time while resolved")
    expected_datetime: datetime | None = Field(None, description="The resolution deadline")
    address: None = Field(None, description="Never published")
    lat: float | None = Field(None, description="Coarsened to 2 decimals (about 1 km)")
    long: float | None = Field(None, description="Coarsened to 2 decimals (about 1 km)")
    media_url: None = Field(None, description="Photos are never published")


class RequestCreated(BaseModel):
    """The answer to POST requests (a list of one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    service_request_id: str = Field(description="The incident's UUID: GET requests/{id}.json")
    service_notice: str | None = None
    account_id: None = Field(None, description="No accounts: always null")


class Error(BaseModel):
    """One error of an Open311 error answer (a list)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: int = Field(description="The HTTP status, or a more specific code (503: a service is down)")
    description: str


# -- POST requests' form ---------------------------------------------------------------------------------
class NewServiceRequest(BaseModel):
    """The form of POST requests (application/x-www-form-urlencoded), as the spec names its fields.
    Unknown fields (attribute[…], …) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)
    api_key: Annotated[str, StringConstraints(max_length=200, pattern=TEXT_PATTERN), SingleLine] | None = Field(
        None, description="An API key with scope open311:write (or the X-API-Key header)")
    jurisdiction_id: Annotated[str, StringConstraints(max_length=80, pattern=TEXT_PATTERN), SingleLine] | None = Field(
        None, description=f"Optional; only {JURISDICTION_ID!r} (Hanoi)")
    service_code: Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=TEXT_PATTERN), SingleLine] = Field(
        description="An incident category from GET services")
    lat: float | None = Field(None, ge=-90, le=90, description="WGS84, with long; inside Hanoi")
    long: float | None = Field(None, ge=-180, le=180, description="WGS84, with lat; inside Hanoi")
    address_string: Where | None = Field(None, description="Where, in words, when there are no coordinates "
                                                           "(seen by the reporter and staff only)")
    address_id: Text | None = Field(None, description="Not supported: give lat/long or address_string")
    email: Text | None = Field(None, description="Only its HMAC (the reporter's pseudonym) is kept")
    device_id: Text | None = Field(None, description="Only its HMAC is kept (when there is no email)")
    account_id: Text | None = Field(None, description="Only its HMAC is kept (when there is no email nor device_id)")
    first_name: Text | None = Field(None, description="Dropped")
    last_name: Text | None = Field(None, description="Dropped")
    phone: Text | None = Field(None, description="Dropped")
    description: Annotated[str, StringConstraints(min_length=3, max_length=DESCRIPTION_MAX, pattern=TEXT_PATTERN),
                           MultiLine] = Field(
        description="What happens (3 to 4000 characters)")
    media_url: Annotated[str, StringConstraints(max_length=2000, pattern=TEXT_PATTERN), SingleLine] | None = Field(
        None, description="Dropped (photos are sent through the Telegram bot)")


# -- services ------------------------------------------------------------------------------------------------
_SERVICES: dict[str, tuple[str, str, str, str]] = {
    # code: (service_name (vi), English name, keywords, group)
    "wastewater": ("Nước thải", "Wastewater discharge", "nước thải, xả thải, cống, wastewater, effluent, sewage",
                   "water"),
    "smoke_odour": ("Khói, mùi", "Smoke, odour", "khói, mùi, hôi, smoke, odour, smell", "air"),
    "dust": ("Bụi", "Dust", "bụi, dust, particulate", "air"),
    "noise": ("Tiếng ồn", "Noise", "tiếng ồn, ồn, noise", "noise"),
    "open_burning": ("Đốt lộ thiên", "Open burning", "đốt rác, đốt lộ thiên, open burning, burning", "air"),
    "illegal_dumping": ("Đổ thải trái phép", "Illegal dumping", "đổ trộm, đổ thải, rác, illegal dumping, fly-tipping",
                        "waste"),
    "hazardous_waste": ("Chất thải nguy hại", "Hazardous waste", "chất thải nguy hại, hóa chất, hazardous waste, "
                                                                 "chemicals", "waste"),
    "other": ("Khác", "Other environmental issue", "khác, other", "other"),
}
_GROUPS = {"water": "Nước / water", "air": "Không khí / air", "noise": "Tiếng ồn / noise",
           "waste": "Chất thải / waste", "other": "Khác / other"}


def services() -> list[Service]:
    """GET services: every incident category, in the contract's order."""
    out = []
    for code in Category.__args__:  # type: ignore[attr-defined]
        vi, en, keywords, group = _SERVICES[code]
        out.append(Service(service_code=code, service_name=vi,
                           description=f"{vi} — {en}. Phản ánh ô nhiễm môi trường tại Hà Nội / "
                                       f"an environmental incident in Hanoi.",
                           metadata=False, type="realtime", keywords=keywords, group=_GROUPS[group]))
    return out


def category_for(service_code: str | None) -> str:
    """The incident category of a service_code; NotFound (404 per the spec) for an unknown one."""
    code = (service_code or "").strip()
    if code not in _SERVICES:
        raise NotFound(f"service_code {code[:80]!r} was not found: one of {', '.join(_SERVICES)}",
                       "service_code", "exists")
    return code


def service_code_for(category: str) -> str:
    """The service_code of an incident category (they are the same word)."""
    return category_for(category)


def service_definition(service_code: str) -> ServiceDefinition:
    return ServiceDefinition(service_code=category_for(service_code), attributes=[])


def check_jurisdiction(jurisdiction_id: str | None) -> None:
    """jurisdiction_id is optional (one jurisdiction); any other than Hanoi's is not found."""
    if jurisdiction_id and jurisdiction_id.strip().lower() != JURISDICTION_ID:
        raise NotFound(f"jurisdiction_id {jurisdiction_id[:80]!r} was not found: this endpoint serves "
                       f"{JURISDICTION_ID!r} (Hanoi) only", "jurisdiction_id", "exists")


# -- statuses ------------------------------------------------------------------------------------------------
_NOTES: dict[str, str] = {
    "reported": "Đã tiếp nhận, chờ phân loại / received, awaiting triage",
    "triaged": "Đã phân loại, chờ giao xử lý / triaged, awaiting assignment",
    "assigned": "Đã giao đơn vị xử lý / assigned to a unit",
    "verified": "Đã kiểm tra thực tế / verified on site",
    "reopened": "Mở lại theo đề nghị của người phản ánh / reopened by the reporter",
    "resolved": "Đã giải quyết / resolved",
    "closed": "Đã đóng / closed",
    "rejected": "Không thụ lý / rejected",
    "merged": "Trùng với phản ánh khác / duplicate of another request",
}


def status_of(state: str) -> Status:
    """open or closed for an incident state (closed = resolved, closed, rejected or merged)."""
    if state in OPEN_STATES:
        return "open"
    if state in CLOSED_STATES:
        return "closed"
    raise ValueError(f"unknown incident state {state!r}")


def status_notes(doc: dict) -> str:
    """The state in words, with what the public events also say (violation found, duplicate of, overdue)."""
    state = doc["state"]
    notes = _NOTES[state]
    if state in ("resolved", "closed") and doc.get("violation_found"):
        notes += "; phát hiện vi phạm / a violation was found"
    if state == "merged" and doc.get("merged_into"):
        notes += f" ({doc['merged_into']})"
    if doc.get("overdue") and state in OPEN_STATES:
        notes += "; quá hạn / overdue"
    return notes


# -- service requests ------------------------------------------------------------------------------------------
def ticket(incident_id: str | UUID) -> str:
    """The ticket residents quote (the inspections service's: PA- and the UUID's first 8 hex digits)."""
    return "PA-" + UUID(str(incident_id)).hex[:8].upper()


def w3c(value: str | datetime | None) -> datetime | None:
    """A time as Hanoi's local time to the second (W3C / RFC 3339 with its offset)."""
    if value is None:
        return None
    t = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(LOCAL_TZ).replace(microsecond=0)


def _coarse(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def service_request(doc: dict) -> ServiceRequest:
    """An incident document (any of get_incident's: full or redacted) as a public service request.
    A whitelist: only the fields below are read, whatever else the document carries."""
    location = doc.get("location") or {}
    assignment = doc.get("assignment") or {}
    requested = w3c(doc["reported_at"])
    if doc.get("version") == 1:
        updated = requested
    elif doc["state"] == "resolved" and doc.get("resolved_at"):
        updated = w3c(doc["resolved_at"])
    else:
        updated = None
    expected = w3c(doc.get("resolution_due"))
    return ServiceRequest(
        service_request_id=str(doc["id"]), status=status_of(doc["state"]), status_notes=status_notes(doc),
        service_name=_SERVICES[doc["category"]][0], service_code=service_code_for(doc["category"]),
        agency_responsible=assignment.get("unit") or None,
        service_notice=(f"Phiếu {ticket(doc['id'])}; hạn giải quyết {expected:%d/%m/%Y} / ticket {ticket(doc['id'])}, "
                        f"resolution due {expected:%Y-%m-%d}" if expected else f"Phiếu / ticket {ticket(doc['id'])}"),
        requested_datetime=requested, updated_datetime=updated, expected_datetime=expected,
        lat=_coarse(location.get("lat")), long=_coarse(location.get("lon")))


def request_created(answer: dict) -> RequestCreated:
    """report_incident's answer as POST requests' answer."""
    triage, resolution = w3c(answer.get("triage_due")), w3c(answer.get("resolution_due"))
    notice = f"Đã tiếp nhận phản ánh, mã phiếu {answer['ticket']}"
    if triage and resolution:
        notice += (f"; phân loại trước {triage:%d/%m/%Y}, giải quyết trước {resolution:%d/%m/%Y}. "
                   f"Received as ticket {answer['ticket']}: triage by {triage:%Y-%m-%d}, "
                   f"resolution by {resolution:%Y-%m-%d}.")
    return RequestCreated(service_request_id=str(answer["id"]), service_notice=notice, account_id=None)


# -- POST requests -----------------------------------------------------------------------------------------
def new_request(fields: dict[str, str]) -> NewServiceRequest:
    """The POST form, validated; InvalidInput naming the first field at fault (all in the message)."""
    try:
        return NewServiceRequest.model_validate(fields)
    except ValidationError as e:
        problems = e.errors()
        first = problems[0]
        field = ".".join(str(x) for x in first["loc"]) or None
        raise InvalidInput("; ".join(f"{'.'.join(str(x) for x in p['loc'])}: {p['msg']}" for p in problems[:10]),
                           field, str(first["type"])) from None


def report_arguments(form: NewServiceRequest) -> dict:
    """report_incident's arguments for a POSTed request: the category, the description and where —
    lat/long (both, inside Hanoi) or address_string. Names, phone, e-mail and media_url are not passed."""
    from shared.contracts.sites import Location

    check_jurisdiction(form.jurisdiction_id)
    category = category_for(form.service_code)
    location = None
    if (form.lat is None) != (form.long is None):
        raise InvalidInput("lat and long must be sent together", "lat" if form.lat is None else "long", "together")
    if form.lat is not None:
        try:
            location = Location(lat=form.lat, lon=form.long).model_dump()
        except ValidationError:
            raise InvalidInput(f"lat/long ({form.lat}, {form.long}) is outside Hanoi: lat 20.3 to 21.6, "
                               f"long 105.2 to 106.1 (WGS84)", "lat", "hanoi") from None
    address = form.address_string or None
    if location is None and address is None:
        rule = "unsupported" if form.address_id else "required_one_of"
        raise InvalidInput("a location is required: lat and long, or address_string"
                           + (" (address_id is not supported)" if form.address_id else ""), "lat", rule)
    return {"category": category, "description": form.description, "location": location, "address": address}


def reporter_pseudonym(secret: bytes, agency: str, form: NewServiceRequest) -> str:
    """The reporter's id in the inspections service: o311- and 24 hex digits of
    HMAC-SHA256(secret, agency ␟ kind ␟ value) for the first of email (lower-cased), device_id,
    account_id; a random one when none is given (then nobody can be recognised twice)."""
    for kind in ("email", "device_id", "account_id"):
        value = getattr(form, kind)
        if value:
            value = value.lower() if kind == "email" else value
            message = "\x1f".join((agency, kind, value)).encode()
            return "o311-" + hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]
    return "o311-anon-" + secrets.token_hex(12)


# -- GET requests' filters ---------------------------------------------------------------------------------
def parse_w3c(value: str, field: str, end_of_day: bool = False) -> datetime:
    """A W3C date-time (2010-01-01T00:00:00Z, with an offset) or date; without an offset, Hanoi's time."""
    text = value.strip().upper().replace(":60", ":59")  # RFC 3339 allows t, z and leap seconds
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            t = datetime.combine(d, time.max if end_of_day else time.min, LOCAL_TZ)
        else:
            t = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field} must be a W3C date-time such as 2025-01-31T00:00:00Z, got {text[:40]!r}",
                           field, "date-time") from None
    return t if t.tzinfo else t.replace(tzinfo=LOCAL_TZ)


def _shift(t: datetime, delta: timedelta) -> datetime:
    try:
        return t + delta
    except OverflowError:
        return (datetime.max if delta > timedelta(0) else datetime.min).replace(tzinfo=timezone.utc)


def date_window(start_date: str | None, end_date: str | None, now: datetime) -> tuple[datetime, datetime]:
    """start..end of requested_datetime: neither given, the last 90 days; one given, the 90 days from
    or to it; both, at most 90 days: a longer span is cut to its last 90 days (the spec's volume
    limit). An end before the start is an empty window."""
    start = parse_w3c(start_date, "start_date") if start_date else None
    end = parse_w3c(end_date, "end_date", end_of_day=True) if end_date else None
    if start is None and end is None:
        end = now
    if start is None:
        start = _shift(end, -WINDOW)  # type: ignore[arg-type]
    if end is None:
        end = _shift(start, WINDOW)
    return max(start, _shift(end, -WINDOW)), end


def comma_list(value: str | None, field: str, allowed: set[str] | None = None) -> set[str]:
    """A comma-delimited parameter's values (empty = no filter)."""
    values = {v.strip() for v in (value or "").split(",") if v.strip()}
    if allowed is not None:
        unknown = sorted(values - allowed)
        if unknown:
            raise InvalidInput(f"{field}: {', '.join(unknown)[:200]} is not one of {', '.join(sorted(allowed))}",
                               field, "enum")
    return values


def request_ids(value: str | None) -> list[str]:
    """service_request_id's values that can name a request (UUIDs, in the order given, once each, the
    first MAX_IDS); others name none."""
    out: list[str] = []
    for v in (value or "").split(","):
        try:
            u = str(UUID(v.strip()))
        except ValueError:
            continue
        if u not in out:
            out.append(u)
    return out[:MAX_IDS]


def matches(doc: dict, codes: set[str], statuses: set[str], start: datetime, end: datetime) -> bool:
    """Whether an incident document passes GET requests' filters."""
    if codes and doc["category"] not in codes:
        return False
    if statuses and status_of(doc["state"]) not in statuses:
        return False
    t = w3c(doc["reported_at"])
    return t is not None and start <= t <= end


def errors(status: int, description: str) -> list[dict]:
    """An Open311 error answer's body."""
    return [Error(code=status, description=description).model_dump()]


STATUSES: set[str] = {"open", "closed"}
SERVICE_CODES: set[str] = set(_SERVICES)


def form_schema() -> dict:
    """POST requests' form as an OpenAPI schema: optional fields without their null (a form has none),
    what report_arguments checks besides (Hanoi's bounds, lat with long, a location or an address)."""
    from shared.contracts.sites import Location

    schema = NewServiceRequest.model_json_schema()
    props = schema["properties"]
    for prop in props.values():
        options = prop.pop("anyOf", None)
        if options:
            prop.update(next(o for o in options if o.get("type") != "null"))
        if prop.get("default", 0) is None:
            del prop["default"]
    bounds = Location.model_json_schema()["properties"]
    for name, source in (("lat", "lat"), ("long", "lon")):
        props[name].update(minimum=bounds[source]["minimum"], maximum=bounds[source]["maximum"])
    text, visible = f"[^{CONTROL_CLASS}]*", f"[^\\s{CONTROL_CLASS}]"  # no control character (clean_text.py)
    props["description"]["pattern"] = f"^{text}{visible}{text}{visible}{text}{visible}{text}$"  # 3 once trimmed
    props["address_string"]["pattern"] = f"^{text}{visible}{text}$"
    props["service_code"]["enum"] = list(_SERVICES)
    schema["dependentRequired"] = {"lat": ["long"], "long": ["lat"]}
    schema["anyOf"] = [{"required": ["lat", "long"]}, {"required": ["address_string"]}]
    return schema
