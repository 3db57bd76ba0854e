"""The own-log read models catch up a page per transaction, mutating each aggregate forward from the
copy reconstructed at its previous version: the rows equal those of projecting every event alone,
with the aggregate read from the repository at its version (the way it was done before)."""
from __future__ import annotations

import pytest

from services.inspections.views import InspectionsViews
from services.manifests.views import ManifestsViews
from services.sites.views import SitesViews
from shared.kit.config import Settings
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Db
from tests.bench.indicators_rebuild import history_for
from tests.history import History

VIEWS = {"sites": SitesViews, "inspections": InspectionsViews, "manifests": ManifestsViews}


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    h = history_for(Settings(data_dir=tmp_path_factory.mktemp("views")))
    h.generate(villages=30, clusters=6, manifests=60, incidents=40)
    yield h
    for app in (h.sites, h.inspections, h.manifests):
        app.close()


def dump(views: OwnLogProjection) -> dict:
    out = {}
    for sql in views.tables:
        table = sql.split("{t:")[1].split("}")[0]
        out[table] = sorted(map(repr, views.rows(f"SELECT * FROM {{t:{table}}}")))
    return out


@pytest.mark.parametrize("service", VIEWS)
def test_a_paged_catch_up_equals_projecting_each_event_alone(history, service):
    app = getattr(history, service)
    paged = VIEWS[service](Db.of(app), app)
    assert paged.rebuild() == app.log_head() > 0

    class OneByOne(VIEWS[service]):  # type: ignore[misc, valid-type]
        name = f"{service}_one_by_one"

    alone = OneByOne(Db.of(app), app)
    alone.reset(OwnLogProjection.SOURCE)
    for n in app.select_notifications(0, app.log_head()):  # no cache: read at the version each time
        alone.apply(OwnLogProjection.SOURCE, {"sequence": n.id, "notification": n,
                                              "event": app.mapper.to_domain_event(n)})
    # the same tables: compare what the first wrote with what the second wrote over it
    one_by_one = dump(alone)
    paged.reset(OwnLogProjection.SOURCE)
    paged.catch_up(page=7)  # small pages: aggregates span pages
    assert dump(paged) == one_by_one
    assert any(one_by_one.values())


def test_a_copy_is_read_from_the_repository_when_the_cache_misses(history):
    app = history.manifests
    views = ManifestsViews(Db.of(app), app)
    notifications = app.select_notifications(0, 50)
    cache: dict = {}
    first = app.mapper.to_domain_event(notifications[0])
    later = [app.mapper.to_domain_event(n) for n in notifications
             if n.originator_id == first.originator_id and n.originator_version == 3]
    aggregate = views.aggregate_at({"event": later[0], "aggregates": cache})  # version 3 without 1 and 2
    assert aggregate.version == 3
    assert cache[first.originator_id] is aggregate
    assert app.repository.get(first.originator_id, version=3).state == aggregate.state
