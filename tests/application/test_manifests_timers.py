"""The manifest timers load only what their read model says is due (each rule's base moment in an
indexed column, the setting's days counted at the tick), on SQLite and PostgreSQL."""
from datetime import date, datetime, timedelta, timezone

from services.manifests.views import ManifestsViews
from shared.kit.sql import Db
from tests.application.test_manifests_app import (  # noqa: F401  (man and clock are fixtures)
    ADMIN, G, GEN, SQL_STORES, clock, man, to_facility)
from tests.application.loads import loads

NOTHING = {"copy4": 0, "transit": 0, "discrepancy": 0, "storage": 0}


@SQL_STORES
def test_a_tick_with_nothing_due_loads_no_aggregate(man, clock):
    for n in range(5):
        to_facility(man, f"CT-N{n}")
    man.declare_stock(GEN, None, G, 2026, "16 01 06", 300, date(2026, 1, 5))
    clock.now += timedelta(days=6)  # 6 days in transit: within the 7
    got = loads(man)
    assert man.check_timers() == NOTHING
    assert got == []


@SQL_STORES
def test_a_tick_loads_only_the_manifests_due_and_a_marked_one_no_more(man, clock):
    first = sorted(to_facility(man, f"CT-F{n}") for n in range(2))
    clock.now += timedelta(days=3)
    later = to_facility(man, "CT-L1")
    clock.now += timedelta(days=4, minutes=1)  # the first two: 7 days and a minute in transit
    got = loads(man)
    assert man.check_timers() == dict(NOTHING, transit=2)
    assert got == first
    got.clear()
    assert man.check_timers() == NOTHING and got == []  # marked; copy 4 still runs (90 days)
    clock.now += timedelta(days=3)
    assert man.check_timers() == dict(NOTHING, transit=1)
    assert got == [later]
    assert man.get_manifest(ADMIN, later)["overdue"] == ["transit"]


@SQL_STORES
def test_a_declaration_is_loaded_again_only_when_its_next_item_is_due(man, clock):
    decl = man.declare_stock(GEN, None, G, 2026, "16 01 06", 300, date(2025, 4, 1))["id"]
    man.declare_stock(GEN, None, G, 2026, "17 02 03", 50, date(2025, 6, 1))
    man.declare_stock(GEN, None, G, 2025, "16 01 06", 80, date(2025, 9, 1))  # another declaration
    clock.now = datetime(2026, 4, 3, 3, 0, tzinfo=timezone.utc)  # the first item: 367 days in store
    got = loads(man)
    assert man.check_timers() == dict(NOTHING, storage=1)
    assert got == [decl]
    got.clear()
    assert man.check_timers() == NOTHING and got == []
    clock.now = datetime(2026, 6, 3, 3, 0, tzinfo=timezone.utc)
    assert man.check_timers() == dict(NOTHING, storage=1)
    assert got == [decl]


@SQL_STORES
def test_the_days_are_counted_at_the_tick_so_a_changed_setting_applies(man, clock):
    mid = to_facility(man, "CT-S1")
    clock.now += timedelta(days=5)
    got = loads(man)
    assert man.check_timers() == NOTHING and got == []
    man.transit_days = 4  # restarted with a shorter transit time: the rows written before follow it
    assert man.check_timers() == dict(NOTHING, transit=1)
    assert got == [mid]


@SQL_STORES
def test_a_data_dir_of_the_release_before_rebuilds_the_due_columns(man, clock):
    """Projected by a release without the due columns: its tables and tracking at the head."""
    mid = to_facility(man, "CT-R1")
    db = Db.of(man)
    with db.transaction() as cur:
        for table in ("manifest_view_v2", "stock_view_v2"):
            cur.execute(f"DROP TABLE {{t:{table}}}")
        cur.execute("DELETE FROM {t:lx_tracking} WHERE projection='manifests_views_v2'")
        cur.execute("INSERT INTO {t:lx_tracking} (projection, source, position) VALUES ('manifests_views', "
                    "'own-log', %s) ON CONFLICT (projection, source) DO NOTHING", (man.log_head(),))
    man.views = ManifestsViews(db, man)  # what the service opens on start (a new process)
    clock.now += timedelta(days=8)
    assert man.check_timers() == dict(NOTHING, transit=1)
    assert man.get_manifest(ADMIN, mid)["overdue"] == ["transit"]
