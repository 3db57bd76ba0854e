"""Contracts of a craft village's recognition withdrawn (thu hồi danh hiệu làng nghề), e.g. the
villages QĐ 2546/QĐ-UBND (28/04/2023) lists as faded and to be delisted (issue 16).

Kept apart from shared/contracts/sites.py (near its size limit); sites.py imports the event
into its PUBLIC_EVENTS."""
from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from shared.contracts.base import Command, OptShortText, PublicEvent, ShortText


class WithdrawRecognition(Command):
    site_id: UUID
    decision: ShortText = Field(description="The decision withdrawing the title, e.g. 2546/QĐ-UBND")
    effective: date = Field(description="From this date the village leaves the recognised villages' denominators")
    legal_basis: ShortText
    reason: OptShortText = Field(None, description="Why, in the decision's words (staff text, not published)")


class SiteRecognitionWithdrawn(PublicEvent):
    """The decision and date are published; the reason in words is not (as other staff text)."""

    # a site event as sites.py's are, with its own `id`: this module imports nothing of sites.py (which imports it)
    id: UUID = Field(description="The site id (also the CloudEvent subject)")

    event = "site_recognition_withdrawn"
    source_event = "Site.RecognitionWithdrawn"
    decision: str
    effective: date
    legal_basis: str
