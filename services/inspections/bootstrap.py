"""The inspections composition root: `bootstrap(settings)` builds the store, the read models on it,
the sites directory its follower keeps, and then the Application with every port in hand.

Order (no cycle): the store first (shared/kit/eventstore.py), the read models of the own log on
the store (they read the log through it, never through the Application), the photo shelf, then
the Application, which uses them all."""
from __future__ import annotations

from shared import reference
from shared.kit.blobs import BlobStore
from shared.kit.calendar import WorkingDays
from shared.kit.config import Settings
from shared.kit.eventstore import Composition, closing_on_error, open_store
from shared.kit.photos import PhotoLimits
from services.inspections.application import Deadlines, InspectionsApplication, InspectionsPorts
from services.inspections.limits import LimitTables
from services.inspections.permit_directory import InspectionsDirectory
from services.inspections.photos import PhotoShelf
from services.inspections.views import InspectionsViews


def working_days() -> WorkingDays:
    """Vietnam's public holidays and the Saturdays worked to make up a swap (reference data)."""
    days = reference.load("vn_holidays.json")
    return WorkingDays(days["days"], [d["date"] for d in days.get("makeup_working_days", [])])


def bootstrap(settings: Settings) -> Composition:
    s = settings.services
    with closing_on_error(open_store(InspectionsApplication, "inspections", settings)) as store:
        db = store.db
        directory = InspectionsDirectory(db)  # the sites follower's projection, and the app's directory
        blobs = BlobStore(settings.data_dir / "blobs", PhotoLimits.of(settings))
        photos = PhotoShelf.of(store, blobs, settings)  # its references read the log through the store
        views = InspectionsViews(db, store)
        ports = InspectionsPorts(
            directory=directory, views=views, blobs=blobs, photos=photos,
            limits=LimitTables(reference.limit_tables(s.limit_tables_dir)),
            sanctions=reference.load("sanctions_decree45.json"), calendar=working_days(),
            deadlines=Deadlines(triage_working_days=s.triage_working_days, resolution_days=s.resolution_days,
                                reopen_days=s.reopen_days))
        app = InspectionsApplication(store=store, ports=ports)
        return Composition(store, app, views, {"sites": directory})
