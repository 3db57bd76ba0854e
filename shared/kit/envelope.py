"""The envelope a follower accepts from its queue: one public event of the source it follows.

A message on a follower's queue is only a wake-up (the follower pulls the state from the source),
but it must still be a well-formed one: a CloudEvent 1.0 (checked by the `cloudevents` SDK) whose
`source` is `/langxanh/<source>`, whose `type` is `vn.langxanh.<source>.<event>.v<N>`, whose
`sequence` is the 20-digit notification id and whose `id` is `<source>-<that id>` (design.md §4,
shared/kit/public.py). Anything else is not retried: it is parked at once.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.v1.event import CloudEvent

from shared.kit.public import SEQUENCE_WIDTH, SPECVERSION

SEQUENCE = re.compile(rf"^[0-9]{{{SEQUENCE_WIDTH}}}$")
MAX_BYTES = 1_000_000  # no public event comes near it


class BadEnvelope(ValueError):
    """The message is not a public event of the expected source (the reason says why)."""


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
    if event.get("specversion") != SPECVERSION:
        raise BadEnvelope(f"specversion {event.get('specversion')!r}, not {SPECVERSION!r}")
    attributes = {k: v for k, v in event.items() if k not in ("data", "data_base64")}
    try:
        if "time" in attributes:
            attributes["time"] = datetime.fromisoformat(str(attributes["time"]))
        CloudEvent(attributes, event.get("data"))
    except (BaseCloudEventException, ValueError, TypeError) as e:
        raise BadEnvelope(f"not a valid CloudEvent ({e})") from None
    service = source or _service_of(event)
    if event["source"] != f"/langxanh/{service}":
        raise BadEnvelope(f"source {event['source']!r}, not '/langxanh/{service}'")
    if not re.fullmatch(rf"vn\.langxanh\.{re.escape(service)}\.[a-z][a-z0-9_]*\.v[1-9][0-9]*", str(event["type"])):
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
