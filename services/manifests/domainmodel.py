"""Manifests: hazardous waste from generator to treatment (chứng từ CTNH, Circular 02/2022).

A manifest is created as a draft by the generator, signed at hand-over by the generator (copy 3
stays with it), by each transporter in order at pickup, received and signed by the facility with
measured quantities, treated, and closed when copy 4 is back with the generator. Corrections are
new versions that the parties who had signed sign again; every version stays in the history.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kit.errors import Conflict, Forbidden, InvalidInput
from shared.kit.states import Transitions
from shared.vocabulary import DiscrepancyState, ManifestState  # noqa: F401  (the domain's words, re-exported)

NAMESPACE = uuid5(NAMESPACE_URL, "https://langxanh.vn/manifests")
DISCREPANCY_SHARE = 0.10  # US e-Manifest practice: > 10 % by weight is significant
MAX_LINES = 200
MAX_KG = 1_000_000.0  # 1 000 t on one manifest line is beyond any truck


class OutOfTurn(Conflict):
    pass


class NotYourSignature(Forbidden):
    pass


def _out_of_turn(m: Any, verb: str, allowed: str) -> OutOfTurn:
    return OutOfTurn(f"cannot {verb} manifest {m.number}: it is {m.state} (must be {allowed})", "state", "turn")


# Which state each command starts from (shared/kit/states.py); the command methods check them.
STEPS = Transitions(
    _out_of_turn,
    sign_by_generator=("sign at hand-over", [ManifestState.DRAFT]),
    sign_by_transporter=("sign at pickup", [ManifestState.HANDED_OVER, ManifestState.IN_TRANSIT]),
    receive=("receive", [ManifestState.IN_TRANSIT]),
    reject=("reject", [ManifestState.IN_TRANSIT]),
    treat=("record the treatment of", [ManifestState.RECEIVED]),
    return_copy4=("receive copy 4 of", [ManifestState.TREATED]),
    close=("close", [ManifestState.COPY4_RETURNED]),
    cancel=("cancel", [ManifestState.DRAFT]),
    correct=("correct", [ManifestState.DRAFT, ManifestState.HANDED_OVER, ManifestState.IN_TRANSIT,
                         ManifestState.RECEIVED, ManifestState.TREATED]),
)


def manifest_id_for(generator_id: UUID, number: str) -> UUID:
    """The number is unique per generator: the id derives from both."""
    return uuid5(NAMESPACE, f"manifest:{generator_id}:{number.strip().upper()}")


def line_discrepancy(declared: dict, measured: dict) -> dict | None:
    """A significant discrepancy on one line: a different waste code, or a weight that differs by
    more than 10 % of the declared weight (exactly 10 % is not significant)."""
    if measured["code"] != declared["code"]:
        return {"line": declared["line"], "kind": "waste_type", "declared_code": declared["code"],
                "measured_code": measured["code"]}
    d, m = float(declared["quantity_kg"]), float(measured["quantity_kg"])
    share = abs(m - d) / d if d else (0.0 if m == 0 else float("inf"))
    if share > DISCREPANCY_SHARE + 1e-12:
        return {"line": declared["line"], "kind": "weight", "declared_kg": d, "measured_kg": m,
                "difference_share": round(share, 4)}
    return None


class Manifest(Aggregate):
    @staticmethod
    def create_id(generator_id: UUID, number: str) -> UUID:
        return manifest_id_for(generator_id, number)

    @event("Drafted")
    def __init__(self, generator_id: UUID, number: str, transporters: list[UUID], facility_1: UUID,
                 facility_2: UUID | None, vehicle_plate: str, lines: list[dict], planned_date: str,
                 linked_from: UUID | None, actor: dict) -> None:
        self.generator_id = generator_id
        self.number = number
        self.transporters = list(transporters)
        self.facility_1 = facility_1
        self.facility_2 = facility_2
        self.vehicle_plate = vehicle_plate
        self.lines = [dict(line) for line in lines]
        self.planned_date = planned_date
        self.linked_from = linked_from
        self.links: list[UUID] = []
        self.state = ManifestState.DRAFT.value
        self.manifest_version = 1
        self.versions: list[dict] = [self._snapshot()]
        self.signatures: list[dict] = []
        self.resign: list[str] = []
        self.custody = {"copy1": None, "copy2": None, "copy3": None, "copy4": None}
        self.handed_over_at: datetime | None = None
        self.picked_up_at: datetime | None = None
        self.received: dict | None = None
        self.discrepancy: dict | None = None
        self.treatment: dict | None = None
        self.copy4_returned_at: datetime | None = None
        self.overdue: list[str] = []

    def _snapshot(self) -> dict:
        return {"transporters": [str(t) for t in self.transporters], "facility_1": str(self.facility_1),
                "facility_2": str(self.facility_2) if self.facility_2 else None, "vehicle_plate": self.vehicle_plate,
                "lines": [dict(line) for line in self.lines], "planned_date": self.planned_date}

    # -- checks -----------------------------------------------------------------------------------
    def check_no_resign_pending(self) -> None:
        if self.resign:
            raise OutOfTurn(f"manifest {self.number} version {self.manifest_version} must first be signed again by: "
                            f"{', '.join(self.resign)}", "state", "resign")

    @staticmethod
    def check_lines(lines: list[dict]) -> None:
        if not lines:
            raise InvalidInput("a manifest has at least one waste line", "lines", "required")
        if len(lines) > MAX_LINES:
            raise InvalidInput(f"a manifest has at most {MAX_LINES} lines; split the load", "lines", "max_items")
        for line in lines:
            if not 0 < float(line["quantity_kg"]) <= MAX_KG:
                raise InvalidInput(f"line {line['line']}: quantity must be more than 0 and at most {MAX_KG:,.0f} kg",
                                   "lines.quantity_kg", "range")

    def party_of(self, establishment_id: UUID) -> str | None:
        if establishment_id == self.generator_id:
            return "generator"
        if establishment_id in self.transporters:
            return f"transporter{self.transporters.index(establishment_id) + 1}"
        if establishment_id == self.facility_1:
            return "facility1"
        if establishment_id == self.facility_2:
            return "facility2"
        return None

    def signed(self, party: str) -> bool:
        return any(s["party"] == party and s["version"] == self.manifest_version for s in self.signatures)

    def has_signed(self, party: str) -> bool:
        """Whether `party` signed any version (a receipt or a rejection counts)."""
        return any(s["party"] == party for s in self.signatures)

    def check_facility_turn(self, party: str) -> None:
        """Facility 2 acts only after facility 1 has signed the manifest."""
        if party == "facility2" and not self.has_signed("facility1"):
            raise NotYourSignature(f"facility 1 has not signed manifest {self.number}: facility 2 acts after it",
                                   "state", "turn")

    def next_transporter(self) -> int | None:
        for i in range(len(self.transporters)):
            if not self.signed(f"transporter{i + 1}"):
                return i
        return None

    # -- commands: check, then record -------------------------------------------------------------
    def sign_by_generator(self, at: datetime, actor: dict) -> None:
        STEPS.check(self, "sign_by_generator")
        self._signed_by_generator(at=at, actor=actor)

    def sign_by_transporter(self, party: str | None, at: datetime, actor: dict) -> None:
        """`party` (transporterN) signs at pickup in its turn; None: an administrator signs for the next."""
        STEPS.check(self, "sign_by_transporter")
        self.check_no_resign_pending()
        position = self.next_transporter()
        if position is None:
            raise NotYourSignature(f"every transporter of manifest {self.number} has signed", "state", "twice")
        if party is not None and party != f"transporter{position + 1}":
            if self.signed(party):
                raise NotYourSignature(f"{party} has already signed manifest {self.number}", "state", "twice")
            raise NotYourSignature(f"it is transporter {position + 1}'s turn to sign manifest {self.number}", "state", "turn")
        self._signed_by_transporter(position=position, at=at, actor=actor)

    def receive(self, facility: str, measured: list[dict], at: datetime, discrepancy_days: int, actor: dict) -> None:
        """The facility signs with what it measured, line by line; a significant difference opens a
        discrepancy, due in `discrepancy_days`. (The waste codes are the catalogue's: the caller checks.)"""
        STEPS.check(self, "receive")
        self.check_no_resign_pending()
        if self.next_transporter() is not None:
            raise NotYourSignature(f"transporter {self.next_transporter() + 1} has not signed manifest {self.number}",
                                   "state", "turn")
        by_line = {x["line"]: x for x in measured}
        live = [line for line in self.lines if not line.get("rejected")]
        if sorted(by_line) != [line["line"] for line in live]:
            raise InvalidInput("give a measured quantity for every line, once", "measured", "every_line")
        for x in measured:
            if not 0 <= float(x["quantity_kg"]) <= MAX_KG:
                raise InvalidInput(f"line {x['line']}: measured quantity out of range", "measured.quantity_kg", "range")
        discrepancies = [d for line in live if (d := line_discrepancy(line, by_line[line["line"]]))]
        self._received(facility=facility, measured=measured, discrepancies=discrepancies, at=at,
                       discrepancy_due=at + timedelta(days=discrepancy_days) if discrepancies else None, actor=actor)

    def answer_discrepancy(self, side: str | None, outcome: str, note: str, actor: dict) -> None:
        """Staff (`side` None) decide; either side may escalate; the generator and the receiving
        facility agree when both have accepted the measured quantities."""
        if not self.discrepancy or self.discrepancy["state"] != DiscrepancyState.OPEN:
            raise Conflict(f"manifest {self.number} has no open discrepancy", "state", "discrepancy")
        if side is None or outcome == DiscrepancyState.ESCALATED:
            self._discrepancy_resolved(outcome=outcome, note=note, actor=actor)
            return
        if side in self.discrepancy.get("accepted_by", []):
            raise Conflict(f"{side} has already accepted the discrepancy of manifest {self.number}", "state", "twice")
        self._discrepancy_accepted(party=side, note=note, actor=actor)
        if len(self.discrepancy["accepted_by"]) == 2:
            self._discrepancy_resolved(outcome=outcome, note=note, actor=actor)

    def reject(self, facility: str, lines: list[int] | None, reason: str, at: datetime, actor: dict,
               reason_code: str = "other") -> list[int]:
        """The facility refuses some lines (none named: all of them); the refused line numbers."""
        STEPS.check(self, "reject")
        if self.next_transporter() is not None:
            raise NotYourSignature("the waste has not reached the facility yet", "state", "turn")
        all_lines = [line["line"] for line in self.lines]
        refused = sorted(set(lines)) if lines else all_lines
        if not set(refused) <= set(all_lines):
            raise InvalidInput("rejected lines must be lines of the manifest", "lines", "in_manifest")
        self._rejected(facility=facility, lines=refused, full=refused == all_lines, reason=reason, at=at, actor=actor,
                       reason_code=reason_code)
        return refused

    def treat(self, method: str, treated_on: date, today: date, actor: dict) -> None:
        STEPS.check(self, "treat")
        self.check_no_resign_pending()
        if treated_on > today:
            raise InvalidInput("treatment cannot be dated in the future", "treated_on", "not_future")
        self._treated(method=method, treated_on=treated_on.isoformat(), actor=actor)

    def return_copy4(self, at: datetime, actor: dict) -> None:
        STEPS.check(self, "return_copy4")
        self._copy4_returned(at=at, actor=actor)

    def close(self, actor: dict) -> None:
        STEPS.check(self, "close")
        if self.discrepancy and self.discrepancy["state"] == DiscrepancyState.OPEN:
            raise Conflict(f"manifest {self.number} has an open discrepancy", "state", "discrepancy")
        self._closed(actor=actor)

    def cancel(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        STEPS.check(self, "cancel")
        self._cancelled(reason=reason, actor=actor, reason_code=reason_code)

    def correct(self, changes: dict, reason: str, actor: dict, reason_code: str = "other") -> None:
        """A new version (the caller checked the new route); who had signed signs again."""
        STEPS.check(self, "correct")
        self._corrected(changes=changes, reason=reason, actor=actor, reason_code=reason_code)

    def sign_again(self, party: str, at: datetime, actor: dict) -> None:
        if party not in self.resign:
            raise NotYourSignature(f"{party} has nothing to sign again on manifest {self.number}", "state", "twice")
        self._resigned(party=party, at=at, actor=actor)

    # -- events (their bodies run again on replay: no checks here) ---------------------------------
    @event("SignedByGenerator")
    def _signed_by_generator(self, at: datetime, actor: dict) -> None:
        self.signatures.append({"party": "generator", "version": self.manifest_version, "at": at.isoformat()})
        self.handed_over_at = at
        self.custody = {"copy1": "transporter1", "copy2": "transporter1", "copy3": "generator", "copy4": "transporter1"}
        self.state = ManifestState.HANDED_OVER.value

    @event("SignedByTransporter")
    def _signed_by_transporter(self, position: int, at: datetime, actor: dict) -> None:
        party = f"transporter{position + 1}"
        self.signatures.append({"party": party, "version": self.manifest_version, "at": at.isoformat()})
        self.picked_up_at = self.picked_up_at or at
        self.custody.update(copy1=party, copy2=party, copy4=party)
        self.state = ManifestState.IN_TRANSIT.value

    @event("Received")
    def _received(self, facility: str, measured: list[dict], discrepancies: list[dict], at: datetime,
                  discrepancy_due: datetime | None, actor: dict) -> None:
        self.signatures.append({"party": facility, "version": self.manifest_version, "at": at.isoformat()})
        self.received = {"facility": facility, "at": at.isoformat(), "lines": [dict(m) for m in measured]}
        # copy 1 stays with the transporter or first facility; copy 2 with a second facility
        self.custody.update(copy1=facility if facility == "facility1" else self.custody["copy1"],
                            copy2="facility2" if self.facility_2 else self.custody["copy2"], copy4=facility)
        if discrepancies:
            self.discrepancy = {"state": DiscrepancyState.OPEN.value, "lines": discrepancies,
                                "opened_at": at.isoformat(), "due": discrepancy_due.isoformat() if discrepancy_due else None}
        self.state = ManifestState.RECEIVED.value

    @event("DiscrepancyAccepted")
    def _discrepancy_accepted(self, party: str, note: str, actor: dict) -> None:
        """One side (the generator or the receiving facility) accepts the measured quantities."""
        accepted = sorted(set((self.discrepancy or {}).get("accepted_by", [])) | {party})
        self.discrepancy = dict(self.discrepancy or {}, accepted_by=accepted)

    @event("DiscrepancyResolved")
    def _discrepancy_resolved(self, outcome: str, note: str, actor: dict) -> None:
        self.discrepancy = dict(self.discrepancy or {}, state=outcome, note=note)

    @event("Rejected")
    def _rejected(self, facility: str, lines: list[int], full: bool, reason: str, at: datetime, actor: dict,
                  reason_code: str = "other") -> None:
        self.signatures.append({"party": facility, "version": self.manifest_version, "at": at.isoformat(),
                                "rejected": True})
        for line in self.lines:
            if line["line"] in lines:
                line["rejected"] = True
        if full:
            self.state = ManifestState.REJECTED.value

    @event("Linked")
    def link(self, manifest_id: UUID, actor: dict) -> None:
        """The manifest that carries refused waste on (no state rule: it follows a rejection)."""
        self.links.append(manifest_id)

    @event("Treated")
    def _treated(self, method: str, treated_on: str, actor: dict) -> None:
        self.treatment = {"method": method, "date": treated_on}
        self.state = ManifestState.TREATED.value

    @event("Copy4Returned")
    def _copy4_returned(self, at: datetime, actor: dict) -> None:
        self.copy4_returned_at = at
        self.custody["copy4"] = "generator"
        self.state = ManifestState.COPY4_RETURNED.value

    @event("Closed")
    def _closed(self, actor: dict) -> None:
        self.state = ManifestState.CLOSED.value

    @event("Cancelled")
    def _cancelled(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        self.state = ManifestState.CANCELLED.value

    @event("Corrected")
    def _corrected(self, changes: dict, reason: str, actor: dict, reason_code: str = "other") -> None:
        for key, value in changes.items():
            setattr(self, key, value)
        self.manifest_version += 1
        self.versions.append(dict(self._snapshot(), reason=reason))
        signed_before = {s["party"] for s in self.signatures if not s.get("rejected")}
        self.resign = sorted(signed_before)

    @event("Resigned")
    def _resigned(self, party: str, at: datetime, actor: dict) -> None:
        self.signatures.append({"party": party, "version": self.manifest_version, "at": at.isoformat()})
        self.resign = [p for p in self.resign if p != party]

    @event("Overdue")
    def mark_overdue(self, rule: str, since: str, actor: dict) -> None:
        """The timer's mark (once per rule, the timer checks): no state rule."""
        self.overdue.append(rule)


class StockDeclaration(Aggregate):
    """A generator's declared hazardous-waste stock for a year (from its permit/registration
    reporting): what it holds, by code, and since when."""

    @staticmethod
    def create_id(generator_id: UUID, year: int) -> UUID:
        return uuid5(NAMESPACE, f"stock:{generator_id}:{year}")

    @event("Opened")
    def __init__(self, generator_id: UUID, year: int, actor: dict) -> None:
        self.generator_id = generator_id
        self.year = year
        self.items: list[dict] = []
        self.overdue: list[int] = []

    @event("Declared")
    def declare(self, code: str, quantity_kg: float, stored_since: str, actor: dict) -> None:
        self.items.append({"code": code, "quantity_kg": quantity_kg, "stored_since": stored_since})

    @event("StoredTooLong")
    def mark_stored_too_long(self, item: int, actor: dict) -> None:
        self.overdue.append(item)


class WasteCatalogue(Aggregate):
    """Versions of the national hazardous-waste list; the newest loaded is in force."""

    ID = uuid5(NAMESPACE, "waste-catalogue")

    @staticmethod
    def create_id() -> UUID:
        return WasteCatalogue.ID

    @event("Started")
    def __init__(self, actor: dict) -> None:
        self.versions: list[dict] = []

    @event("VersionLoaded")
    def load_version(self, version: str, title: str, source: str, codes: list[dict], actor: dict) -> None:
        self.versions.append({"version": version, "title": title, "source": source, "codes": codes})

    def in_force(self) -> dict | None:
        return self.versions[-1] if self.versions else None


AGGREGATES = (Manifest, StockDeclaration, WasteCatalogue)

