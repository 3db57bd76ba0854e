"""The inspections Application: incidents (incidents.py), the annual plan and inspections
(planning.py), violations (violations.py), establishments' reports (reports.py) and the staff's
and inspectors' queries (staff_queries.py, field.py), each a mixin of the one Application here,
which keeps the ports, the helpers they share, the timers and the public-event support.

Plain Python over eventsourcing. What it needs from outside comes in its constructor, every
port required (`InspectionsPorts`, built by services/inspections/bootstrap.py): `directory` (what
the sites stream says about sites and establishments), `blobs` and `photos` (stored photos),
`views` (its own read models), the limit tables, the sanction catalogue, the working days and the
deadlines; and an injectable clock.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.kit.actor import Actor, Role
from shared.kit.calendar import WorkingDays, local_date
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.eventstore import Store
from shared.kit.store import ServiceApplication, cooperatively
from shared.kit.values import parse_uuid as _uuid
from services.inspections.limits import LimitTables
from services.inspections.event_places import EventPlaces
from services.inspections.field import FieldQueries
from services.inspections.incidents import IncidentCommands
from services.inspections.planning import PlanningCommands
from services.inspections.reports import ReportCommands
from services.inspections.staff_queries import StaffQueries
from services.inspections.violations import ViolationCommands
from services.inspections.domainmodel import OPEN_INCIDENT_STATES, IncidentState, incident_id_for
from services.inspections.records import (  # noqa: F401  (re-exported: service.py, inbox.py, the tests)
    STAFF, incident_document, inspection_document, ticket, violation_document,
)

if TYPE_CHECKING:
    from services.inspections.photos import PhotoShelf
    from services.inspections.views import InspectionsViews


class Directory(Protocol):
    def site(self, site_id: str) -> dict | None: ...
    def establishment(self, establishment_id: str) -> dict | None: ...


class Blobs(Protocol):
    """Stored files by sha256 (shared/kit/blobs.py BlobStore): a photo, a report document."""

    def claim(self, digest: str) -> bool: ...
    def get(self, digest: str) -> bytes: ...
    def put(self, data: bytes) -> str: ...


@dataclass(frozen=True)
class Deadlines:
    """The incidents' deadlines: triage (working days), resolution and the reopen window (days)."""

    triage_working_days: int
    resolution_days: int
    reopen_days: int


@dataclass(frozen=True)
class InspectionsPorts:
    """Everything the Application needs from outside, each one required (services/inspections/bootstrap.py
    builds them from settings; tests/ports.py gives fakes)."""

    directory: Directory  # what the sites stream says about sites and establishments
    views: "InspectionsViews"  # its own read models (built on the store, before the Application)
    blobs: Blobs  # stored photos: a command's photos are claimed (safe from the photo GC)
    photos: "PhotoShelf"  # photos in (quota, cleaning) and out (the GC)
    limits: LimitTables  # the QCVN limit tables
    sanctions: dict  # the Decree 45 sanction catalogue
    calendar: WorkingDays  # public holidays and make-up working days
    deadlines: Deadlines


class InspectionsApplication(EventPlaces, IncidentCommands, PlanningCommands, ViolationCommands, ReportCommands,
                             FieldQueries, StaffQueries, ServiceApplication):
    name = "Inspections"

    def __init__(self, env: dict | None = None, *, ports: InspectionsPorts, store: Store | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env, store=store)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.directory: Directory = ports.directory
        self.views = ports.views
        self.blobs = ports.blobs
        self.photo_shelf = ports.photos
        self.limits = ports.limits
        self.sanctions = ports.sanctions
        self.calendar = ports.calendar
        self.triage_working_days = ports.deadlines.triage_working_days
        self.resolution_days = ports.deadlines.resolution_days
        self.reopen_days = ports.deadlines.reopen_days

    # -- helpers ---------------------------------------------------------------------------------
    def _get(self, cls: type, aggregate_id: Any, field: str) -> Any:
        agg = self.get_or_none(_uuid(aggregate_id, field))
        if not isinstance(agg, cls):
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}", field, "exists")
        return agg

    def _known_site(self, site_id: Any, field: str = "site_id") -> dict:
        site = self.directory.site(str(_uuid(site_id, field)))
        if site is None:
            raise NotFound(f"no site {site_id} is known from the sites registry", field, "exists")
        if not site.get("active", True):
            raise InvalidInput(f"site {site.get('name') or site_id} is deactivated", field, "active")
        return site

    def _known_establishment(self, establishment_id: Any, field: str = "establishment_id") -> dict:
        est = self.directory.establishment(str(_uuid(establishment_id, field)))
        if est is None:
            raise NotFound(f"no establishment {establishment_id} is known from the sites registry", field, "exists")
        return est

    def _check_photos(self, photos: list[str], field: str = "photos") -> None:
        for p in photos:
            if not self.blobs.claim(p):  # claimed: safe from the photo GC
                raise NotFound(f"photo {p[:12]}… was not uploaded (store it first)", field, "exists")

    @staticmethod
    def _answer(agg: Any, **extra: Any) -> dict:
        return {"id": str(agg.id), "version": agg.version, **extra}

    def _work(self, command_id: str | None, cls: type, aggregate_id: Any, field: str,
              act: Callable[[Any], None]) -> dict:
        def work():  # type: ignore[no-untyped-def]
            agg = self._get(cls, aggregate_id, field)
            act(agg)
            return [agg], self._answer(agg, state=getattr(agg, "state", None))

        return self.execute(command_id, work)

    # -- timers ----------------------------------------------------------------------------------
    def check_deadlines(self, now: datetime | None = None) -> dict:
        """Emit each overdue event once: triage, resolution, remedial measures; auto-close
        resolved incidents past the reopen window. Loads only the aggregates the read model says
        are due (its indexed due columns), then decides on the aggregate itself."""
        now = now or self.clock()
        system = Actor("timer", Role.SYSTEM).to_dict()
        counts = {"triage": 0, "resolution": 0, "remediation": 0, "closed": 0}
        for iid in cooperatively(self.views.due_incident_ids(now, self.reopen_days)):
            i = self.repository.get(iid)
            changed = False
            if i.state == IncidentState.REPORTED and now > i.triage_due and "triage" not in i.overdue:
                i.mark_overdue(deadline="triage", due=i.triage_due, actor=system)
                counts["triage"] += 1
                changed = True
            if i.state in OPEN_INCIDENT_STATES and now > i.resolution_due and "resolution" not in i.overdue:
                i.mark_overdue(deadline="resolution", due=i.resolution_due, actor=system)
                counts["resolution"] += 1
                changed = True
            if i.state == IncidentState.RESOLVED and i.resolved_at and now > i.resolved_at + timedelta(days=self.reopen_days):
                i.close(reason=f"not reopened within {self.reopen_days} days", reason_code="reopen_window_expired",
                        actor=system)
                counts["closed"] += 1
                changed = True
            if changed:
                self.save_unless_raced(i)
        today = local_date(now)
        for vid in cooperatively(self.views.due_violation_ids(today)):
            v = self.repository.get(vid)
            changed = False
            for m in v.remedial_measures:
                if not m["done"] and date.fromisoformat(m["deadline"]) < today and m["measure"] not in v.overdue:
                    v.mark_overdue(measure=m["measure"], deadline=m["deadline"], actor=system)
                    counts["remediation"] += 1
                    changed = True
            if changed:
                self.save_unless_raced(v)
        return counts


__all__ = ["InspectionsApplication", "InspectionsPorts", "Deadlines", "incident_id_for", "STAFF", "ticket", "incident_document", "inspection_document",
           "violation_document"]
