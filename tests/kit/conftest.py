import pytest

from services.sites.application import SitesApplication
from shared.contracts.sites import PUBLIC_EVENTS
from shared.kit.actor import Actor
from shared.kit.public import PublicMapper
from shared.kit.sql import Db
from shared.kit.store import app_for
from tests.ports import sites_ports

AGENCY = Actor("officer-1", "agency")


@pytest.fixture
def sites_app(settings):
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    yield app
    app.close()


@pytest.fixture
def mapper(sites_app):
    return PublicMapper("sites", sites_app, PUBLIC_EVENTS, place=sites_app.place_of)


@pytest.fixture
def db(sites_app):
    return Db.of(sites_app)


def make_history(app, n_sites=12):
    """A small but varied history: sites in several districts, some reformed, some changed."""
    districts = ["gia-lam", "ha-dong", "hoai-duc"]
    ids = []
    for i in range(n_sites):
        site = app.register_site(AGENCY, None, kind="craft_village", name=f"Làng {i}", old_district=districts[i % 3],
                                 old_commune=f"Xã {i}")
        ids.append(site["id"])
        if i % 2:
            app.set_wwtp(AGENCY, None, site["id"], "operating" if i % 4 == 1 else "idle")
    app.record_reform(AGENCY, None, [{"site_id": s, "commune": f"xa-{i % 4}"} for i, s in enumerate(ids[: n_sites // 2])])
    app.deactivate_site(AGENCY, None, ids[-1], "duplicate")
    return ids
