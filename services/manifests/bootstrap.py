"""The manifests composition root: `bootstrap(settings)` builds the store, the read models on it,
the sites directory its follower keeps, and then the Application with every port in hand (the
read models read the own log through the store, never through the Application)."""
from __future__ import annotations

from shared import reference
from shared.directory import SitesDirectory
from shared.kit.config import Settings
from shared.kit.eventstore import Composition, closing_on_error, open_store
from services.manifests.application import Deadlines, ManifestsApplication, ManifestsPorts
from services.manifests.listing import ManifestsListing
from services.manifests.views import ManifestsViews


def bootstrap(settings: Settings) -> Composition:
    s = settings.services
    with closing_on_error(open_store(ManifestsApplication, "manifests", settings)) as store:
        db = store.db
        directory = SitesDirectory(db)  # the sites follower's projection, and the app's directory
        views = ManifestsViews(db, store)
        ports = ManifestsPorts(
            directory=directory, views=views, listing=ManifestsListing(db, store),
            catalogue=reference.load("waste_codes.json"),
            deadlines=Deadlines(copy4_days=s.copy4_days, transit_days=s.transit_days,
                                discrepancy_days=s.discrepancy_days, storage_days=s.storage_days))
        app = ManifestsApplication(store=store, ports=ports)
        return Composition(store, app, views, {"sites": directory})
