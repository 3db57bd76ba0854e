"""The sites Application: commands (get → call → save) and queries returning plain data.

No nameko, no pydantic: inputs arrive validated by the service's contracts; every command
checks the actor's role and names the legal basis where one applies.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from shared.kit.actor import Actor, Role
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.eventstore import Store
from shared.kit.store import ServiceApplication
from shared.kit.values import coarse, parse_uuid as _uuid, plain as as_dict
from services.sites.evidence import EvidenceShelf
from services.sites.link_commands import LinkCommands, LinkPolicy
from services.sites.places import written_places
from services.sites.recognition_commands import RecognitionCommands
from services.sites.domainmodel import (
    REFORM_BASIS,
    REFORM_DATE,
    ConditionItem,
    PRIVATE_AGGREGATES,
    ConditionState,
    Establishment,
    Site,
    SiteKind,
    SiteNotFound,
    establishment_id_for,
    site_id_for,
)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REGISTRY_WRITERS = (Role.AGENCY, Role.ADMIN, Role.SYSTEM)
ASSESSORS = (Role.AGENCY, Role.ADMIN, Role.INSPECTOR, Role.SYSTEM)
STAFF = (Role.AGENCY, Role.ADMIN, Role.INSPECTOR, Role.SYSTEM)
STAFF_ONLY_TEXT = ("reason", "note", "evidence", "evidence_file")  # staff's own words: never shown to the public (issue 13)


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class SitesPorts:
    """Everything the Application needs from outside, each one required (services/sites/bootstrap.py
    builds them from settings; tests/ports.py gives fakes)."""

    link_policy: LinkPolicy  # the link codes' key and redeeming limits
    evidence: EvidenceShelf  # the Art. 56 checklist's evidence files


class SitesApplication(RecognitionCommands, LinkCommands, ServiceApplication):
    name = "Sites"
    private_aggregates = PRIVATE_AGGREGATES  # the link codes' events never leave the service

    def __init__(self, env: dict | None = None, clock: Callable[[], datetime] | None = None, *,
                 ports: SitesPorts, store: Store | None = None) -> None:
        super().__init__(env, store=store)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._place_cache: dict[UUID, tuple[int, str | None]] = {}
        self.link_policy = ports.link_policy
        self.evidence = ports.evidence

    # -- helpers ---------------------------------------------------------------------------------
    def _site(self, site_id: UUID | str) -> Site:
        site = self.get_or_none(_uuid(site_id, "site_id"))
        if not isinstance(site, Site):
            raise SiteNotFound(f"no site with id {site_id}", "site_id", "exists")
        return site

    def _establishment(self, establishment_id: UUID | str) -> Establishment:
        est = self.get_or_none(_uuid(establishment_id, "establishment_id"))
        if not isinstance(est, Establishment):
            raise NotFound(f"no establishment with id {establishment_id}", "establishment_id", "exists")
        return est

    def _writable_site(self, actor: Actor, site_id: UUID | str, action: str, roles: tuple = REGISTRY_WRITERS) -> Site:
        actor.require(*roles, action=action)
        site = self._site(site_id)
        site.check_active()
        return site

    @staticmethod
    def _answer(aggregate: Any, **extra: Any) -> dict:
        return {"id": str(aggregate.id), "version": aggregate.version, **extra}

    # -- site commands ---------------------------------------------------------------------------
    def register_site(self, actor: Actor, command_id: str | None, *, kind: str, name: str,
                      trade: str | None = None, trade_group: str | None = None, craft_village_cluster: bool = False,
                      old_district: str | None = None, old_commune: str | None = None, commune: str | None = None,
                      location: dict | None = None, households: int | None = None, area_ha: float | None = None,
                      reference_key: str | None = None, source: str | None = None,
                      confidence: str | None = None) -> dict:
        actor.require(*REGISTRY_WRITERS, action="register a site")
        Site.check_registration(kind, old_district, commune, craft_village_cluster)

        def work():  # type: ignore[no-untyped-def]
            if reference_key:
                site_id = site_id_for(reference_key)
                if self.get_or_none(site_id) is not None:
                    raise InvalidInput(f"a site with reference key {reference_key!r} exists already",
                                       "reference_key", "unique")
            site = Site(kind=kind, name=name, trade=trade, trade_group=trade_group,
                        craft_village_cluster=craft_village_cluster, old_district=old_district,
                        old_commune=old_commune, commune=commune, location=coarse(location),
                        households=households, area_ha=area_ha, reference_key=reference_key,
                        source=source, confidence=confidence, actor=actor.to_dict())
            return [site], self._answer(site)

        return self.execute(command_id, work)

    def amend_site(self, actor: Actor, command_id: str | None, site_id: str, changes: dict,
                   source: str | None = None) -> dict:
        changes = {k: v for k, v in changes.items() if k in Site.AMENDABLE}
        if not changes:
            raise InvalidInput(f"nothing to amend; amendable: {', '.join(Site.AMENDABLE)}", "changes", "required")
        if "location" in changes:
            changes["location"] = coarse(changes["location"])

        def work():  # type: ignore[no-untyped-def]
            site = self._writable_site(actor, site_id, "amend a site")
            if changes.get("craft_village_cluster"):
                site.check_kind("craft_village_cluster", SiteKind.INDUSTRIAL_CLUSTER)
            site.amend(changes=changes, actor=actor.to_dict(), source=source)
            return [site], self._answer(site)

        return self.execute(command_id, work)

    def recognise_site(self, actor: Actor, command_id: str | None, site_id: str, decision: str | None,
                       recognised_on: date | None, legal_basis: str) -> dict:
        def work():  # type: ignore[no-untyped-def]
            site = self._writable_site(actor, site_id, "recognise a craft village")
            site.check_kind("recognition", SiteKind.CRAFT_VILLAGE)
            site.recognise(decision=decision, recognised_on=recognised_on.isoformat() if recognised_on else None,
                           legal_basis=legal_basis,
                           actor=actor.to_dict())
            return [site], self._answer(site)

        return self.execute(command_id, work)

    def classify_site(self, actor: Actor, command_id: str | None, site_id: str, classified_on: date,
                      water: str, air: str, soil: str, hanoi_list: int | None, assessor: str,
                      legal_basis: str) -> dict:
        if classified_on > local_today(self.clock()):
            raise InvalidInput("a classification cannot be dated in the future", "classified_on", "not_future")

        def work():  # type: ignore[no-untyped-def]
            site = self._writable_site(actor, site_id, "classify a craft village", ASSESSORS)
            site.check_kind("classification", SiteKind.CRAFT_VILLAGE)
            site.classify(classified_on=classified_on.isoformat(), water=water, air=air, soil=soil,
                          hanoi_list=hanoi_list, assessor=assessor, legal_basis=legal_basis, actor=actor.to_dict())
            return [site], self._answer(site)

        return self.execute(command_id, work)

    def set_condition(self, actor: Actor, command_id: str | None, site_id: str, item: str, state: str,
                      checked_on: date, legal_basis: str, evidence: str | None = None,
                      evidence_file: str | None = None) -> dict:
        if state == ConditionState.NOT_APPLICABLE and item != ConditionItem.CENTRAL_WWTP:
            raise InvalidInput("only the central WWTP item can be not applicable (where none exists)",
                               "state", "applicable")
        if evidence_file and not self.evidence.claim(evidence_file):
            raise InvalidInput("no stored evidence file with that sha256 (store_evidence first)", "evidence_file",
                               "exists")

        def work():  # type: ignore[no-untyped-def]
            site = self._writable_site(actor, site_id, "set an Art. 56 condition", ASSESSORS)
            site.check_kind("conditions", SiteKind.CRAFT_VILLAGE)
            site.set_condition(item=item, state=state, evidence=evidence, checked_on=checked_on.isoformat(),
                               legal_basis=legal_basis, actor=actor.to_dict(), evidence_file=evidence_file)
            return [site], self._answer(site)

        return self.execute(command_id, work)

    def set_wwtp(self, actor: Actor, command_id: str | None, site_id: str, status: str,
                 capacity_m3_day: float | None = None, auto_monitoring: bool | None = None,
                 since: date | None = None, note: str | None = None) -> dict:
        def work():  # type: ignore[no-untyped-def]
            site = self._writable_site(actor, site_id, "set a WWTP status", ASSESSORS)
            site.check_kind("wwtp", SiteKind.CRAFT_VILLAGE, SiteKind.INDUSTRIAL_CLUSTER, SiteKind.INDUSTRIAL_ZONE)
            site.set_wwtp(status=status, capacity_m3_day=capacity_m3_day, auto_monitoring=auto_monitoring,
                          since=since.isoformat() if since else None, note=note, actor=actor.to_dict())
            return [site], self._answer(site)

        return self.execute(command_id, work)

    def record_reform(self, actor: Actor, command_id: str | None, entries: list[dict],
                      effective: date = REFORM_DATE, legal_basis: str = REFORM_BASIS,
                      site_ids_by_unit: Callable[[str, str | None], list[str]] | None = None) -> dict:
        """Apply a reform mapping: each entry maps (old district, old commune) — or one site — to a
        new commune/ward. Sites already carrying that mapping are left as they are."""
        actor.require(*REGISTRY_WRITERS, action="record the reform mapping")
        finder = site_ids_by_unit or (lambda _d, _c: [])

        def work():  # type: ignore[no-untyped-def]
            changed: dict[UUID, Site] = {}
            for entry in entries:
                ids = [entry["site_id"]] if entry.get("site_id") else finder(entry["old_district"], entry.get("old_commune"))
                for sid in ids:
                    site = changed.get(_uuid(sid, "site_id")) or self._site(sid)
                    if not site.active or site.has_jurisdiction(entry["commune"], effective.isoformat()):
                        continue
                    site.change_jurisdiction(commune=entry["commune"], effective=effective.isoformat(),
                                             legal_basis=legal_basis, actor=actor.to_dict())
                    changed[site.id] = site
            return list(changed.values()), {"changed": sorted(str(i) for i in changed)}

        return self.execute(command_id, work)

    def deactivate_site(self, actor: Actor, command_id: str | None, site_id: str, reason: str) -> dict:
        def work():  # type: ignore[no-untyped-def]
            site = self._writable_site(actor, site_id, "deactivate a site")
            site.deactivate(reason=reason, actor=actor.to_dict())
            return [site], self._answer(site)

        return self.execute(command_id, work)

    # -- establishments --------------------------------------------------------------------------
    def register_establishment(self, actor: Actor, command_id: str | None, *, site_id: str, name: str, form: str,
                               registration_code: str, trades: list[str], permit: dict | None = None,
                               hw_generator: bool = False, transporter: bool = False,
                               treatment_facility: bool = False, licence: dict | None = None,
                               source: str | None = None) -> dict:
        actor.require(*REGISTRY_WRITERS, action="register an establishment")
        Establishment.check_licence(transporter, treatment_facility, licence)

        def work():  # type: ignore[no-untyped-def]
            site = self._site(site_id)
            site.check_active()
            est_id = establishment_id_for(site.id, registration_code)
            if self.get_or_none(est_id) is not None:
                raise InvalidInput(f"registration code {registration_code!r} is already registered at this site",
                                   "registration_code", "unique")
            est = Establishment(site_id=site.id, name=name, form=form, registration_code=registration_code,
                                trades=trades, permit=permit, hw_generator=hw_generator, transporter=transporter,
                                treatment_facility=treatment_facility, licence=licence, actor=actor.to_dict(),
                                source=source)
            return [est], self._answer(est)

        return self.execute(command_id, work)

    def amend_establishment(self, actor: Actor, command_id: str | None, establishment_id: str, changes: dict,
                            source: str | None = None) -> dict:
        changes = {k: v for k, v in changes.items() if k in Establishment.AMENDABLE}
        if not changes:
            raise InvalidInput(f"nothing to amend; amendable: {', '.join(Establishment.AMENDABLE)}", "changes", "required")
        actor.require(*REGISTRY_WRITERS, action="amend an establishment")

        def work():  # type: ignore[no-untyped-def]
            est = self._establishment(establishment_id)
            est.check_active()
            merged = {k: changes.get(k, getattr(est, k)) for k in ("transporter", "treatment_facility", "licence")}
            Establishment.check_licence(merged["transporter"], merged["treatment_facility"], merged["licence"])
            est.amend(changes=changes, actor=actor.to_dict(), source=source)
            return [est], self._answer(est)

        return self.execute(command_id, work)

    # -- queries ---------------------------------------------------------------------------------
    def site_at(self, site_id: str, as_of: datetime | None = None, before: datetime | None = None,
                field: str = "as_of") -> Site:
        """The site as the registry knew it at `as_of` (default: now), or just before `before`:
        the version of the last event stored by then (the events' timestamps)."""
        sid = _uuid(site_id, "site_id")
        if as_of is None and before is None:
            return self._site(sid)
        version = None
        for e in self.events.get(sid):
            if (as_of is not None and e.timestamp <= as_of) or (before is not None and e.timestamp < before):
                version = e.originator_version
        if version is None:
            when = (as_of or before).isoformat()  # type: ignore[union-attr]
            raise SiteNotFound(f"site {site_id} was not yet registered at {when}", field, "exists")
        return self.repository.get(sid, version=version)

    def site_as_of(self, site_id: str, at: date) -> dict:
        """The site document as it stood at the end of day `at` (Hanoi time), with its jurisdiction
        on that date, and `as_of` naming the version and when that version was recorded."""
        site = self.site_at(site_id, before=datetime.combine(at + timedelta(days=1), time(0), LOCAL_TZ), field="at")
        recorded = site.modified_on.astimezone(timezone.utc).isoformat()
        return {**site_document(site, at), "as_of": {"date": at.isoformat(), "version": site.version,
                                                     "recorded_at": recorded}}

    def get_site(self, site_id: str, on: date | None = None, as_of: datetime | None = None,
                 staff: bool = True) -> dict:
        """The site document; `staff=False` (anyone but staff) leaves out staff's own words."""
        site = self.site_at(site_id, as_of)
        on = on or (local_today(as_of) if as_of else local_today(self.clock()))
        doc = site_document(site, on)
        return doc if staff else without_staff_text(doc)

    def get_establishment(self, establishment_id: str) -> dict:
        return establishment_document(self._establishment(establishment_id))

    def history(self, actor: Actor, site_id: str) -> list[dict]:
        sid = self._site(site_id).id
        staff = actor.role in STAFF
        out = []
        for e in self.events.get(sid):
            data = {k: v for k, v in vars(e).items() if k not in ("originator_id", "originator_version", "originator_topic", "timestamp", "actor")}
            who = getattr(e, "actor", {}) or {}
            out.append({
                "version": e.originator_version,
                "event": type(e).__name__,
                "time": e.timestamp.astimezone(timezone.utc).isoformat(),
                "actor_role": who.get("role"),
                **({"actor_id": who.get("id")} if staff else {}),
                "data": as_dict(data if staff else {k: v for k, v in data.items() if k not in STAFF_ONLY_TEXT}),
            })
        return out

    # -- public-event support --------------------------------------------------------------------
    def places_for(self, events: list, aggregates: dict) -> dict[int, str | None]:
        """Each event's place, stored with it (services/sites/places.py)."""
        return written_places(self, events, aggregates)

    def place_of(self, domain_event: Any) -> str | None:
        """The commune (or, before the reform mapping, old district) an event stored without its
        place concerns (an older log: newer events carry theirs, services/sites/places.py).

        Read in log order (the relay, events_since), an aggregate's place follows from its previous
        event's place and this event; only on a miss is the aggregate loaded at that version."""
        originator = domain_event.originator_id
        version = domain_event.originator_version
        cached = self._place_cache.get(originator)
        name = type(domain_event).__name__
        if cached and cached[0] == version:
            return cached[1]
        if name == "Registered" and hasattr(domain_event, "old_district"):
            place = domain_event.commune or domain_event.old_district
        elif name == "JurisdictionChanged":
            place = domain_event.commune
        elif cached and cached[0] == version - 1 and not type(domain_event).__qualname__.startswith("Establishment"):
            place = cached[1]
        else:
            aggregate = self.repository.get(originator, version=version)
            if isinstance(aggregate, Site):
                place = aggregate.place_code
            elif isinstance(aggregate, Establishment):
                place = self.repository.get(aggregate.site_id).place_code
            else:
                place = None
        if len(self._place_cache) > 10_000:
            self._place_cache.clear()
        self._place_cache[originator] = (version, place)
        return place


def without_staff_text(value: Any) -> Any:
    """A document without the free text of staff (notes, evidence, reasons), at any depth."""
    if isinstance(value, dict):
        return {k: without_staff_text(v) for k, v in value.items() if k not in STAFF_ONLY_TEXT}
    if isinstance(value, list):
        return [without_staff_text(v) for v in value]
    return value


def site_document(site: Site, on: date) -> dict:
    j = site.jurisdiction_on(on)
    old = site.old_unit
    latest = site.classifications[-1] if site.classifications else None
    return as_dict({
        "id": site.id,
        "version": site.version,
        "kind": site.kind,
        "name": site.name,
        "trade": site.trade,
        "trade_group": site.trade_group,
        "craft_village_cluster": site.craft_village_cluster,
        "on": on,
        "jurisdiction": {"commune": j["commune"], "old_district": j["old_district"], "old_commune": j["old_commune"]},
        "old_district": old["old_district"],
        "old_commune": old["old_commune"],
        "commune": site.commune,
        "jurisdictions": site.jurisdictions,
        "location": site.location,
        "households": site.households,
        "area_ha": site.area_ha,
        "recognition": site.recognition,
        "recognition_withdrawn": getattr(site, "withdrawal", None),
        "classification": latest,
        "classifications": site.classifications,
        "conditions": site.conditions,
        "wwtp": site.wwtp,
        "active": site.active,
        "reference_key": site.reference_key,
        "source": site.source,
        "confidence": site.confidence,
        "created_on": site.created_on,
        "modified_on": site.modified_on,
    })


def establishment_document(est: Establishment) -> dict:
    return as_dict({
        "id": est.id, "version": est.version, "site_id": est.site_id, "name": est.name, "form": est.form,
        "registration_code": est.registration_code, "trades": est.trades, "permit": est.permit,
        "hw_generator": est.hw_generator, "transporter": est.transporter,
        "treatment_facility": est.treatment_facility, "licence": est.licence, "active": est.active,
        "source": getattr(est, "source", None),  # a snapshot taken before sources were kept has none
    })


__all__ = ["SitesApplication", "site_document", "establishment_document"]
