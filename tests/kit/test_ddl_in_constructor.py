"""An Application that creates its tables in its constructor (the staff workspace's does) is built
by app_for on either store: on PostgreSQL app_for holds the schema's DDL lock while it builds the
app, and the constructor's DDL must not wait for that lock on another connection (it hung the
gateway at start)."""
import threading

from shared.kit.sql import Db
from shared.kit.store import ServiceApplication, app_for


class TablesAtBirth(ServiceApplication):
    name = "TablesAtBirth"

    def __init__(self, env=None):  # type: ignore[no-untyped-def]
        super().__init__(env)
        self.db = Db.of(self)
        self.db.execute_script("CREATE TABLE IF NOT EXISTS {t:born_with} (k TEXT PRIMARY KEY)")


def test_an_application_making_tables_in_its_constructor_is_built_on_both_stores(settings):
    built: list = []
    worker = threading.Thread(target=lambda: built.append(app_for(TablesAtBirth, "born", settings)), daemon=True)
    worker.start()
    worker.join(30)
    assert built, "app_for did not return: the constructor's DDL waited for app_for's own lock"
    with built[0].db.transaction() as cur:
        cur.execute("INSERT INTO {t:born_with} (k) VALUES (%s)", ("one",))
    with built[0].db.transaction() as cur:
        assert cur.execute("SELECT COUNT(*) FROM {t:born_with}").scalar(0) == 1
    built[0].close()
