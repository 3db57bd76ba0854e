import pytest

from shared.kit.config import Settings
from shared.kit.store import popo_env
from services.sites.application import SitesApplication
from tests.history import Clock
from tests.ports import on_store, sites_ports


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
        app = SitesApplication(env=popo_env(), clock=clock, ports=sites_ports())
    else:
        app = on_store(SitesApplication, "sites", store, clock=clock)
    yield app
    app.close()


# -- every application story's public events validate against the AsyncAPI document ---------------
# After each test's body (its fixtures still open), the whole notification log of every service
# application it used (a fixture, or an attribute of one such as History.sites or World.indicators)
# is mapped to CloudEvents by PublicMapper, as the relay would publish it, and validated against
# its channel's payload schema (tests/stream_schema.py); tests/contracts does the same. Together
# their stories produce every kind of public event, so every channel's schema meets real messages
# (the run's summary line counts them and names any type never seen).


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # the test passed: now its applications' logs
    from tests.stream_schema import check_applications

    check_applications(item)
    return result


def pytest_terminal_summary(terminalreporter):
    from tests.stream_schema import write_stories_summary

    write_stories_summary(terminalreporter)
