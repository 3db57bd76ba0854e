"""The sites composition root: `bootstrap(settings)` builds the store, the Application on it with
its ports, and its read models on the same store (they read the own log through the store, with
the Application's clock; the Application itself uses no read model)."""
from __future__ import annotations

from shared.kit.config import Settings
from shared.kit.eventstore import Composition, closing_on_error, open_store
from services.sites.application import SitesApplication, SitesPorts
from services.sites.evidence import EvidenceShelf
from services.sites.link_commands import LinkPolicy
from services.sites.views import SitesViews


def bootstrap(settings: Settings) -> Composition:
    with closing_on_error(open_store(SitesApplication, "sites", settings)) as store:
        app = SitesApplication(store=store, ports=SitesPorts(
            link_policy=LinkPolicy.from_settings(settings),  # the link codes' key and attempt limits
            evidence=EvidenceShelf.of(settings)))  # the evidence files' shelf
        return Composition(store, app, SitesViews(store.db, store, clock=app.clock))
