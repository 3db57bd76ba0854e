"""The manifests Application: drafts, signatures in turn, receipt with measured quantities and
discrepancies, rejection and re-routing, corrections as versions, treatment, copy 4, timers,
and, in the RegisterCommands mixin (registers.py), the waste-code catalogue, stock declarations
and the mass balance. Plain Python: each command checks who acts, then calls the Manifest's
command method, which checks the turn (its state) before it records the event."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from shared.kit.errors import Conflict, InvalidInput, NotFound
from shared.kit.eventstore import Store
from shared.kit.store import ServiceApplication, cooperatively
from shared.kit.values import parse_uuid as _uuid, plain
from services.manifests.registers import READ_ALL, RegisterCommands
from services.manifests.event_places import EventPlaces
from services.manifests.oversight import ManifestsOversight
from services.manifests.domainmodel import (
    DiscrepancyState, Manifest, ManifestState, NotYourSignature, manifest_id_for,
)

if TYPE_CHECKING:
    from services.manifests.listing import ManifestsListing
    from services.manifests.views import ManifestsViews

PARTY_ROLES = {"generator": Role.BUSINESS, "transporter": Role.TRANSPORTER, "facility": Role.TREATMENT_FACILITY}


class Directory(Protocol):
    def establishment(self, establishment_id: str) -> dict | None: ...


@dataclass(frozen=True)
class Deadlines:
    """Days until copy 4 is due, a shipment is overdue in transit, a discrepancy is overdue, and
    stored waste must leave."""

    copy4_days: int
    transit_days: int
    discrepancy_days: int
    storage_days: int


@dataclass(frozen=True)
class ManifestsPorts:
    """Everything the Application needs from outside, each one required (services/manifests/bootstrap.py
    builds them from settings; tests/ports.py gives fakes)."""

    directory: Directory  # what the sites stream says about establishments
    views: "ManifestsViews"  # its own read models (built on the store, before the Application)
    listing: "ManifestsListing"  # the staff's manifest listing (its own log, on the store)
    catalogue: dict  # the shipped waste-code catalogue
    deadlines: Deadlines


class ManifestsApplication(EventPlaces, RegisterCommands, ServiceApplication):
    name = "Manifests"

    def __init__(self, env: dict | None = None, *, ports: ManifestsPorts, store: Store | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env, store=store)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.directory: Directory = ports.directory
        self.views = ports.views
        self.shipped_catalogue = ports.catalogue
        d = ports.deadlines
        self.copy4_days, self.transit_days, self.discrepancy_days, self.storage_days = (
            d.copy4_days, d.transit_days, d.discrepancy_days, d.storage_days)
        self._generator_of: dict[Any, Any] = {}
        self.oversight = ManifestsOversight(self, ports.listing)  # the staff queries over the listing

    # -- helpers ---------------------------------------------------------------------------------
    def _manifest(self, manifest_id: Any) -> Manifest:
        m = self.get_or_none(_uuid(manifest_id, "manifest_id"))
        if not isinstance(m, Manifest):
            raise NotFound(f"no manifest with id {manifest_id}", "manifest_id", "exists")
        return m

    def _establishment(self, establishment_id: Any, field: str, need: str | None = None) -> dict:
        est = self.directory.establishment(str(_uuid(establishment_id, field)))
        if est is None or not est.get("active", True):
            raise NotFound(f"no active establishment {establishment_id} is known from the sites registry", field, "exists")
        if need and not est.get(need):
            what = {"hw_generator": "a hazardous-waste generator", "transporter": "a licensed transporter",
                    "treatment_facility": "a licensed treatment facility"}[need]
            raise InvalidInput(f"{est.get('name') or establishment_id} is not registered as {what}", field, need)
        return est

    def _as_party(self, actor: Actor, m: Manifest, kind: str) -> str:
        """The party this actor signs as; refuses someone signing for another party."""
        actor.require(PARTY_ROLES[kind], Role.ADMIN, action=f"sign as {kind}")
        if actor.role == Role.ADMIN:
            return kind
        party = m.party_of(_uuid(actor.establishment, "actor.establishment")) if actor.establishment else None
        if party is None or not party.startswith(kind):
            raise NotYourSignature(f"your establishment is not the {kind} of manifest {m.number}", "actor.establishment",
                                   "own_signature")
        m.check_facility_turn(party)
        return party

    def _work(self, command_id: str | None, manifest_id: Any, act: Callable[[Manifest], None]) -> dict:
        def work():  # type: ignore[no-untyped-def]
            m = self._manifest(manifest_id)
            act(m)
            return [m], {"id": str(m.id), "version": m.version, "state": m.state, "manifest_version": m.manifest_version}

        return self.execute(command_id, work)

    def _check_codes_permitted(self, facility: dict, lines: list[dict], field: str) -> None:
        permitted = set((facility.get("licence") or {}).get("waste_codes", []))
        for line in lines:
            if line["code"] not in permitted:
                raise InvalidInput(f"{facility.get('name') or facility['id']}'s licence does not permit waste code "
                                   f"{line['code']}", field, "licence")

    def _validate_route(self, generator_id: str, transporters: list[str], facility_1: str, facility_2: str | None,
                        lines: list[dict]) -> None:
        Manifest.check_lines(lines)
        for i, line in enumerate(lines):
            if line["line"] != i + 1:
                raise InvalidInput("lines are numbered 1, 2, 3… in order", "lines.line", "order")
            self.waste_code(line["code"])
        self._establishment(generator_id, "generator_id", "hw_generator")
        if not transporters:
            raise InvalidInput("name at least one transporter, in pickup order", "transporters", "required")
        if len(set(transporters)) != len(transporters):
            raise InvalidInput("a transporter appears twice", "transporters", "unique")
        for t in transporters:
            self._establishment(t, "transporters", "transporter")
        for field, fid in (("facility_1", facility_1), ("facility_2", facility_2)):
            if fid:
                self._check_codes_permitted(self._establishment(fid, field, "treatment_facility"), lines, field)

    # -- commands --------------------------------------------------------------------------------
    def create_manifest(self, actor: Actor, command_id: str | None, *, generator_id: str, number: str,
                        transporters: list[str], facility_1: str, vehicle_plate: str, lines: list[dict],
                        planned_date: date, facility_2: str | None = None, linked_from: str | None = None) -> dict:
        actor.require(Role.BUSINESS, Role.ADMIN, action="file a manifest")
        if actor.role == Role.BUSINESS and actor.establishment != str(_uuid(generator_id, "generator_id")):
            raise NotYourSignature("a business files manifests for its own establishment only", "generator_id", "own")
        self._validate_route(generator_id, transporters, facility_1, facility_2, lines)

        def work():  # type: ignore[no-untyped-def]
            gid = _uuid(generator_id, "generator_id")
            if self.get_or_none(manifest_id_for(gid, number)) is not None:
                raise Conflict(f"the generator already has a manifest numbered {number}", "number", "unique")
            m = Manifest(generator_id=gid, number=number, transporters=[_uuid(t, "transporters") for t in transporters],
                         facility_1=_uuid(facility_1, "facility_1"),
                         facility_2=_uuid(facility_2, "facility_2") if facility_2 else None, vehicle_plate=vehicle_plate,
                         lines=lines, planned_date=planned_date.isoformat(),
                         linked_from=_uuid(linked_from, "linked_from") if linked_from else None, actor=actor.to_dict())
            return [m], {"id": str(m.id), "version": m.version, "state": m.state, "manifest_version": 1}

        return self.execute(command_id, work)

    def sign_handover(self, actor: Actor, command_id: str | None, manifest_id: str) -> dict:
        def act(m: Manifest) -> None:
            self._as_party(actor, m, "generator")
            m.sign_by_generator(at=self.clock(), actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def sign_pickup(self, actor: Actor, command_id: str | None, manifest_id: str) -> dict:
        def act(m: Manifest) -> None:
            party = self._as_party(actor, m, "transporter")
            m.sign_by_transporter(party=None if actor.role == Role.ADMIN else party, at=self.clock(), actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def receive(self, actor: Actor, command_id: str | None, manifest_id: str, measured: list[dict]) -> dict:
        def act(m: Manifest) -> None:
            party = self._as_party(actor, m, "facility")
            for x in measured:
                self.waste_code(x["code"], "measured.code")
            m.receive(facility=party if party != "facility" else "facility1", measured=measured, at=self.clock(),
                      discrepancy_days=self.discrepancy_days, actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def resolve_discrepancy(self, actor: Actor, command_id: str | None, manifest_id: str, outcome: str,
                            note: str) -> dict:
        actor.require(Role.BUSINESS, Role.TREATMENT_FACILITY, Role.AGENCY, Role.INSPECTOR, Role.ADMIN,
                      action="resolve a discrepancy")

        def act(m: Manifest) -> None:
            side = None
            if actor.role in (Role.BUSINESS, Role.TREATMENT_FACILITY):
                side = self._as_party(actor, m, "generator" if actor.role == Role.BUSINESS else "facility")
                if side.startswith("facility") and side != (m.received or {}).get("facility"):
                    raise NotYourSignature(f"{side} did not receive manifest {m.number}", "actor.establishment", "party")
            m.answer_discrepancy(side=side, outcome=outcome, note=note, actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def reject(self, actor: Actor, command_id: str | None, manifest_id: str, lines: list[int] | None, reason: str,
               alternate_facility: str | None, number: str, reason_code: str = "other") -> dict:
        """The facility refuses all (lines=None) or some lines; a new linked manifest takes the
        refused waste to an alternate facility, or back to the generator."""
        if alternate_facility:
            self._establishment(alternate_facility, "alternate_facility", "treatment_facility")

        def work():  # type: ignore[no-untyped-def]
            m = self._manifest(manifest_id)
            party = self._as_party(actor, m, "facility")
            refused = m.reject(facility=party if party != "facility" else "facility1", lines=lines, reason=reason,
                               reason_code=reason_code, at=self.clock(), actor=actor.to_dict())
            full = m.state == ManifestState.REJECTED
            moved = [dict({k: v for k, v in line.items() if k != "rejected"}, line=i + 1)
                     for i, line in enumerate(x for x in m.lines if x["line"] in refused)]
            if alternate_facility:
                self._check_codes_permitted(self._establishment(alternate_facility, "alternate_facility"), moved,
                                            "alternate_facility")
                destination = _uuid(alternate_facility, "alternate_facility")
            else:
                destination = m.generator_id  # back to the generator
            linked = Manifest(generator_id=m.generator_id, number=number, transporters=list(m.transporters),
                              facility_1=destination, facility_2=None, vehicle_plate=m.vehicle_plate, lines=moved,
                              planned_date=local_date(self.clock()).isoformat(), linked_from=m.id, actor=actor.to_dict())
            if self.get_or_none(linked.id) is not None:
                raise Conflict(f"the generator already has a manifest numbered {number}", "number", "unique")
            m.link(manifest_id=linked.id, actor=actor.to_dict())
            return [m, linked], {"id": str(m.id), "state": m.state, "linked_manifest": str(linked.id),
                                 "full": full, "to": "alternate_facility" if alternate_facility else "generator"}

        return self.execute(command_id, work)

    def treat(self, actor: Actor, command_id: str | None, manifest_id: str, method: str, treated_on: date) -> dict:
        def act(m: Manifest) -> None:
            self._as_party(actor, m, "facility")
            m.treat(method=method, treated_on=treated_on, today=local_date(self.clock()), actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def return_copy4(self, actor: Actor, command_id: str | None, manifest_id: str) -> dict:
        def act(m: Manifest) -> None:
            self._as_party(actor, m, "generator")
            m.return_copy4(at=self.clock(), actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def close_manifest(self, actor: Actor, command_id: str | None, manifest_id: str) -> dict:
        def act(m: Manifest) -> None:
            if actor.role != Role.AGENCY:
                self._as_party(actor, m, "generator")
            m.close(actor=actor.to_dict())

        actor.require(Role.BUSINESS, Role.AGENCY, Role.ADMIN, action="close a manifest")
        return self._work(command_id, manifest_id, act)

    def cancel_manifest(self, actor: Actor, command_id: str | None, manifest_id: str, reason: str,
                        reason_code: str = "other") -> dict:
        def act(m: Manifest) -> None:
            self._as_party(actor, m, "generator")
            m.cancel(reason=reason, reason_code=reason_code, actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def correct(self, actor: Actor, command_id: str | None, manifest_id: str, changes: dict, reason: str,
                reason_code: str = "other") -> dict:
        def act(m: Manifest) -> None:
            self._as_party(actor, m, "generator")
            merged = {"transporters": [str(t) for t in m.transporters], "facility_1": str(m.facility_1),
                      "facility_2": str(m.facility_2) if m.facility_2 else None, "lines": m.lines}
            merged.update(changes)
            self._validate_route(str(m.generator_id), merged["transporters"], merged["facility_1"],
                                 merged["facility_2"], merged["lines"])
            typed = dict(changes)
            for key in ("facility_1", "facility_2"):
                if typed.get(key):
                    typed[key] = _uuid(typed[key], key)
            if "transporters" in typed:
                typed["transporters"] = [_uuid(t, "transporters") for t in typed["transporters"]]
            if "planned_date" in typed:
                typed["planned_date"] = typed["planned_date"].isoformat()
            m.correct(changes=typed, reason=reason, reason_code=reason_code, actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def sign_again(self, actor: Actor, command_id: str | None, manifest_id: str) -> dict:
        actor.require(Role.BUSINESS, Role.TRANSPORTER, Role.TREATMENT_FACILITY, action="sign a corrected manifest again")

        def act(m: Manifest) -> None:
            kind = {Role.BUSINESS: "generator", Role.TRANSPORTER: "transporter",
                    Role.TREATMENT_FACILITY: "facility"}[actor.role]
            party = self._as_party(actor, m, kind)
            m.sign_again(party=party, at=self.clock(), actor=actor.to_dict())

        return self._work(command_id, manifest_id, act)

    def bulk_sign(self, actor: Actor, command_id: str | None, manifest_ids: list[str], step: str,
                  method: str | None = None, treated_on: date | None = None) -> dict:
        """A transporter signs many pickups, or a facility many treatments, in one command. Each
        manifest is its own transaction; the answer says which signed and why others did not."""
        results = []
        for mid in manifest_ids:
            sub = f"{command_id}:{mid}" if command_id else None
            try:
                if step == "pickup":
                    self.sign_pickup(actor, sub, mid)
                else:
                    if not method or treated_on is None:
                        raise InvalidInput("a bulk treatment names the method and the date", "method", "required")
                    self.treat(actor, sub, mid, method, treated_on)
                results.append({"manifest_id": str(mid), "signed": True})
            except (Conflict, InvalidInput, NotFound, NotYourSignature) as e:
                results.append({"manifest_id": str(mid), "signed": False, "error": e.as_dict()})
        if all(not r["signed"] for r in results) and results and results[0]["error"]["kind"] == "forbidden":
            raise NotYourSignature(results[0]["error"]["message"], "actor.role", "role")
        return {"signed": sum(r["signed"] for r in results), "results": results}

    # -- queries ---------------------------------------------------------------------------------
    def get_manifest(self, actor: Actor, manifest_id: str) -> dict:
        m = self._manifest(manifest_id)
        if actor.role not in READ_ALL:
            party = m.party_of(_uuid(actor.establishment, "actor.establishment")) if actor.establishment else None
            if party is None:
                raise NotYourSignature(f"manifest {m.number} does not name your establishment", "actor.establishment", "party")
        return manifest_document(m)

    # -- timers ----------------------------------------------------------------------------------
    def check_timers(self, now: datetime | None = None) -> dict:
        now = now or self.clock()
        system = Actor("timer", Role.SYSTEM).to_dict()
        counts = {"copy4": 0, "transit": 0, "discrepancy": 0, "storage": 0}
        for mid in cooperatively(self.views.due_manifest_ids(now, self.copy4_days, self.transit_days,
                                                             self.discrepancy_days)):
            m = self.repository.get(mid)
            rules = []
            if m.handed_over_at and m.copy4_returned_at is None and m.state not in ("closed", "cancelled", "rejected") \
                    and now > m.handed_over_at + timedelta(days=self.copy4_days):
                rules.append(("copy4", m.handed_over_at))
            if m.state == ManifestState.IN_TRANSIT and m.picked_up_at and now > m.picked_up_at + timedelta(days=self.transit_days):
                rules.append(("transit", m.picked_up_at))
            if m.discrepancy and m.discrepancy["state"] == DiscrepancyState.OPEN and \
                    now > datetime.fromisoformat(m.discrepancy["opened_at"]) + timedelta(days=self.discrepancy_days):
                rules.append(("discrepancy", datetime.fromisoformat(m.discrepancy["opened_at"])))
            fresh = [(r, since) for r, since in rules if r not in m.overdue]
            for rule, since in fresh:
                m.mark_overdue(rule=rule, since=since.isoformat(), actor=system)
                counts[rule] += 1
            if fresh:
                self.save_unless_raced(m)
        today = local_date(now)
        for did in cooperatively(self.views.due_stock_ids(today, self.storage_days)):
            d = self.repository.get(did)
            late = [i for i, item in enumerate(d.items) if i not in d.overdue
                    and (today - date.fromisoformat(item["stored_since"])).days > self.storage_days]
            for i in late:
                d.mark_stored_too_long(item=i, actor=system)
                counts["storage"] += 1
            if late:
                self.save_unless_raced(d)
        return counts


def manifest_document(m: Manifest) -> dict:
    return plain({
        "id": m.id, "version": m.version, "number": m.number, "state": m.state, "manifest_version": m.manifest_version,
        "generator_id": m.generator_id, "transporters": m.transporters, "facility_1": m.facility_1,
        "facility_2": m.facility_2, "vehicle_plate": m.vehicle_plate, "lines": m.lines, "planned_date": m.planned_date,
        "signatures": m.signatures, "resign": m.resign, "custody": m.custody, "received": m.received,
        "discrepancy": m.discrepancy, "treatment": m.treatment, "copy4_returned_at": m.copy4_returned_at,
        "linked_from": m.linked_from, "links": m.links, "versions": m.versions, "overdue": m.overdue,
    })


__all__ = ["ManifestsApplication", "manifest_document"]
