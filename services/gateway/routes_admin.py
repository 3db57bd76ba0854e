"""Routes: agencies' API keys (admin) and webhooks (scope webhooks)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.application import AGENCY_PATTERN
from services.gateway.context import G, Open, SourceName, Uuid, Who, errors
from shared.contracts.base import MAX_POSITION

router = APIRouter()


class ApiKeyIssued(BaseModel):
    key_id: str
    agency: str
    scopes: list[str]
    api_key: str = Field(description="Shown once: keep it")


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: str = Field(min_length=1, max_length=80, pattern=AGENCY_PATTERN)
    scopes: list[Literal["events:read", "reports:read", "webhooks", "open311:write", "admin"]] = Field(min_length=1)
    label: str | None = Field(None, max_length=200)


class Revoked(BaseModel):
    key_id: str
    revoked: bool


class WebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$",
                     description="https:// endpoint receiving the POSTs (http:// only where the gateway allows it)")
    types: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        min_length=1, max_length=50, description="Event names or globs: incident_*, violation_recorded, …")
    communes: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=200, description="Commune codes; empty = every commune")


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: SourceName
    after: int = Field(0, ge=0, le=MAX_POSITION, description="Re-deliver the source's matching events after this position")


class WebhookDoc(Open):
    id: str
    agency: str
    url: str
    types: list[str]
    communes: list[str]
    state: Literal["active", "parked", "deleted"]
    secret: str | None = Field(None, description="Only in the answer to the registration")


@router.post("/v1/keys", response_model=ApiKeyIssued, status_code=201, responses=errors(401, 403), tags=["admin"],
             summary="Issue an agency's API key (admin); the key is shown once")
def issue_key(who: Who, gate: G, body: KeyRequest) -> Any:
    return gate.gateway.issue_key(who, None, body.agency, list(body.scopes), body.label)


@router.delete("/v1/keys/{key_id}", response_model=Revoked, responses=errors(401, 403, 404, 409), tags=["admin"],
               summary="Revoke a key (admin); the webhooks registered with it are deleted with it")
def revoke_key(who: Who, gate: G, key_id: Uuid) -> Any:
    return gate.gateway.revoke_key(who, None, key_id)


@router.post("/v1/webhooks", response_model=WebhookDoc, status_code=201, responses=errors(401, 403), tags=["webhooks"],
             summary="Register a webhook: matching events are POSTed, signed (Standard Webhooks)")
def register_webhook(who: Who, gate: G, body: WebhookRequest) -> Any:
    return gate.gateway.register_webhook(who, None, body.url, body.types, body.communes)


@router.get("/v1/webhooks", response_model=list[WebhookDoc], responses=errors(401, 403), tags=["webhooks"],
            summary="The calling agency's webhooks")
def list_webhooks(who: Who, gate: G) -> Any:
    who.require("webhooks")
    return [gate.gateway.get_webhook(who, i) for i in gate.views.webhook_ids(None if who.admin else who.agency)]


@router.get("/v1/webhooks/{webhook_id}", response_model=WebhookDoc, responses=errors(401, 403, 404),
            tags=["webhooks"], summary="One webhook")
def get_webhook(who: Who, gate: G, webhook_id: Uuid) -> Any:
    return gate.gateway.get_webhook(who, webhook_id)


@router.delete("/v1/webhooks/{webhook_id}", response_model=WebhookDoc, responses=errors(401, 403, 404, 409),
               tags=["webhooks"], summary="Delete a webhook")
def delete_webhook(who: Who, gate: G, webhook_id: Uuid) -> Any:
    return gate.gateway.delete_webhook(who, None, webhook_id)


@router.post("/v1/webhooks/{webhook_id}/resume", response_model=WebhookDoc, responses=errors(401, 403, 404, 409),
             tags=["webhooks"], summary="Resume a parked webhook")
def resume_webhook(who: Who, gate: G, webhook_id: Uuid) -> Any:
    return gate.gateway.resume_webhook(who, None, webhook_id)


@router.post("/v1/webhooks/{webhook_id}/replay", response_model=WebhookDoc, responses=errors(401, 403, 404, 409),
             tags=["webhooks"],
             summary="Deliver again a source's matching events after a position (scopes webhooks and events:read)")
def replay_webhook(who: Who, gate: G, webhook_id: Uuid, body: ReplayRequest) -> Any:
    return gate.gateway.replay_webhook(who, None, webhook_id, body.source, body.after)


@router.get("/v1/webhooks/{webhook_id}/deliveries", response_model=list[Open], responses=errors(401, 403, 404),
            tags=["webhooks"], summary="A webhook's delivery log, newest first: state, attempts, last error")
def webhook_deliveries(who: Who, gate: G, webhook_id: Uuid, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                       state: Literal["pending", "delivered"] | None = None) -> Any:
    from services.gateway.views import WebhookLog

    gate.gateway.get_webhook(who, webhook_id)  # 404 unless the caller's
    return WebhookLog.of(gate.gateway).deliveries(webhook_id, limit, state)
