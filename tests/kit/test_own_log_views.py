"""The own-log read models catch up a page per transaction, mutating each aggregate forward from the
copy reconstructed at its previous version: the rows equal those of projecting every event alone,
with the aggregate read from the repository at its version (the way it was done before)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from eventsourcing.persistence import Tracking

from services.inspections.board import InspectionsBoard
from services.inspections.views import InspectionsViews
from services.manifests.views import ManifestsViews
from services.sites.views import SitesViews
from shared.kit.actor import Actor
from shared.kit.calendar import local_date
from shared.kit.config import Settings
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Db
from tests.bench.indicators_rebuild import history_for
from tests.history import History

VIEWS = {"sites": SitesViews, "inspections": InspectionsViews, "manifests": ManifestsViews}
CASES = [*VIEWS.items(), ("inspections", InspectionsBoard)]  # the staff workspace's board (issue 14) too


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    h = history_for(Settings(data_dir=tmp_path_factory.mktemp("views")))
    h.generate(villages=30, clusters=6, manifests=60, incidents=40)
    inspections_and_violations(h)
    yield h
    for app in (h.sites, h.inspections, h.manifests):
        app.close()


def inspections_and_violations(h: History) -> None:
    """For the staff board: inspections conducted with samples, violations with remedial measures."""
    app, inspector, resident, agency = h.inspections, Actor("i", "inspector"), Actor("tg:r", "resident"), Actor("a", "agency")
    today = local_date(app.clock())
    site = h.sites.register_site(agency, None, kind="industrial_cluster", name="CCN bảng", old_district="gia-lam")["id"]
    firms = [h.sites.register_establishment(agency, None, site_id=site, name=f"Cơ sở bảng {i}", form="enterprise",
                                            registration_code=f"B{i}", trades=[]) for i in range(4)]
    for i, firm in enumerate(firms):
        report = app.report_incident(resident, None, category="wastewater", description="Nước thải", site_id=site)
        ins = app.schedule_inspection(inspector, None, kind="unannounced", scheduled_for=today, site_id=site,
                                      establishment_id=firm["id"], incident_ids=[report["id"]], unit=f"Đội {i % 2}")
        app.conduct_inspection(inspector, None, ins["id"], today, ["a"], "f",
                               [{"parameter": "COD", "value": 100 + 100 * i, "unit": "mg/L"}])
        entry = next(e for e in app.sanctions["entries"] if e["article"] == 15)
        app.record_violation(inspector, None, establishment_id=firm["id"], catalogue_code=entry["code"], description="x",
                             offender_type="organisation", fine_vnd=2 * entry["band_individual_vnd"]["min"],
                             inspection_id=ins["id"], remedial_measures=[
                                 {"measure": f"Biện pháp {n}", "deadline": today + timedelta(days=n + 1)} for n in range(2)])


def dump(views: OwnLogProjection) -> dict:
    out = {}
    for sql in views.tables:
        table = sql.split("{t:")[1].split("}")[0]
        out[table] = sorted(map(repr, views.rows(f"SELECT * FROM {{t:{table}}}")))
    return out


@pytest.mark.parametrize("service, views_class", CASES, ids=[c.__name__ for _, c in CASES])
def test_a_paged_catch_up_equals_projecting_each_event_alone(history, service, views_class):
    app = getattr(history, service)
    paged = views_class(Db.of(app), app)
    assert paged.rebuild() == app.log_head() > 0

    class OneByOne(views_class):  # type: ignore[misc, valid-type]
        name = f"{views_class.name}_one_by_one"

    alone = OneByOne(Db.of(app), app)
    alone.reset(OwnLogProjection.SOURCE)
    for n in app.select_notifications(0, app.log_head()):  # no cache: read at the version each time
        alone.process_event({"sequence": n.id, "notification": n, "event": app.mapper.to_domain_event(n)},
                            Tracking(OwnLogProjection.SOURCE, n.id))
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
