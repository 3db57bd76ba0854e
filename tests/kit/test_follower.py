"""The follower applies each notification exactly once and in order, whatever the transport does:
dropped, duplicated and reordered messages end in the same state as a from-scratch rebuild."""
import random

import pytest

from shared.contracts.registry import event_name
from shared.kit.follower import Follower, MemoryProjection, SqlProjection
from tests.kit.conftest import AGENCY, make_history


class SitesPerPlace(SqlProjection):
    """A test projection over the sites stream: how many active sites each place has, and the
    order in which events were applied (to prove ordering)."""

    name = "test_sites_per_place"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:test_site_place} (site_id TEXT PRIMARY KEY, place TEXT, active INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:test_applied} (seq BIGINT PRIMARY KEY)",
    )

    def project(self, cur, event):
        cur.execute("INSERT INTO {t:test_applied} (seq) VALUES (%s)", (int(event["sequence"]),))
        name = event_name(event["type"])
        sid = event["subject"]
        if name == "site_registered":
            cur.execute("INSERT INTO {t:test_site_place} (site_id, place, active) VALUES (%s, %s, 1)",
                        (sid, event.get("communecode")))
        elif name == "site_jurisdiction_changed":
            cur.execute("UPDATE {t:test_site_place} SET place=%s WHERE site_id=%s", (event["data"]["commune"], sid))
        elif name == "site_deactivated":
            cur.execute("UPDATE {t:test_site_place} SET active=0 WHERE site_id=%s", (sid,))

    def clear(self, cur):
        cur.execute("DELETE FROM {t:test_site_place}")
        cur.execute("DELETE FROM {t:test_applied}")

    def state(self):
        with self.db.transaction(commit=False) as cur:
            places = cur.execute("SELECT site_id, place, active FROM {t:test_site_place} ORDER BY site_id").all()
            applied = [r["seq"] for r in cur.execute("SELECT seq FROM {t:test_applied} ORDER BY seq").all()]
        return places, applied


class CountingBackfill:
    def __init__(self, mapper):
        self.mapper = mapper
        self.calls = 0

    def __call__(self, position, limit):
        self.calls += 1
        return self.mapper.events_since(position, limit)


def test_pushed_messages_are_wake_ups_one_pull_serves_every_message_behind_it(sites_app, mapper, db):
    """A pushed message is never applied as is: the follower pulls from the source; the messages
    queued behind the first are duplicates by then, skipped without I/O."""
    make_history(sites_app)
    events = mapper.events_since(0, 1000)
    backfill = CountingBackfill(mapper)
    follower = Follower("sites", SitesPerPlace(db), backfill)
    assert [follower.handle(e) for e in events] == ["applied"] + ["duplicate"] * (len(events) - 1)
    assert backfill.calls == 1
    assert follower.position == len(events)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dropped_duplicated_and_reordered_messages_end_equal_to_a_rebuild(sites_app, mapper, db, seed):
    make_history(sites_app)
    events = mapper.events_since(0, 1000)
    rng = random.Random(seed)
    delivered = [e for e in events if rng.random() > 0.3]          # ~30 % lost
    delivered += rng.sample(delivered, k=len(delivered) // 2)     # duplicates
    rng.shuffle(delivered)                                        # any order
    projection = SitesPerPlace(db)
    follower = Follower("sites", projection, CountingBackfill(mapper), page=4)
    for e in delivered:
        follower.handle(e)
    follower.catch_up()  # what a follower does on its timer / at start: the tail may have been lost
    incremental = projection.state()
    assert incremental[1] == list(range(1, len(events) + 1))  # every event once, in order

    follower.rebuild()
    assert projection.state() == incremental


def test_cold_start_pulls_everything_then_follows(sites_app, mapper, db):
    make_history(sites_app, n_sites=4)
    projection = SitesPerPlace(db)
    follower = Follower("sites", projection, CountingBackfill(mapper), page=3)
    assert follower.catch_up() == sites_app.log_head()
    sites_app.register_site(AGENCY, None, kind="industrial_zone",
                            name="KCN", old_district="soc-son")
    newest = mapper.events_since(sites_app.log_head() - 1, 10)[0]
    assert follower.handle(newest) == "applied"
    assert follower.handle(newest) == "duplicate"


def test_a_second_projection_instance_never_applies_twice(sites_app, mapper, db):
    """Two followers of the same projection (two replicas): tracking is checked inside the
    transaction, so an event applied by one is skipped by the other."""
    make_history(sites_app, n_sites=3)
    events = mapper.events_since(0, 100)
    a = Follower("sites", SitesPerPlace(db), CountingBackfill(mapper))
    b = Follower("sites", SitesPerPlace(db), CountingBackfill(mapper))
    for e in events:
        a.handle(e)
        assert b.handle(e) == "duplicate"
    assert SitesPerPlace(db).state()[1] == list(range(1, len(events) + 1))


def test_memory_projection_dedups_for_the_cli():
    seen = []
    p = MemoryProjection(seen.append)
    ev = lambda n: {"sequence": f"{n:020d}"}  # noqa: E731
    f = Follower("x", p, lambda pos, lim: [ev(n) for n in range(pos + 1, 4)][:lim])
    assert f.handle(ev(2)) == "applied"
    assert [int(e["sequence"]) for e in seen] == [1, 2, 3]
    assert f.handle(ev(3)) == "duplicate"


def test_duplicates_behind_a_pull_are_drained_without_reading_the_store(sites_app, mapper, db):
    """After a pull, the messages queued for the events it applied are known duplicates: no
    position query each (a catch-up of 1 M events queues as many)."""
    make_history(sites_app)
    events = mapper.events_since(0, 1000)
    projection = SitesPerPlace(db)
    follower = Follower("sites", projection, CountingBackfill(mapper))
    assert follower.handle(events[0]) == "applied"  # the pull applies every event behind the first
    reads = []
    real = projection.view.max_tracking_id
    projection.view.max_tracking_id = lambda source: reads.append(source) or real(source)  # type: ignore[method-assign]
    assert [follower.handle(e) for e in events[1:]] == ["duplicate"] * (len(events) - 1)
    assert reads == [] and follower.duplicates == len(events) - 1
    projection.reset("sites")  # another process rebuilt the view: the next new event is pulled from 0
    sites_app.register_site(AGENCY, None, kind="craft_village", name="Làng Mới", old_district="gia-lam")
    newest = mapper.events_since(int(events[-1]["sequence"]), 10)[-1]
    assert follower.handle(newest) == "applied" and follower.position == int(newest["sequence"])
    assert projection.state() == SitesPerPlace(db).state()
