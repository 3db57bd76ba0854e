"""Commands are idempotent by command id and retried on optimistic-concurrency conflicts, also
across two application instances on one store (two replicas)."""
import threading
from datetime import date
from uuid import UUID

from services.sites.application import SitesApplication
from shared.kit.store import app_for
from tests.kit.conftest import AGENCY
from tests.ports import sites_ports


def run_together(*calls):
    results, errors = [None] * len(calls), []
    barrier = threading.Barrier(len(calls))

    def go(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=go, args=(i, fn)) for i, fn in enumerate(calls)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    return results


def test_the_same_command_id_on_two_replicas_at_once_acts_once(settings):
    a = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    b = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    site = a.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    for round_ in range(40):  # on PostgreSQL 1 round in ~30 used to fail with "pipeline aborted"
        cid = f"wwtp-{round_}"
        r1, r2 = run_together(lambda: a.set_wwtp(AGENCY, cid, site["id"], "planned"),
                              lambda: b.set_wwtp(AGENCY, cid, site["id"], "planned"))
        assert r1 == r2
    assert a.get_site(site["id"])["version"] == 41
    a.close()
    b.close()


def test_concurrent_commands_on_one_aggregate_never_lose_an_update(settings):
    a = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    b = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    site = a.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    items = ["protection_plan", "self_management_group", "drainage", "solid_waste_point"]

    run_together(*[
        (lambda app, item: lambda: app.set_condition(AGENCY, None, site["id"], item, "met", date(2025, 1, 1), "Điều 56"))(
            a if i % 2 else b, item)
        for i, item in enumerate(items)
    ])
    doc = a.get_site(site["id"])
    assert sorted(doc["conditions"]) == sorted(items)
    assert doc["version"] == 1 + len(items)
    a.close()
    b.close()


def test_a_pipeline_aborted_by_the_race_counts_as_the_race_and_nothing_else_does():
    import psycopg
    from eventsourcing.persistence import IntegrityError, OperationalError

    from shared.kit.store import raced

    def caused(error, cause):
        error.__cause__ = cause
        return error

    assert raced(IntegrityError("duplicate key"))
    assert raced(caused(OperationalError("pipeline aborted"), psycopg.errors.PipelineAborted("pipeline aborted")))
    assert not raced(caused(OperationalError("server closed"), psycopg.OperationalError("server closed")))
    assert not raced(OperationalError("pipeline aborted"))
    assert not raced(ValueError("x"))


def interfering_saves(app, other, site_id, races):
    """Make `app`'s next `races` saves lose: just before each, `other` writes to the same site."""
    real_save, count = app.save, {"n": 0}

    def save(*aggregates, **kwargs):
        if count["n"] < races:
            count["n"] += 1
            other.set_wwtp(AGENCY, None, site_id, "planned" if count["n"] % 2 else "idle")
        return real_save(*aggregates, **kwargs)

    app.save = save
    return count


def test_a_command_outlasts_many_lost_races_waiting_longer_and_at_random_between_tries(settings):
    """Eight writers on one site (two replicas of every service on PostgreSQL) made a command lose
    more than five races in a row: it was refused after five immediate retries."""
    a = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    b = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    site = a.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    waits = []
    a.retry_sleep = waits.append
    count = interfering_saves(a, b, site["id"], races=8)
    a.set_condition(AGENCY, "cond-1", site["id"], "drainage", "met", date(2025, 1, 1), "Điều 56")
    assert count["n"] == 8
    doc = a.get_site(site["id"])
    assert list(doc["conditions"]) == ["drainage"]
    assert doc["version"] == 1 + 8 + 1
    assert len(waits) == 8
    assert all(0 <= w <= a.conflict_backoff_max for w in waits)
    assert len(set(waits)) > 1, "the waits are drawn at random, not in step"
    a.close()
    b.close()


def test_a_command_that_always_loses_is_refused_as_a_conflict_with_nothing_saved(settings):
    import pytest

    from shared.kit.errors import Conflict

    a = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    b = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    site = a.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    a.retry_sleep = lambda seconds: None
    interfering_saves(a, b, site["id"], races=10_000)
    with pytest.raises(Conflict, match="too many times"):
        a.set_wwtp(AGENCY, "wwtp-x", site["id"], "operating")
    assert a.recorded_answer("wwtp-x") is None
    assert a.get_site(site["id"])["version"] == 1 + a.conflict_attempts
    a.close()
    b.close()


def test_writers_of_one_aggregate_in_one_process_take_turns_and_lose_no_race(settings):
    """Eight writers on one site in one process (a service once psycopg yields to the hub): each
    waits for the one saving, then decides on what it saved; none loses a race and none is retried."""
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    site = app.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    waits = []
    app.retry_sleep = waits.append
    items = ["protection_plan", "self_management_group", "drainage", "solid_waste_point", "wastewater"]

    def writer(k):
        return lambda: [app.set_condition(AGENCY, None, site["id"], items[(k + j) % 5], "met" if j % 2 else "not_met",
                                          date(2025, 1, 1), "Điều 56") for j in range(5)]

    run_together(*[writer(k) for k in range(8)])
    assert app.get_site(site["id"])["version"] == 1 + 40
    assert waits == [], f"{len(waits)} races lost inside one process"
    assert len(app._turns) == 0, "no lock is kept once its commands are done"
    app.close()


def test_a_writer_that_saved_between_anothers_read_and_its_turn_makes_it_read_again(settings):
    """B reads, decides and saves while A is still deciding: no lock is left for A to wait on, yet
    A's read is stale. A must read again before saving instead of losing the race to the store."""
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    site = app.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    waits, reads = [], []
    app.retry_sleep = waits.append

    def work():  # A's command: read the site, and (the first time) let B finish a whole command meanwhile
        agg = app.repository.get(UUID(site["id"]))
        reads.append(agg.version)
        if len(reads) == 1:
            other = threading.Thread(target=lambda: app.set_wwtp(AGENCY, None, site["id"], "planned"))
            other.start()
            other.join()
        agg.amend({"households": 100 + len(reads)}, actor=AGENCY.to_dict())
        return [agg], {"version": agg.version}

    answer = app.execute(None, work)
    assert reads == [1, 2], "A read again after B's save"
    assert waits == [], f"{len(waits)} races lost inside one process"
    assert answer["version"] == 3 and app.get_site(site["id"])["version"] == 3
    app.close()


def test_a_twin_that_finished_between_the_first_look_and_the_read_gives_its_answer(settings):
    """Two sends of one assign form (a double click the page's script did not stop): B looked for
    its command id and found none; A then acted and saved; B reads what A left, where the state rule
    refuses the command ("cannot assign an incident that is assigned"). B is the same command: it
    answers A's answer, not the refusal (CI, stop 26: tests/staff/test_inbox.py answered 303, 400)."""
    import pytest

    from shared.kit.errors import Conflict

    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    site = app.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    reads = []

    def work():  # B's command; the first time, A (the same command id) runs whole before B reads
        if not reads:
            reads.append("twin")
            twin = threading.Thread(target=lambda: app.execute("retire-1", once))
            twin.start()
            twin.join()
        return once()

    def once():
        agg = app.repository.get(UUID(site["id"]))
        if agg.households == 101:  # the state rule of this test: counted once
            raise Conflict("already amended", "households", "state")
        agg.amend({"households": 101}, actor=AGENCY.to_dict())
        return [agg], {"version": agg.version}

    assert app.execute("retire-1", work) == {"version": 2}
    assert app.get_site(site["id"])["version"] == 2
    with pytest.raises(Conflict, match="already amended"):  # another command id is refused as before
        app.execute("retire-2", once)
    app.close()
