"""Commands are idempotent by command id and retried on optimistic-concurrency conflicts, also
across two application instances on one store (two replicas)."""
import threading

from services.sites.application import SitesApplication
from shared.kit.store import app_for
from tests.kit.conftest import AGENCY


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
    a = app_for(SitesApplication, "sites", settings)
    b = app_for(SitesApplication, "sites", settings)
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
    a = app_for(SitesApplication, "sites", settings)
    b = app_for(SitesApplication, "sites", settings)
    site = a.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    items = ["protection_plan", "self_management_group", "drainage", "solid_waste_point"]
    from datetime import date

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
