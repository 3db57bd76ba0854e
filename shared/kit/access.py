"""Role × RPC matrices: which roles may call which entrypoint of a service, as data.

Each service keeps its table beside its application (services/<name>/access.py) and names it on
its service class (`access = ACCESS`). Every entrypoint made with the kit's `rpc_method` (and the
kit's `ping`) checks the caller's role against the table before the application runs; an RPC
without an entry is refused to everyone (fail closed), so a new RPC cannot ship without a row.
The application's own checks (the party of a manifest, the establishment of a business, what a
role may see in an answer) still apply after this gate.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.kit.actor import Actor, Role
from shared.kit.errors import Forbidden

R, B, T, F = Role.RESIDENT, Role.BUSINESS, Role.TRANSPORTER, Role.TREATMENT_FACILITY
I, A, D, S, P = Role.INSPECTOR, Role.AGENCY, Role.ADMIN, Role.SYSTEM, Role.PUBLIC

EVERYONE = frozenset(Role)                       # public reads: anyone, the anonymous public role included
SIGNED_IN = EVERYONE - {P}                        # a known account or component
PARTIES = frozenset({B, T, F})                    # establishments' accounts
STAFF = frozenset({I, A, D})                      # the authorities' staff
READ_ALL = STAFF | {S}                            # staff and the platform itself

# the public stream and health; the audit trail (shared/kit/audit.py) to the agency and admins: an
# inspector reads a record's timeline on its own page (site_history, the record's reads), not who did what
KIT_ENTRYPOINTS = {"events_since": EVERYONE, "ping": EVERYONE, "audit_trail": frozenset({A, D})}


def table(entries: Mapping[str, Iterable[Role]]) -> dict[str, frozenset[Role]]:
    """A service's matrix: its own entries plus the kit's entrypoints every service has."""
    out = {name: frozenset(roles) for name, roles in KIT_ENTRYPOINTS.items()}
    out.update({name: frozenset(roles) for name, roles in entries.items()})
    return out


def allowed(access: Mapping[str, frozenset[Role]] | None, rpc: str, role: Role) -> bool:
    return access is not None and role in access.get(rpc, frozenset())


def check(access: Mapping[str, frozenset[Role]] | None, service: str, rpc: str, actor: Actor) -> None:
    """Raise Forbidden (field actor.role, rule role) unless the table lets `actor` call `rpc`."""
    if access is None or rpc not in access:
        raise Forbidden(f"{service}.{rpc} has no entry in the service's access table: refused to every role",
                        "actor.role", "role")
    if actor.role not in access[rpc]:
        roles = ", ".join(sorted(r.value for r in access[rpc])) or "none"
        raise Forbidden(f"role {actor.role.value} may not call {service}.{rpc}; allowed: {roles}",
                        "actor.role", "role")


def guard(service: Any, rpc: str) -> None:
    """The check an entrypoint makes: the service's table, the actor of this call."""
    check(getattr(type(service), "access", None), getattr(service, "name", "?"), rpc, service.actor)


def readable(access: Mapping[str, frozenset[Role]]) -> list[tuple[str, list[str]]]:
    """The matrix as rows (rpc, roles) for documents and the CLI."""
    return [(rpc, sorted(r.value for r in roles)) for rpc, roles in sorted(access.items())]
