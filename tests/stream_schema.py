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


# -- applications' logs (tests/application, tests/contracts) ------------------------------------------
def _applications() -> dict:
    from services.indicators.application import IndicatorsApplication
    from services.inspections.application import InspectionsApplication
    from services.manifests.application import ManifestsApplication
    from services.sites.application import SitesApplication

    return {"sites": SitesApplication, "inspections": InspectionsApplication, "manifests": ManifestsApplication,
            "indicators": IndicatorsApplication}


def mappers_of(values: list) -> list:
    """PublicMappers for the service applications among `values` or held by one of them (one level
    down: History.sites, World.indicators, …), each once."""
    from shared.asyncapi import public_events
    from shared.kit.public import PublicMapper

    apps = _applications()
    kinds = tuple(apps.values())
    candidates = list(values)
    for value in values:
        candidates += [v for v in getattr(value, "__dict__", {}).values() if isinstance(v, kinds)]
    mappers, seen = [], set()
    for value in candidates:
        for service, app_class in apps.items():
            if isinstance(value, app_class) and id(value) not in seen:
                seen.add(id(value))
                mappers.append(PublicMapper(service, value, public_events()[service],
                                            place=getattr(value, "place_of", None)))
    return mappers


STORIES: dict = {}  # one validator for the application and contract stories of a pytest process


def check_applications(item) -> None:  # type: ignore[no-untyped-def]
    """Validate the whole log of every application a test used (called after a passing test body,
    its fixtures still open); fails that test when one event does not validate."""
    if "validator" not in STORIES:
        STORIES["validator"] = StreamValidator()
    validator = STORIES["validator"]
    before = len(validator.failures)
    mapper_list = mappers_of(list(getattr(item, "funcargs", {}).values()))
    for mapper in mapper_list:
        position, head = 0, mapper.app.log_head()
        while position < head:
            notifications = mapper.app.select_notifications(position, 1000)
            if not notifications:
                break
            for routing, event in (mapper.cloudevent(n) for n in notifications if mapper.publishes(n)):
                validator.check(routing, event)
            position = notifications[-1].id  # private events (link codes) are never published
    new = validator.failures[before:]
    assert not new, "public events that do not validate against the AsyncAPI document:\n" + "\n".join(new[:20])
    leaking = free_text_leaks(mapper_list)
    assert not leaking, f"public events that publish free text (issue 13): {sorted(leaking)}"


def free_text_leaks(mappers: list) -> set:
    """Every event of these logs, its free text replaced by a marker (tests/security/free_text.py),
    mapped as the relay maps it: the public event types that let the marker through."""
    from tests.security.free_text import leaks

    found = set()
    for mapper in mappers:
        for n in mapper.app.select_notifications(0, 1_000_000):
            if not mapper.publishes(n):
                continue  # a private aggregate's event (link codes) never reaches the stream
            leak = leaks(mapper, n)
            if leak:
                found.add(leak)
    return found


def stories_to_controller(config) -> None:  # type: ignore[no-untyped-def]
    """In a pytest-xdist worker: hand what its validator saw to the controller, which prints the line."""
    validator = STORIES.get("validator")
    if validator is not None and hasattr(config, "workeroutput"):
        config.workeroutput["stories"] = {"seen": dict(validator.seen), "failures": validator.failures[:50]}


def stories_from_worker(node) -> None:  # type: ignore[no-untyped-def]
    """In the controller: add a finished worker's counts to the run's."""
    got = getattr(node, "workeroutput", {}).get("stories")
    if got:
        validator = STORIES.setdefault("validator", StreamValidator())
        validator.seen.update(got["seen"])
        validator.failures += got["failures"]


def write_stories_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Once per process, however many conftests call it."""
    if "validator" in STORIES and not STORIES.get("written"):
        STORIES["written"] = True
        terminalreporter.write_line(summary(STORIES["validator"], "CloudEvents of the application and contract "
                                                                  "stories validated"))


def summary(validator: StreamValidator, what: str) -> str:
    from shared.asyncapi import public_events
    from shared.kit.public import routing_key

    every = [routing_key(s, c) for s, cs in public_events().items() for c in cs]
    never = [k for k in every if k not in validator.seen]
    return (f"AsyncAPI stream check: {validator.count} {what}, {len(validator.failures)} invalid; "
            f"{len(validator.seen)} of {len(every)} event types; never seen: {', '.join(never) or '-'}")
