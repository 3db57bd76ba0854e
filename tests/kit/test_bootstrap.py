"""Composition (issue 17): each service's `bootstrap(settings)` builds its store first, the read models
and followed projections on it, and the Application last with every port in its constructor. A port
left out is a TypeError where the Application is built, never a None found by a later command."""
from __future__ import annotations

import dataclasses

import pytest

from services.indicators.application import IndicatorsApplication, IndicatorsPorts
from services.indicators.bootstrap import bootstrap as indicators_bootstrap
from services.inspections.application import InspectionsApplication, InspectionsPorts
from services.inspections.bootstrap import bootstrap as inspections_bootstrap
from services.manifests.application import ManifestsApplication, ManifestsPorts
from services.manifests.bootstrap import bootstrap as manifests_bootstrap
from services.sites.application import SitesApplication, SitesPorts
from services.sites.bootstrap import bootstrap as sites_bootstrap
from shared.kit.actor import Actor
from shared.kit.errors import NotFound
from shared.kit.eventstore import open_store
from shared.kit.store import popo_env
from tests.ports import PORTS

APPS = {"sites": (SitesApplication, SitesPorts), "inspections": (InspectionsApplication, InspectionsPorts),
        "manifests": (ManifestsApplication, ManifestsPorts), "indicators": (IndicatorsApplication, IndicatorsPorts)}
BOOTSTRAPS = {"sites": sites_bootstrap, "inspections": inspections_bootstrap, "manifests": manifests_bootstrap,
              "indicators": indicators_bootstrap}


@pytest.mark.parametrize("service", list(APPS))
def test_an_application_without_its_ports_is_refused_when_it_is_built(service):
    app_class, _ports = APPS[service]
    with pytest.raises(TypeError, match="ports"):
        app_class(env=popo_env())


@pytest.mark.parametrize("service", list(APPS))
def test_every_port_is_required_none_has_a_default(service):
    _app, ports_class = APPS[service]
    fields = dataclasses.fields(ports_class)
    assert fields and all(f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                          for f in fields)
    given = {f.name: getattr(PORTS[service](), f.name) for f in fields[1:]}
    with pytest.raises(TypeError, match=fields[0].name):
        ports_class(**given)  # the first port left out


def test_a_photo_never_uploaded_is_refused_by_the_blob_store_the_application_was_built_with(tmp_path):
    from shared.kit.blobs import BlobStore
    from tests.application.test_inspections_app import FakeDirectory, RESIDENT, SITE

    app = InspectionsApplication(env=popo_env(), ports=PORTS["inspections"](
        directory=FakeDirectory(), blobs=BlobStore(tmp_path / "blobs")))
    with pytest.raises(NotFound) as e:
        app.report_incident(RESIDENT, None, category="wastewater", description="Nước thải", site_id=SITE,
                            photos=["ab" * 32])
    assert e.value.field == "photos"


@pytest.mark.parametrize("service", list(BOOTSTRAPS))
def test_a_bootstrap_builds_the_application_on_its_store_with_the_parts_it_returns(service, settings):
    built = BOOTSTRAPS[service](settings)
    try:
        app, store = built.app, built.store
        assert isinstance(app, APPS[service][0])
        # one store: the Application's recorder, mapper and repository are the store's
        assert (app.factory, app.recorder, app.mapper, app.repository) == (
            store.factory, store.recorder, store.mapper, store.repository)
        # the read models read the log through the store, never through the Application
        assert built.views.app is store
        if service in ("inspections", "manifests"):
            assert app.views is built.views and app.directory is built.follows["sites"]
        if service == "indicators":
            assert app.facts is built.follows["sites"] and app.drill.reports is built.views
            assert sorted(built.follows) == ["inspections", "manifests", "sites"]
    finally:
        built.app.close()


def test_what_the_application_saves_the_read_models_on_the_store_see(settings):
    built = sites_bootstrap(settings)
    try:
        agency = Actor("officer-1", "agency")
        built.app.register_site(agency, None, kind="craft_village", name="Bát Tràng", old_district="gia-lam")
        assert [s["name"] for s in built.views.search("bat trang")] == ["Bát Tràng"]
        assert built.store.log_head() == built.app.log_head() == 1
    finally:
        built.app.close()


def test_a_store_opened_for_one_application_is_refused_by_another(settings):
    store = open_store(SitesApplication, "sites", settings)
    try:
        with pytest.raises(ValueError, match="Sites"):
            IndicatorsApplication(store=store, ports=PORTS["indicators"]())
    finally:
        store.close()
