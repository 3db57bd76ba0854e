"""A write that failed inside eventsourcing's pipeline leaves its connection usable.

psycopg prepares a statement by itself on its sixth execution. Inside a pipeline (eventsourcing's
`insert_events`) it never checks that preparation, and when an earlier statement of the pipeline
fails (a twin's command record still being written, the table's lock not granted in time) the
statement's Parse is skipped: eventsourcing keeps the error inside the pipeline and the
transaction ends by COMMIT, which does not clear psycopg's cache. The connection then counted as
prepared a statement the server never kept, and its next write failed with 'prepared statement
"_pg3_N" does not exist' (CI, stop 26: two replicas acting on one command id). The recorder turns
psycopg's own preparing off on its connections; what eventsourcing prepares on purpose
(`prepare=True`) is checked and stays prepared."""
import threading

import pytest

from services.sites.application import SitesApplication
from shared.kit.config import with_values
from shared.kit.eventstore import _connect, build_env, ddl_turn
from tests.kit.conftest import AGENCY
from tests.ports import sites_ports


@pytest.fixture
def one_connection(settings):
    """The sites Application on PostgreSQL with one pooled connection and a lock timeout of 1 s."""
    if not settings.uses_postgres:
        pytest.skip("psycopg's prepared statements are PostgreSQL's")
    settings = with_values(settings, pg_pool_size=1, pg_max_overflow=0)
    env = {**build_env("sites", settings), "POSTGRES_LOCK_TIMEOUT": "1"}
    with ddl_turn("sites", settings):
        app = SitesApplication(env=env, ports=sites_ports())
    yield app, settings
    app.close()


def test_a_write_that_waited_too_long_for_the_lock_leaves_no_phantom_prepared_statement(one_connection) -> None:
    app, settings = one_connection
    site = app.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    for n in range(4):  # with the registration, five writes: psycopg would prepare their statements at the sixth
        app.set_wwtp(AGENCY, None, site["id"], "planned" if n % 2 else "operating")
    other = _connect(settings)  # another writer holds the log's table for 1.5 s
    other.autocommit = False
    other.execute(f'LOCK TABLE "{app.recorder.datastore.schema}"."{app.recorder.events_table_name}" IN EXCLUSIVE MODE')
    threading.Timer(1.5, other.commit).start()
    try:  # the first attempt times out on the lock; eventsourcing tries again on the same connection
        answer = app.set_wwtp(AGENCY, "after-the-lock", site["id"], "idle")
    finally:
        other.close()
    assert answer["id"] == site["id"]
    assert app.get_site(site["id"])["wwtp"]["status"] == "idle"
    assert app.set_wwtp(AGENCY, "next", site["id"], "operating")["version"] == answer["version"] + 1
