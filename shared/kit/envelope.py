"""The CloudEvents 1.0 envelope of a public event, read with the `cloudevents` SDK.

    build(service, notification_id, public, subject, time, commune) -> Built  (the relay, events_since;
                                              the SDK's structured JSON, without its validation)
    check_envelope(body, source) -> dict     a follower's queue: a well-formed wake-up, else BadEnvelope
    decode(envelope) -> Received              the contract instance + its envelope's attributes

On the wire (design.md §4): `source` is `/langxanh/<service>`, `type` is the contract's public
type (shared/contracts/registry.py `type_of`), `sequence` is the 20-digit notification id and `id`
is `<service>-<that id>`; `communecode` is there when the event concerns a place. A message on a
follower's queue that is not such an envelope is not retried: it is parked at once.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.v1.event import CloudEvent
from pydantic import ValidationError

from shared.contracts.base import PublicEvent
from shared.contracts.registry import EventType, contract_of, parse_type, type_parts

SPECVERSION = "1.0"
SEQUENCE_WIDTH = 20  # CloudEvents "sequence" extension: a lexicographically ordered string
SEQUENCE = re.compile(rf"^[0-9]{{{SEQUENCE_WIDTH}}}$")
MAX_BYTES = 1_000_000  # no public event comes near it


class BadEnvelope(ValueError):
    """The message is not a public event of the expected source (the reason says why)."""


class UnknownEvent(LookupError):
    """A well-formed envelope whose type no contract has (a newer producer, a retired version),
    or whose data its contract refuses: the follower counts it, logs it and goes on."""

    def __init__(self, event_type: str, reason: str) -> None:
        super().__init__(f"{event_type}: {reason}")
        self.event_type = event_type
        self.reason = reason


def format_sequence(notification_id: int) -> str:
    return f"{notification_id:0{SEQUENCE_WIDTH}d}"


def parse_sequence(value: Any) -> int:
    return int(value)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class Built(dict):
    """An envelope this process built (`build`): the very JSON object that is published or
    answered (a dict; serialised as any dict), which `decode` reads without validating again as a
    CloudEvent what `build` made valid by construction. It keeps the contract instance its `data`
    was dumped from (`public`, with that very `data` object), so an in-process follower (a
    rebuild, `langxanh rebuild`) gets that instance back instead of validating the dump again;
    nothing changes a Built after `build` (a copy made to change it is a plain dict, read as one
    from the wire). What comes over the wire is a plain dict."""

    __slots__ = ("public", "dumped")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.public: PublicEvent | None = None
        self.dumped: dict | None = None

    def instance(self) -> PublicEvent | None:
        """The contract instance `data` was dumped from, None when `data` or `type` is no longer
        what `build` put there."""
        public = self.public
        if public is None or self.get("data") is not self.dumped or self.get("type") != str(type_parts(public)):
            return None
        return public


def build(service: str, notification_id: int, public: PublicEvent, subject: str, time: datetime,
          commune: str | None = None) -> Built:
    """The structured-mode CloudEvent (as a JSON object) of one notification's public event:
    what `to_structured(CloudEvent(attributes, data))` gives (tests/kit/test_envelope_fast.py
    checks it byte for byte), built without the SDK's validation of attributes that are valid by
    construction (about 30 µs an event)."""
    parts = type_parts(public)
    if parts.service != service:
        raise LookupError(f"{type(public).__qualname__} is a {parts.service} event, not {service}'s")
    if not isinstance(time, datetime) or not subject:
        raise TypeError(f"an event's time is a datetime and its subject is not empty ({time!r}, {subject!r})")
    out = Built(specversion=SPECVERSION, id=f"{service}-{notification_id}", source=f"/langxanh/{service}",
                type=str(parts), subject=subject, time=_rfc3339(time), datacontenttype="application/json",
                sequence=format_sequence(notification_id))
    if commune:
        out["communecode"] = commune
    out["data"] = out.dumped = public.model_dump(mode="json")
    out.public = public
    return out


def build_with_sdk(service: str, notification_id: int, public: PublicEvent, subject: str, time: datetime,
                   commune: str | None = None) -> dict[str, Any]:
    """`build` through the SDK's CloudEvent (what it was): the reference the tests compare it with."""
    attributes: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": f"{service}-{notification_id}",
        "source": f"/langxanh/{service}",
        "type": str(type_parts(public)),
        "subject": subject,
        "time": time,
        "datacontenttype": "application/json",
        "sequence": format_sequence(notification_id),
    }
    if commune:
        attributes["communecode"] = commune
    return to_structured(CloudEvent(attributes, public.model_dump(mode="json")))


def to_structured(event: CloudEvent) -> dict[str, Any]:
    """The JSON object of the structured content mode (what is published and what events_since
    answers): the attributes in their order, `time` in RFC 3339 with `Z`, then `data`."""
    out = dict(event.get_attributes())
    if isinstance(out.get("time"), datetime):
        out["time"] = _rfc3339(out["time"])
    out["data"] = event.get_data()
    return out


def from_structured(event: dict) -> CloudEvent:
    """The SDK's CloudEvent of a structured JSON object (its validation), else BadEnvelope."""
    if event.get("specversion") != SPECVERSION:
        raise BadEnvelope(f"specversion {event.get('specversion')!r}, not {SPECVERSION!r}")
    attributes = {k: v for k, v in event.items() if k not in ("data", "data_base64")}
    try:
        if "time" in attributes:
            attributes["time"] = datetime.fromisoformat(str(attributes["time"]).replace("Z", "+00:00"))
        return CloudEvent(attributes, event.get("data"))
    except (BaseCloudEventException, ValueError, TypeError) as e:
        raise BadEnvelope(f"not a valid CloudEvent ({e})") from None


def decode_json(body: bytes | str | dict) -> Any:
    if isinstance(body, dict):
        return body
    if isinstance(body, (bytes, bytearray)):
        if len(body) > MAX_BYTES:
            raise BadEnvelope(f"{len(body)} bytes (at most {MAX_BYTES})")
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadEnvelope(f"not UTF-8 ({e.reason} at byte {e.start})") from None
    try:
        return json.loads(body)
    except ValueError as e:
        raise BadEnvelope(f"not JSON ({e})") from None


def check_envelope(body: bytes | str | dict, source: str | None) -> dict:
    """The decoded event when `body` is a valid envelope of `source` (any `langxanh` service
    when None), else `BadEnvelope`."""
    event = decode_json(body)
    if not isinstance(event, dict):
        raise BadEnvelope(f"a JSON {type(event).__name__}, not a CloudEvent object")
    from_structured(event)
    service = source or _service_of(event)
    if event["source"] != f"/langxanh/{service}":
        raise BadEnvelope(f"source {event['source']!r}, not '/langxanh/{service}'")
    try:
        parts = parse_type(event["type"])
    except ValueError:
        parts = None
    if parts is None or parts.service != service:
        raise BadEnvelope(f"type {event['type']!r} is not vn.langxanh.{service}.<event>.v<N>")
    sequence = event.get("sequence")
    if not isinstance(sequence, str) or not SEQUENCE.match(sequence) or int(sequence) < 1:
        raise BadEnvelope(f"sequence {sequence!r} is not a {SEQUENCE_WIDTH}-digit notification id")
    if event["id"] != f"{service}-{int(sequence)}":
        raise BadEnvelope(f"id {event['id']!r} does not match sequence {sequence} ('{service}-{int(sequence)}')")
    if not isinstance(event.get("data"), dict):
        raise BadEnvelope("data is not a JSON object")
    return event


def _service_of(event: dict) -> str:
    source = str(event.get("source", ""))
    match = re.fullmatch(r"/langxanh/([a-z][a-z0-9_]*)", source)
    if not match:
        raise BadEnvelope(f"source {source!r} is not /langxanh/<service>")
    return match.group(1)


@dataclass(frozen=True)
class Received:
    """One public event as a follower gets it: `event` is the contract instance (dispatch on its
    class), the rest its envelope's attributes (`data` the JSON object as published)."""

    event: PublicEvent
    type: EventType
    id: str
    subject: str
    time: str          # RFC 3339, as published (`Z`)
    sequence: int
    commune: str | None
    data: dict


def decode(envelope: dict) -> Received:
    """The contract instance of a public event's envelope (a dict as `build` makes it).
    `UnknownEvent` when no contract has its type or the contract refuses its data; `BadEnvelope`
    when it is not a CloudEvent at all."""
    if isinstance(envelope, Built):  # built in this process (an in-process source): valid by construction
        public, type_string, data = envelope.instance(), envelope["type"], envelope["data"]
    else:
        ce = from_structured(envelope)
        public, type_string, data = None, ce.get_type(), ce.get_data()
    if public is None:
        public = _validated(type_string, data)
    return Received(event=public, type=parse_type(type_string), id=envelope.get("id"),
                    subject=str(envelope.get("subject")), time=str(envelope.get("time", "")),
                    sequence=parse_sequence(envelope.get("sequence")),
                    commune=envelope.get("communecode"), data=data)


def _validated(type_string: str, data: Any) -> PublicEvent:
    """The contract instance of an envelope's data; `UnknownEvent` when no contract has its type
    or the contract refuses the data."""
    contract = contract_of(type_string)
    if contract is None:
        raise UnknownEvent(str(type_string)[:200], "no contract has this type")
    if not isinstance(data, dict):
        raise UnknownEvent(type_string, "data is not a JSON object")
    try:
        return contract.model_validate(data)
    except ValidationError as e:
        raise UnknownEvent(type_string, f"{contract.__qualname__} refuses its data "
                                        f"({e.error_count()} errors)") from None
