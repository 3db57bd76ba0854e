"""A service's refusal as the bot's own text, in the user's language.

Services raise typed errors (shared/kit/errors.py) that name a field and a rule; their English
`message` is for logs and developers, never for a resident. The bot maps the codes to its Fluent
texts (bot/locales/<lang>/errors.ftl), most specific first:

1. `err-at-<field>--<rule>`: where the field changes what is to be said (a site not found is not
   a photo not found);
2. `err-rule-<rule>`: the rule's sentence, told which field it is about through `$what` (the
   field's label `err-field-<field>`, or a neutral "this information");
3. `err-kind-<kind>`: the kind's generic sentence (not found, not allowed, changed meanwhile,
   not valid). Codes that only staff or HTTP callers can meet are listed in FALLBACKS and take
   this deliberately.

Pydantic's error types (as `rpc_method` sends them as rules) go through the kit's table first
(shared/kit/rules.py, which the staff workspace uses too); list positions are dropped from fields.
"""
from __future__ import annotations

import re
from typing import Any

from bot.texts import has, norm, t
from shared.kit.rules import field_path, kit_rule

KINDS = ("not_found", "forbidden", "conflict", "invalid_input")
_NOT_ID = re.compile(r"[^a-z0-9_-]+")

# (field, rule) pairs, or (None, rule) for any field, that deliberately take their kind's generic text:
# the bot never sends these requests (staff sign-in, HTTP API keys, webhooks, the broker's own guards)
FALLBACKS: frozenset[tuple[str | None, str]] = frozenset({
    ("X-API-Key", "format"), ("X-API-Key", "required"), ("X-API-Key", "scope"), ("X-API-Key", "valid"),
    ("X-CSRF-Token", "csrf"), ("Idempotency-Key", "format"), ("password", "credentials"), ("password", "locked"),
    ("password", "length"), ("password", "weak"), ("password2", "mismatch"), ("code", "totp"),
    ("session", "required"), ("email", "rate_limit"), ("email", "exists"), ("email", "state"), ("email", "format"),
    ("url", "https"), ("url", "public"), ("url", "resolves"), ("url", "format"), ("webhook_id", "exists"),
    ("key_id", "state"), ("scopes", "enum"), ("role", "admin_only"),
    ("role", "establishment_role"), ("agency", "format"), ("before_time", "timezone"), ("record", "format"),
    (None, "content_type"), (None, "form"), (None, "size"), (None, "arity"), (None, "parked"),
    ("X-API-Key", "rate_limit"), ("lat", "unsupported"), ("staff", "inspector_only"),
    # the actor assertion the bot signs (shared/kit/assertion.py): a fault of ours, not the user's
    ("actor", "malformed"), ("actor", "unknown_component"), ("actor", "signature"), ("actor", "expired"),
    ("actor", "role_not_allowed_for_component"),
    # staff-only or seed-only requests of issue 16 and the craft-village withdrawals (the bot sends none)
    ("directory", "permits"), ("owner", "cluster_or_zone"), ("site_id", "recognised"), ("site_id", "withdrawn"),
    ("effective", "after_recognition"),
    # the registry's import (a file checked by the CLI or the staff workspace) and its export downloads
    ("old_district", "unknown_district"), ("commune", "unknown_commune"), ("period", "period"), ("sheet", "sheet"),
})


def slug(text: str) -> str:
    """A field or rule as part of a Fluent message id (letters, digits, `_`, `-`)."""
    return _NOT_ID.sub("-", text.lower().replace(".", "-")).strip("-")


def candidates(kind: str, field: str | None, rule: str | None) -> list[str]:
    """The catalogue keys that could say this error, most specific first."""
    path, rule = field_path(field), kit_rule(rule)
    generic = f"err-kind-{kind if kind in KINDS else 'invalid_input'}"
    if rule is None or (path, rule) in FALLBACKS or (None, rule) in FALLBACKS:
        return [generic]
    keys = []
    if path:
        keys.append(f"err-at-{slug(path)}--{slug(rule)}")
        last = path.rsplit(".", 1)[-1]
        if last != path:
            keys.append(f"err-at-{slug(last)}--{slug(rule)}")
    return [*keys, f"err-rule-{slug(rule)}", generic]


def field_label(lng: str, field: str | None) -> str:
    """What the field is, in words: its label, or a neutral phrase (never the identifier)."""
    path = field_path(field)
    if path:
        for name in (path, path.rsplit(".", 1)[-1]):
            key = f"err-field-{slug(name)}"
            if has(lng, key):
                return t(lng, key)
    return t(lng, "err-field-unknown")


def describe(lng: str, kind: str, field: str | None = None, rule: str | None = None, **params: Any) -> str:
    """The error with these codes as one of the bot's texts in `lng` (its message is not an input)."""
    lng = norm(lng)
    key = next(k for k in candidates(kind, field, rule) if has(lng, k) or k.startswith("err-kind-"))
    return t(lng, key, what=field_label(lng, field), **params)


def describe_dict(lng: str, error: dict) -> str:
    """An error as data (`as_dict()`: a bulk result's per-item error, an outbox row)."""
    return describe(lng, str(error.get("kind") or "invalid_input"), error.get("field"), error.get("rule"))


def specific(field: str | None, rule: str | None) -> bool:
    """Whether the catalogue has a text for these codes beyond the kind's generic one (both languages)."""
    keys = candidates("invalid_input", field, rule)[:-1]
    return bool(keys) and all(any(has(lng, k) for k in keys) for lng in ("vi", "en"))


def fallback(field: str | None, rule: str | None) -> bool:
    """Whether these codes deliberately take their kind's generic text (FALLBACKS)."""
    path, rule = field_path(field), kit_rule(rule)
    return rule is None or (path, rule) in FALLBACKS or (None, rule) in FALLBACKS
