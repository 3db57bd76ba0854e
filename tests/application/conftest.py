import pytest

from shared.kit.config import Settings
from shared.kit.store import app_for, popo_env
from services.sites.application import SitesApplication
from tests.history import Clock


@pytest.fixture(params=["popo", "sqlite", "postgres"])
def store(request, tmp_path, schema_prefix):
    """(Settings or None for POPO) — application tests run on all three stores."""
    if request.param == "popo":
        return None
    if request.param == "postgres":
        return Settings(data_dir=tmp_path, database_url=request.getfixturevalue("pg_url"), schema_prefix=schema_prefix)
    return Settings(data_dir=tmp_path, database_url=None)


@pytest.fixture
def clock():
    from datetime import datetime, timezone

    return Clock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def sites(store, clock):
    if store is None:
        app = SitesApplication(env=popo_env(), clock=clock)
    else:
        app = app_for(SitesApplication, "sites", store)
        app.clock = clock
    yield app
    app.close()
