"""Who is acting: carried by every RPC in the context, recorded in every stored event."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from shared.kit.errors import Forbidden, InvalidInput


class Role(str, Enum):
    RESIDENT = "resident"
    BUSINESS = "business"
    TRANSPORTER = "transporter"
    TREATMENT_FACILITY = "treatment_facility"
    INSPECTOR = "inspector"
    AGENCY = "agency"
    ADMIN = "admin"
    SYSTEM = "system"  # the platform itself (seed, timers)
    PUBLIC = "public"  # an anonymous caller of public reads (the gateway's public pages, Open311 GET)


ESTABLISHMENT_ROLES = frozenset({Role.BUSINESS, Role.TRANSPORTER, Role.TREATMENT_FACILITY})


@dataclass(frozen=True)
class Actor:
    id: str
    role: Role
    establishment: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip() or len(self.id) > 200:
            raise InvalidInput("actor id must be a non-empty string of at most 200 characters", "actor.id", "required")
        try:
            object.__setattr__(self, "role", Role(self.role))
        except ValueError:
            raise InvalidInput(
                f"unknown actor role {self.role!r}; one of {', '.join(r.value for r in Role)}", "actor.role", "enum"
            ) from None
        if self.establishment is not None and (not isinstance(self.establishment, str) or len(self.establishment) > 100):
            raise InvalidInput("actor establishment must be an id string", "actor.establishment", "type")

    @classmethod
    def from_dict(cls, data: object) -> "Actor":
        if not isinstance(data, dict):
            raise Forbidden("no actor in the call context: every call must say who acts", "actor", "required")
        return cls(id=data.get("id"), role=data.get("role"), establishment=data.get("establishment"))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["role"] = self.role.value
        return d

    def require(self, *roles: Role, action: str = "this") -> None:
        """Role check helper: raise Forbidden unless the actor has one of `roles`."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"role {self.role.value} may not {action}; allowed: {allowed}", "actor.role", "role")


SYSTEM = Actor(id="system", role=Role.SYSTEM)
