"""Inspectors in the field (issue 15): `my_tasks` on the indexed read model (urgent and overdue
first, paged), `incident_assignee`, the assignee rule of verify/resolve/notes for staff inspectors,
and the "after" photos a resolution keeps for the reporter."""
from __future__ import annotations

from datetime import timedelta

import pytest

from shared.kit.actor import Actor
from shared.kit.errors import Forbidden, NotFound
from tests.application.test_inspections_inbox import AGENCY, RESIDENT, SQL, World, photo_bytes

TRA = Actor("staff:tra@so.vn", "inspector")
KHAC = Actor("staff:khac@so.vn", "inspector")


@pytest.fixture
def world(store, sites, tmp_path):
    w = World(store, sites, tmp_path)
    yield w
    w.app.close()


def assigned(w, priority="normal", inspector="Tra@So.vn", unit="Đội 1", due=None, site=None):
    iid = w.report(site_id=site or w.site_id)
    w.app.triage_incident(AGENCY, None, iid, category="dust", priority=priority)
    w.app.assign_incident(AGENCY, None, iid, unit=unit, inspector=inspector, due=due)
    return iid


@pytest.fixture
def tasks(world):
    w = world
    w.site_id = w.site("Bát Tràng", old_district="gia-lam")
    w.normal = assigned(w)
    w.urgent = assigned(w, priority="urgent")
    w.other = assigned(w, inspector="khac@so.vn")
    w.unit_only = assigned(w, inspector=None)
    w.clock.now += timedelta(days=3)
    w.late = assigned(w, due=(w.clock.now - timedelta(days=1)).date())  # its assignment's day has passed
    return w


@SQL
def test_my_tasks_lists_only_the_inspectors_own_urgent_and_overdue_first_and_pages(tasks):
    w = tasks
    page = w.app.my_tasks(TRA)
    ids = [t["id"] for t in page["items"]]
    assert page["total"] == 3 and set(ids[:2]) == {w.urgent, w.late} and ids[2] == w.normal
    late = next(t for t in page["items"] if t["id"] == w.late)
    assert late["overdue"] and late["ticket"].startswith("PA-") and late["category"] == "dust"
    assert not next(t for t in page["items"] if t["id"] == w.normal)["overdue"]
    assert "reporter" not in str(page) and RESIDENT.id not in str(page)
    assert [t["id"] for t in w.app.my_tasks(TRA, offset=2, limit=1)["items"]] == [w.normal]
    assert [t["id"] for t in w.app.my_tasks(KHAC)["items"]] == [w.other]
    assert w.app.my_tasks(Actor("tg:inspector", "inspector"))["items"] == []  # no staff account: no tasks by name
    with pytest.raises(Forbidden):
        w.app.my_tasks(AGENCY)
    w.app.verify_incident(TRA, None, w.normal, finding="Có bụi")
    assert w.normal in [t["id"] for t in w.app.my_tasks(TRA)["items"]]  # verified: still theirs to resolve
    w.app.resolve_incident(TRA, None, w.normal, None, note="Đã xử lý")
    assert w.normal not in [t["id"] for t in w.app.my_tasks(TRA)["items"]] and w.app.my_tasks(TRA)["total"] == 2


@SQL
def test_only_the_named_assignee_verifies_resolves_or_notes_and_nothing_changes_otherwise(tasks):
    w = tasks
    head = w.app.log_head()
    with pytest.raises(Forbidden) as e:
        w.app.verify_incident(KHAC, None, w.normal, finding="Không phải việc của tôi")
    assert e.value.field == "assignment"
    with pytest.raises(Forbidden):
        w.app.add_information(KHAC, None, w.normal, text="ghi chú", photos=[])
    with pytest.raises(Forbidden):
        w.app.add_information(TRA, None, w.normal, text="kèm ảnh", photos=[w.blobs.put_photo(photo_bytes((1, 2, 3)))])
    assert w.app.log_head() == head
    w.app.add_information(TRA, None, w.normal, text="Hẹn kiểm tra sáng mai", photos=[])
    w.app.verify_incident(TRA, None, w.normal, finding="Có bụi")
    with pytest.raises(Forbidden):
        w.app.resolve_incident(KHAC, None, w.normal, None, note="x")
    w.app.verify_incident(KHAC, None, w.unit_only, finding="Đơn vị được giao")  # a unit's: the gateway checks the unit
    w.app.verify_incident(Actor("insp-cli", "inspector"), None, w.other, finding="không phải tài khoản staff")
    assert w.app.get_incident(AGENCY, w.normal)["additions"][0]["text"] == "Hẹn kiểm tra sáng mai"


@SQL
def test_a_resolution_keeps_after_photos_for_the_reporter_and_a_reopening_drops_them(tasks):
    w = tasks
    after = w.blobs.put_photo(photo_bytes((0, 180, 0)))
    w.app.verify_incident(TRA, None, w.normal, finding="Có bụi")
    w.app.resolve_incident(TRA, None, w.normal, None, note="Đã che phủ bãi cát", photos=[after])
    mine = w.app.get_incident(RESIDENT, w.normal)
    assert mine["after_photos"] == [after] and mine["resolution_note"] == "Đã che phủ bãi cát"
    assert w.inbox.photo(RESIDENT, w.normal, after)["photo"] == after
    with pytest.raises(NotFound):
        w.app.resolve_incident(TRA, None, w.urgent, None, photos=["f" * 64])  # never uploaded
    w.app.reopen_incident(RESIDENT, None, w.normal, reason="Vẫn bụi", photo=w.blobs.put_photo(photo_bytes((9, 0, 0))))
    assert w.app.get_incident(RESIDENT, w.normal)["after_photos"] == []


@SQL
def test_incident_assignee_names_the_inspector_to_staff_only(tasks):
    w = tasks
    job = w.app.incident_assignee(Actor("bot:tasks", "inspector"), w.normal)
    assert (job["inspector"], job["unit"], job["state"]) == ("tra@so.vn", "Đội 1", "assigned")  # kept lower-cased
    assert w.app.incident_assignee(AGENCY, w.unit_only)["inspector"] is None
    for who in (RESIDENT, Actor("tg:firm", "business"), Actor("anon", "public")):
        with pytest.raises(Forbidden):
            w.app.incident_assignee(who, w.normal)
