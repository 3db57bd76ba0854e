"""The deadline timer loads only the aggregates its read model says are due (indexed due columns),
on SQLite and PostgreSQL: none when nothing is due, just the due ones, and a marked one no more."""
from datetime import date, datetime, timedelta, timezone

from tests.application.test_inspections_app import (  # noqa: F401  (insp and clock are fixtures)
    AGENCY, FIRM, INSPECTOR, SQL_STORES, clock, directory, insp, record, report)
from tests.application.loads import loads

NOTHING = {"triage": 0, "resolution": 0, "remediation": 0, "closed": 0}


@SQL_STORES
def test_a_tick_with_nothing_due_loads_no_aggregate(insp, clock):
    for _ in range(6):
        report(insp)
    for deadline in (date(2026, 4, 1), date(2026, 5, 1)):
        record(insp, FIRM, "organisation", remedial_measures=[{"measure": "Lắp hệ thống xử lý", "deadline": deadline}])
    clock.now = datetime(2026, 3, 9, 3, 0, tzinfo=timezone.utc)  # Monday: the first triage is due Tuesday
    got = loads(insp)
    assert insp.check_deadlines() == NOTHING
    assert got == []


@SQL_STORES
def test_a_tick_loads_only_the_due_incidents_and_a_marked_one_no_more(insp, clock):
    friday = sorted(report(insp)["id"] for _ in range(3))  # triage due Tuesday 10 March, 23:59:59 local
    clock.now = datetime(2026, 3, 9, 3, 0, tzinfo=timezone.utc)
    monday = sorted(report(insp)["id"] for _ in range(3))  # due Wednesday
    clock.now = datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc)
    got = loads(insp)
    assert insp.check_deadlines() == dict(NOTHING, triage=3)
    assert got == friday
    got.clear()
    assert insp.check_deadlines() == NOTHING  # marked: no longer selected (resolution runs until the 21st)
    assert got == []
    clock.now = datetime(2026, 3, 11, 17, 0, tzinfo=timezone.utc)
    assert insp.check_deadlines() == dict(NOTHING, triage=3)
    assert got == monday
    assert [insp.get_incident(INSPECTOR, i)["overdue"] for i in friday + monday] == [["triage"]] * 6


@SQL_STORES
def test_a_tick_loads_only_the_violations_with_a_measure_past_its_day(insp, clock):
    ids = [record(insp, FIRM, "organisation", remedial_measures=[{"measure": "Lắp hệ thống xử lý", "deadline": day}])["id"]
           for day in (date(2026, 4, 1), date(2026, 5, 1))]
    clock.now = datetime(2026, 4, 1, 16, 59, tzinfo=timezone.utc)  # 23:59 on 1 April in Hanoi: not yet
    got = loads(insp)
    assert insp.check_deadlines() == NOTHING and got == []
    clock.now = datetime(2026, 4, 1, 17, 0, tzinfo=timezone.utc)  # 2 April 00:00 in Hanoi: 1 April has passed
    assert insp.check_deadlines() == dict(NOTHING, remediation=1)
    assert got == [ids[0]]
    got.clear()
    assert insp.check_deadlines() == NOTHING and got == []
    clock.now = datetime(2026, 5, 2, 3, 0, tzinfo=timezone.utc)
    assert insp.check_deadlines() == dict(NOTHING, remediation=1)
    assert got == [ids[1]]


@SQL_STORES
def test_the_reopen_window_is_counted_at_the_tick_so_a_changed_setting_applies(insp, clock):
    r = report(insp)
    insp.triage_incident(INSPECTOR, None, r["id"], "wastewater", "low")
    insp.assign_incident(AGENCY, None, r["id"], "Đội 1")
    insp.verify_incident(INSPECTOR, None, r["id"], "ok")
    insp.resolve_incident(INSPECTOR, None, r["id"], None)
    clock.now += timedelta(days=8)
    got = loads(insp)
    assert insp.check_deadlines() == NOTHING and got == []  # within the 30 days
    insp.reopen_days = 7  # restarted with a shorter window: the rows written before follow it
    assert insp.check_deadlines() == dict(NOTHING, closed=1)
    assert got == [r["id"]]
    got.clear()
    assert insp.check_deadlines() == NOTHING and got == []
