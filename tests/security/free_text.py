"""Free text on the public stream (issue 13, part "authz"): the words staff and parties type —
reasons, notes, findings, summaries, descriptions, evidence, addresses — stay in the services for
staff and the parties; a public event carries a reason code or nothing.

`leaks(mapper, notification)` maps a notification's domain event with every free-text attribute
(at any depth) replaced by MARKER, exactly as the relay maps it, and says which contract let the
marker through. tests/stream_schema.py runs it over every event of the application and contract
stories (which together produce every public event type); tests/security runs it on its own."""
from __future__ import annotations

import copy
from typing import Any

MARKER = "MARKER-authz-7f3a-free-text"
FREE_TEXT = frozenset({"reason", "note", "findings", "finding", "summary", "description", "text", "evidence",
                       "address", "resolution_note", "rejection", "cancel_reason"})


def _marked_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (MARKER if k in FREE_TEXT and isinstance(v, str) else _marked_value(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked_value(v) for v in value]
    return value


def marked(domain_event: Any) -> Any:
    """A copy of the domain event whose free-text attributes (and nested keys) say MARKER."""
    out = copy.copy(domain_event)
    for key, value in list(vars(domain_event).items()):
        if key in FREE_TEXT and (value is None or isinstance(value, str)):
            object.__setattr__(out, key, MARKER)
        elif isinstance(value, (dict, list)):
            object.__setattr__(out, key, _marked_value(value))
    return out


def leaks(mapper: Any, notification: Any) -> str | None:
    """The routing key of the public event that carries the marker, or None."""
    domain_event = mapper.app.mapper.to_domain_event(notification)
    contract = mapper.contract_for(notification.topic, domain_event)
    if MARKER in contract.from_domain(marked(domain_event)).model_dump_json():
        return f"{mapper.service}.{contract.event}"
    return None
