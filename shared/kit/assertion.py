"""Actor assertions (issue 13): a caller proves which component vouches for the actor of a call.

Every RPC carries, next to `actor` in the nameko context data, `actor_assertion`:

    v1.<component>.<issued-at, unix seconds>.<nonce, 32 hex>.<HMAC-SHA256, 64 hex>

The HMAC, with the calling component's own key (shared/kit/keys.py), covers the version, the
component, the target service, the method, the issued-at time, the nonce, the actor (canonical
JSON of id, role, establishment) and a SHA-256 of the call's arguments. The arguments' digest is
taken over the canonical JSON (sorted keys, kombu's encoder) of `{"args": [...], "kwargs": {...}}`
*as the service decodes it*: the caller round-trips its arguments through kombu's JSON first, so
tuples, dates, UUIDs and bytes hash the same on both sides.

The service checks (in order): the assertion is there and well-formed, the component has a key,
the signature, the freshness (|now - issued-at| <= the window), and the per-component role table
(`ROLES`, data; a setting may extend it). Each failure is a typed Forbidden with field "actor"
and a rule: required, malformed, unknown_component, signature, expired,
role_not_allowed_for_component.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any, Callable, Mapping

from kombu.utils.json import dumps as kombu_dumps
from kombu.utils.json import loads as kombu_loads

from shared.catalog import SERVICES
from shared.kit.actor import Actor, Role
from shared.kit.errors import Forbidden, LangXanhError
from shared.kit.keys import KeyRing, MissingKey

VERSION = "v1"
CONTEXT_KEY = "actor_assertion"

# Which roles each component may assert; the `actor_roles` setting overrides a component's list.
ROLES: dict[str, frozenset[Role]] = {
    # public: the bot's feed reads the public stream (events_since); never admin or system
    "bot": frozenset({Role.RESIDENT, Role.BUSINESS, Role.TRANSPORTER, Role.TREATMENT_FACILITY, Role.INSPECTOR,
                      Role.AGENCY, Role.PUBLIC}),
    # agency: a keyed agency's calls and staff; inspector, admin: staff signed in to the workspace;
    # public: anonymous reads; resident: Open311 POST reports for a reporter
    "gateway": frozenset({Role.AGENCY, Role.INSPECTOR, Role.ADMIN, Role.PUBLIC, Role.RESIDENT}),
    "cli": frozenset(Role),
    **{service: frozenset({Role.SYSTEM}) for service in SERVICES},  # services call each other (backfill)
}


def role_table(overrides: Mapping[str, list[str]] | None = None) -> dict[str, frozenset[Role]]:
    """The default table, with components' role lists replaced by `overrides` (the setting)."""
    table = dict(ROLES)
    for component, roles in (overrides or {}).items():
        table[component] = frozenset(Role(r) for r in roles)
    return table


def canonical_actor(actor: Actor) -> str:
    return json.dumps(actor.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def arguments_digest(body: Any) -> str:
    """SHA-256 of the canonical JSON of a decoded request body {"args", "kwargs"}."""
    text = kombu_dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def client_digest(args: tuple | list, kwargs: dict) -> str:
    """The digest a service will compute for these arguments (after nameko's JSON round trip).
    Plain JSON values encode the same before and after it, so only other values (dates, UUIDs,
    bytes, a "__type__" key kombu would decode) pay for the round trip."""
    body = {"args": list(args), "kwargs": kwargs}
    if _plain(body):
        return arguments_digest(body)
    return arguments_digest(kombu_loads(kombu_dumps(body)))


def _plain(value: Any, depth: int = 0) -> bool:
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return True
    if depth > 50:
        return False
    if isinstance(value, (list, tuple)):
        return all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and k != "__type__" and _plain(v, depth + 1) for k, v in value.items())
    return False


def _mac(key: bytes, component: str, service: str, method: str, issued: int, nonce: str, actor: str,
         digest: str) -> str:
    message = "\n".join([VERSION, component, service, method, str(issued), nonce, actor, digest])
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


class Signer:
    """Signs the calls of one component with its key."""

    def __init__(self, component: str, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self.component = component
        self.key = key
        self.clock = clock

    def sign(self, actor: Actor, service: str, method: str, args: tuple | list = (), kwargs: dict | None = None) -> str:
        issued = int(self.clock())
        nonce = secrets.token_hex(16)
        digest = client_digest(args, kwargs or {})
        mac = _mac(self.key, self.component, service, method, issued, nonce, canonical_actor(actor), digest)
        return f"{VERSION}.{self.component}.{issued}.{nonce}.{mac}"


def _refuse(message: str, rule: str) -> Forbidden:
    return Forbidden(message, "actor", rule)


def _actor_of(raw: Any) -> Actor:
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, dict):
        raise _refuse("no actor in the call context: every call must say who acts", "required")
    try:
        return Actor.from_dict(raw)
    except LangXanhError as e:
        raise _refuse(f"the actor of the call is not valid: {e.message}", "malformed") from None


class Verifier:
    """Checks the assertion of one incoming call; answers the verified Actor or raises Forbidden."""

    def __init__(self, keys: KeyRing, window: float, roles: Mapping[str, frozenset[Role]] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.keys = keys
        self.window = window
        self.roles = dict(roles if roles is not None else ROLES)
        self.clock = clock

    def verify(self, service: str, method: str, context: Mapping[str, Any], body: Any) -> Actor:
        actor = _actor_of(context.get("actor"))
        raw = context.get(CONTEXT_KEY)
        if isinstance(raw, bytes):
            raw = raw.decode("ascii", "replace")
        if not raw:
            raise _refuse("the call carries no actor assertion: sign it with the calling component's key", "required")
        parts = raw.split(".") if isinstance(raw, str) else []
        if len(parts) != 5 or parts[0] != VERSION or not parts[2].isdigit() or len(parts[2]) > 12:
            raise _refuse("the actor assertion is malformed", "malformed")
        _v, component, issued_text, nonce, mac = parts
        if component not in self.roles:
            raise _refuse(f"unknown calling component {component[:40]!r}", "unknown_component")
        try:
            key = self.keys.key(component)
        except MissingKey:
            raise _refuse(f"no verification key for component {component}", "unknown_component") from None
        issued = int(issued_text)
        expected = _mac(key, component, service, method, issued, nonce, canonical_actor(actor), arguments_digest(body))
        if not hmac.compare_digest(expected, mac):
            raise _refuse("the actor assertion's signature does not match this call", "signature")
        if abs(self.clock() - issued) > self.window:
            raise _refuse(f"the actor assertion is older (or newer) than {self.window:g} s", "expired")
        if actor.role not in self.roles[component]:
            raise _refuse(f"component {component} may not act as {actor.role.value}", "role_not_allowed_for_component")
        return actor


# -- from settings ---------------------------------------------------------------------------------
_RINGS: dict[tuple, KeyRing] = {}


def keyring_for(settings: Any) -> KeyRing:
    """One KeyRing per (keys dir, explicit keys, create) in this process: each key read once."""
    explicit = {c: k.get_secret_value() for c, k in sorted(settings.actor_keys.items())}
    ident = (str(settings.keys_dir.resolve()), tuple(explicit.items()), settings.actor_keys_create)
    ring = _RINGS.get(ident)
    if ring is None:
        ring = _RINGS.setdefault(ident, KeyRing(settings.keys_dir, explicit, settings.actor_keys_create))
    return ring


def signer_for(settings: Any, component: str | None = None) -> Signer:
    """The signer of `component` (default: the component this process speaks for)."""
    component = component or settings.component
    try:
        return Signer(component, keyring_for(settings).key(component))
    except MissingKey as e:
        raise RuntimeError(f"cannot sign calls as {component}: {e}") from None


def verifier_for(settings: Any) -> Verifier:
    return Verifier(keyring_for(settings), settings.actor_assertion_window, role_table(settings.actor_roles))
