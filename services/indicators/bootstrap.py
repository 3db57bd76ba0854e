"""The indicators composition root: `bootstrap(settings)` builds the store, the facts its followers
keep (one projection per source, on the same tables), its reports index, and then the Application
with every port in hand (the index reads the own log through the store, never through the Application)."""
from __future__ import annotations

import json

from shared.kit.config import Settings
from shared.kit.eventstore import Composition, closing_on_error, open_store
from services.indicators.application import IndicatorsApplication, IndicatorsPorts
from services.indicators.drill import ReportsIndex
from services.indicators.views import IndicatorFacts

SOURCES = ("sites", "inspections", "manifests")


def bootstrap(settings: Settings) -> Composition:
    s = settings.services
    overrides = json.loads(s.roadmap_file.read_text(encoding="utf-8")) if s.roadmap_file else {}
    with closing_on_error(open_store(IndicatorsApplication, "indicators", settings)) as store:
        db = store.db
        follows = {source: IndicatorFacts(db) for source in SOURCES}
        reports = ReportsIndex(db, store)
        app = IndicatorsApplication(store=store, ports=IndicatorsPorts(
            facts=follows["sites"], reports=reports, validity_years=s.classification_validity_years,
            roadmap_overrides=overrides))
        return Composition(store, app, reports, follows)
