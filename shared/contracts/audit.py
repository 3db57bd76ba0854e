"""Contract of `audit_trail`, the RPC every service answers (shared/kit/audit.py): who did what
and when, by actor or by record, newest first."""
from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from shared.contracts.base import MAX_POSITION, Query
from shared.contracts.clean_text import SingleLine

ActorId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine]
MAX_LIMIT = 200


class AuditTrail(Query):
    """At least one of `actor` and `aggregate_id` (else InvalidInput field actor, rule required)."""

    actor: ActorId | None = Field(None, description="An actor id (staff: staff:<e-mail>); a non-admin gets only "
                                                    "staff and platform rows for it")
    aggregate_id: UUID | None = Field(None, description="A record: the aggregate's id")
    before: int | None = Field(None, ge=1, le=MAX_POSITION,
                               description="Only rows before this notification id (the previous page's next_before)")
    before_time: AwareDatetime | None = Field(None, description="Only rows recorded before this instant")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)

