"""Validates CloudEvents against the payload schemas of the AsyncAPI document (shared/asyncapi.py).

Draft-07 (jsonschema.Draft7Validator): an AsyncAPI 3.0 Schema Object is a superset of JSON Schema
draft-07 and is the default schemaFormat of a 3.0 document's payloads, so that is the dialect an
agency's tooling (the AsyncAPI parser, code generators) applies to these messages; the document
uses no keyword newer than draft-07 (tests/contracts/test_asyncapi.py checks it).

Formats are asserted, not just annotated: date-time (RFC 3339, offset required), date and uuid
are checked here with the standard library, so a naive timestamp or a malformed id fails.
"""
from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import date, datetime

from jsonschema import Draft7Validator, FormatChecker

from shared.asyncapi import document, message_schemas

FORMATS = FormatChecker(formats=())
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(date.fromisoformat(value))


@FORMATS.checks("uuid", raises=ValueError)
def _uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(UUID.match(value)) and bool(uuid.UUID(value))


class StreamValidator:
    """routing key + CloudEvent → the problems found (none: valid). Counts what it saw."""

    def __init__(self, doc: dict | None = None) -> None:
        schemas = message_schemas(doc or document())
        for schema in schemas.values():
            Draft7Validator.check_schema(schema)
        self.validators = {key: Draft7Validator(schema, format_checker=FORMATS) for key, schema in schemas.items()}
        self.seen: Counter[str] = Counter()
        self.failures: list[str] = []

    @property
    def count(self) -> int:
        return sum(self.seen.values())

    def problems(self, routing_key: str, event: dict) -> list[str]:
        validator = self.validators.get(routing_key)
        if validator is None:
            return [f"routing key {routing_key!r} is no channel of the AsyncAPI document"]
        return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in sorted(validator.iter_errors(event), key=lambda e: list(map(str, e.absolute_path)))]

    def check(self, routing_key: str, event: dict) -> list[str]:
        """Validate and remember: a failure is kept (with the event's id) for the caller to report."""
        found = self.problems(routing_key, event)
        self.seen[routing_key] += 1
        for problem in found:
            self.failures.append(f"{routing_key} {event.get('id', '?')}: {problem}")
        return found
