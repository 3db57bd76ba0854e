"""The sites Application's withdrawal of a craft village's recognition (thu hồi danh hiệu), with
the decision and the date it takes effect: from that date the indicators leave the village out
of the recognised villages' denominators (services/indicators). Issue 16; the reference list of
QĐ 2546/QĐ-UBND (2023) is shared/reference/delisting_qd2546.json, loaded by the seed."""
from __future__ import annotations

from datetime import date

from shared.kit.actor import Actor, Role
from services.sites.domainmodel import SiteKind

WITHDRAWERS = (Role.AGENCY, Role.ADMIN, Role.SYSTEM)


class RecognitionCommands:
    """Mixed into SitesApplication (services/sites/application.py)."""

    def withdraw_recognition(self, actor: Actor, command_id: str | None, site_id: str, decision: str,
                             effective: date, legal_basis: str, reason: str | None = None) -> dict:
        def work():  # type: ignore[no-untyped-def]
            site = self._writable_site(actor, site_id, "withdraw a craft village's recognition",  # type: ignore[attr-defined]
                                       WITHDRAWERS)
            site.check_kind("recognition", SiteKind.CRAFT_VILLAGE)
            site.check_withdrawable(effective)
            site.withdraw_recognition(decision=decision, effective=effective.isoformat(), legal_basis=legal_basis,
                                      reason=reason or None, actor=actor.to_dict())
            return [site], self._answer(site)  # type: ignore[attr-defined]

        return self.execute(command_id, work)  # type: ignore[attr-defined]
