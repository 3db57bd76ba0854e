"""Contracts of the sites service's link codes: a one-time code issued by staff binds a chat account
to an establishment or a role (/link), and what the two RPCs answer (issue 17: typed answers).

Kept apart from shared/contracts/sites.py (its size limit); sites.py re-exports the commands."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from shared.contracts.base import Command, ShortText

LinkRole = Literal["business", "transporter", "treatment_facility", "inspector", "agency"]

StaffEmail = Annotated[str, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
                       StringConstraints(max_length=254, pattern=r"^[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,180}\.[a-z]{2,24}$")]


class IssueLinkCode(Command):
    role: LinkRole
    establishment_id: UUID | None = None
    ttl_hours: int | None = Field(None, ge=1, le=24 * 90)
    staff: StaffEmail | None = Field(None, description="An inspector's code only: the staff account (e-mail) the "
                                                       "chat account will act as (never published)")

    @model_validator(mode="after")
    def _staff_is_an_inspector(self) -> "IssueLinkCode":
        if self.staff is not None and self.role != "inspector":
            raise ValueError("only an inspector's link code names a staff account")
        return self


class RedeemLinkCode(Command):
    code: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=6, max_length=40,
                                           pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*[A-Za-z0-9]$")] = Field(
        description="The one-time code as issued (groups of Crockford base32; any case, dashes or spaces optional)")
    account: ShortText = Field(description="The chat account's pseudonymous id")


# -- answers ---------------------------------------------------------------------------------------
class LinkCodeIssued(BaseModel):
    """issue_link_code's answer: the code to hand over once (never stored in words) and its expiry (UTC)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: UUID
    version: int
    code: str
    expires_at: datetime


class LinkRedeemed(BaseModel):
    """redeem_link_code's answer: the role the chat account now has, its establishment (a business,
    transporter or facility) or the staff account it acts as (an inspector)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: UUID
    version: int
    role: str
    establishment_id: UUID | None = None
    staff: str | None = None
