"""Violations, their sanctions and remediation, a mixin of InspectionsApplication: recording against
the Decree 45 catalogue, deciding the sanction, the establishment's evidence and its review."""
from __future__ import annotations

from datetime import date
from uuid import UUID

from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.values import parse_uuid as _uuid
from services.inspections import sanctions
from services.inspections.domainmodel import Inspection, NotYours, OffenderType, Violation, check_fine
from services.inspections.records import INSPECTORS, READ_ALL, violation_document


class ViolationCommands:
    """Mixed into InspectionsApplication (uses its repository, ports, clock and helpers)."""

    def catalogue_entry(self, code: str) -> dict:
        for entry in self.sanctions.get("entries", []):
            if entry["code"] == code:
                return entry
        raise NotFound(f"no entry {code!r} in the sanction catalogue {self.sanctions.get('catalogue')}",
                       "catalogue_code", "exists")

    def record_violation(self, actor: Actor, command_id: str | None, *, establishment_id: str, catalogue_code: str,
                         description: str, offender_type: str, fine_vnd: int, inspection_id: str | None = None,
                         additional_sanctions: list[str] | None = None,
                         remedial_measures: list[dict] | None = None) -> dict:
        actor.require(*INSPECTORS, action="record a violation")
        est = self._known_establishment(establishment_id)
        if est.get("form") == "household" and offender_type == OffenderType.ORGANISATION:
            raise InvalidInput("a household establishment is fined as an individual", "offender_type", "household")
        if est.get("form") == "enterprise" and offender_type != OffenderType.ORGANISATION:
            raise InvalidInput("an enterprise is fined as an organisation", "offender_type", "enterprise")
        entry = self.catalogue_entry(catalogue_code)
        sanctions.check_usable(entry)
        check_fine(entry, offender_type, fine_vnd, self.sanctions.get("rules", {}))
        today = local_date(self.clock())
        for m in remedial_measures or []:
            if m["deadline"] <= today:
                raise InvalidInput("a remedial measure's deadline must be after today", "remedial_measures.deadline", "future")
        if inspection_id:
            self._get(Inspection, inspection_id, "inspection_id").check_violation_of(est, establishment_id)
        legal_basis = {"decree": "45/2022/NĐ-CP", "version": self.sanctions.get("version"), "code": entry["code"],
                       "article": entry["article"], "clause": entry["clause"], "point": entry.get("point")}

        def work():  # type: ignore[no-untyped-def]
            v = Violation(establishment_id=_uuid(establishment_id, "establishment_id"), site_id=UUID(est["site_id"]),
                          inspection_id=_uuid(inspection_id, "inspection_id") if inspection_id else None,
                          legal_basis=legal_basis, description=description, offender_type=offender_type,
                          fine_vnd=fine_vnd, additional_sanctions=list(additional_sanctions or []),
                          remedial_measures=[{"measure": m["measure"], "deadline": m["deadline"].isoformat()}
                                             for m in remedial_measures or []], actor=actor.to_dict())
            return [v], self._answer(v, state=v.state)

        return self.execute(command_id, work)

    def decide_sanction(self, actor: Actor, command_id: str | None, violation_id: str, decision_number: str,
                        decided_on: date, fine_vnd: int, authority: str) -> dict:
        actor.require(Role.INSPECTOR, Role.AGENCY, Role.ADMIN, action="decide a sanction")

        def act(v: Violation) -> None:
            entry = self.catalogue_entry(v.legal_basis["code"])
            sanctions.check_usable(entry)
            check_fine(entry, v.offender_type, fine_vnd, self.sanctions.get("rules", {}))
            sanctions.check_authority(self.sanctions, entry, v.offender_type, authority)
            v.decide_sanction(decision_number=decision_number, decided_on=decided_on.isoformat(), fine_vnd=fine_vnd,
                              actor=actor.to_dict())

        return self._work(command_id, Violation, violation_id, "violation_id", act)

    def submit_evidence(self, actor: Actor, command_id: str | None, violation_id: str, text: str,
                        files: list[str]) -> dict:
        actor.require(Role.BUSINESS, action="submit remediation evidence")
        self._check_photos(files, "files")

        def act(v: Violation) -> None:
            if actor.establishment != str(v.establishment_id):
                raise NotYours("only the sanctioned establishment submits its remediation evidence",
                               "actor.establishment", "owner")
            v.submit_evidence(text=text, files=files, actor=actor.to_dict())

        return self._work(command_id, Violation, violation_id, "violation_id", act)

    def review_evidence(self, actor: Actor, command_id: str | None, violation_id: str, accepted: bool,
                        note: str) -> dict:
        actor.require(*INSPECTORS, action="verify remediation")

        def act(v: Violation) -> None:
            if accepted:
                v.close(note=note, actor=actor.to_dict())
            else:
                v.reject_evidence(reason=note, actor=actor.to_dict())

        return self._work(command_id, Violation, violation_id, "violation_id", act)

    def get_violation(self, actor: Actor, violation_id: str) -> dict:
        v = self._get(Violation, violation_id, "violation_id")
        if actor.role not in READ_ALL and not (actor.role == Role.BUSINESS and actor.establishment == str(v.establishment_id)):
            raise NotYours("only staff and the sanctioned establishment may read a violation", "actor.role", "role")
        return violation_document(v)
