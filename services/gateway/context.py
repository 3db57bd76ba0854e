"""What every router of the gateway shares: the Gate (settings, store, read models, services),
the caller dependency, the error model and the common parameter types."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import anyio

from fastapi import Depends, Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict

from services.gateway.actors import actor_for
from services.gateway.application import Caller, GatewayApplication
from shared.contracts.indicators import PERIOD_PATTERN, UNIT_PATTERN
from shared.kit.config import Settings
from shared.kit.pool import Services

SourceName = Literal["sites", "inspections", "manifests", "indicators"]
Period = Annotated[str, Path(pattern=PERIOD_PATTERN, description="A quarter (2025Q4) or a year (2025)",
                             examples=["2025Q4"])]
Unit = Annotated[str | None, Query(max_length=80, pattern=UNIT_PATTERN,
                                   description="city:hanoi, district:<code> or commune:<code>")]
Uuid = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                           description="A UUID", examples=["3f2b8c1e-0d4a-5b6c-8d9e-0f1a2b3c4d5e"])]


class Error(BaseModel):
    error: Literal["invalid_input", "not_found", "forbidden", "unauthorized", "conflict", "unavailable",
                   "too_large", "too_many"]
    message: str
    field: str | None = None
    rule: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "Bad input: the field and the rule broken"},
    401: {"model": Error, "description": "An API key is required"},
    403: {"model": Error, "description": "The key is unknown, revoked or lacks the scope"},
    404: {"model": Error, "description": "Not found"},
    409: {"model": Error, "description": "The state changed; nothing was done"},
    413: {"model": Error, "description": "The body is larger than the gateway accepts"},
    429: {"model": Error, "description": "Too many: live streams of this key, or reports of this reporter today"},
    503: {"model": Error, "description": "A service behind the gateway did not answer"},
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: ERRORS[c] for c in (400, 503, *codes)}


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


@dataclass
class Gate:
    """The gateway's parts, one per app (request.app.state.gate)."""

    settings: Settings
    gateway: GatewayApplication
    views: Any
    services: Services
    extras: dict = field(default_factory=dict)

    async def rpc(self, who: Caller, service: str, name: str, **kwargs: Any) -> Any:
        return await self.services.call(actor_for(who), service, name, **kwargs)

    async def quota(self, command_id: str, bucket: str, day: str, limit: int) -> None:
        """Count one Open311 report of `bucket` today (once per command id); 429 past `limit`."""
        await anyio.to_thread.run_sync(self.gateway.count_report, command_id, bucket, day, limit)


def get_gate(request: Request) -> Gate:
    return request.app.state.gate


def caller(request: Request,
           x_api_key: Annotated[str | None, Header(description="An agency's key: lx_<prefix>_<secret>")] = None
           ) -> Caller:
    """The key's caller; the guard middleware has already checked it for a request with a body."""
    checked = request.scope.get("state", {}).get("caller")
    if isinstance(checked, Caller):
        return checked
    return get_gate(request).gateway.authenticate(x_api_key)


Who = Annotated[Caller, Depends(caller)]
G = Annotated[Gate, Depends(get_gate)]
