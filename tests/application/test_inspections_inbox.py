"""Stories of the staff inbox (services/inspections/inbox.py) on SQLite and PostgreSQL: the real
sites application feeds the directory inspections follows (as its follower would), the read
model serves the page; a controlled clock, holidays and a real blob store."""
import base64
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from PIL import Image

from services.inspections.application import InspectionsApplication
from services.inspections.inbox import StaffInbox, working_days_between
from services.inspections.places import InboxSitesDirectory
from services.inspections.views import InspectionsViews
from shared.contracts.sites import PUBLIC_EVENTS as SITE_EVENTS
from shared.kit.actor import Actor
from shared.kit.blobs import BlobStore
from shared.kit.calendar import WorkingDays
from shared.kit.errors import Forbidden, NotFound
from shared.kit.public import PublicMapper
from shared.kit.sql import Db
from tests.history import Clock
from tests.ports import inspections_ports, on_store

RESIDENT = Actor("tg:resident-a", "resident")
INSPECTOR = Actor("insp-1", "inspector")
AGENCY = Actor("agency-1", "agency")
BUSINESS = Actor("tg:firm", "business", establishment="4b4e28ba-2fa1-11d2-883f-0016d3cca427")
HOLIDAYS = ["2026-04-30", "2026-05-01"]
SQL = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)  # read models live in SQL


def photo_bytes(color):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, format="PNG")
    return out.getvalue()


class World:
    def __init__(self, store, sites, tmp_path):
        self.clock = Clock(datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc))  # Monday, 10:00 in Hanoi
        sites.clock = self.clock
        self.sites = sites
        self.blobs = BlobStore(tmp_path / "blobs")
        self.app = app = on_store(InspectionsApplication, "inspections", store, lambda s: inspections_ports(
            directory=InboxSitesDirectory(s.db), views=InspectionsViews(s.db, s), blobs=self.blobs, holidays=HOLIDAYS),
            clock=self.clock)
        self.directory = app.directory
        self.mapper = PublicMapper("sites", sites, SITE_EVENTS, place=sites.place_of)
        self.inbox = StaffInbox(app)

    def follow(self):
        """What the sites follower does: apply the stream after the directory's position."""
        self.directory.apply_many("sites", self.mapper.events_since(self.directory.view.max_tracking_id("sites") or 0, 1000))

    def site(self, name, **where):
        sid = self.sites.register_site(AGENCY, None, kind="craft_village", name=name, **where)["id"]
        self.follow()
        return sid

    def report(self, **kw):
        kw.setdefault("category", "dust")
        kw.setdefault("description", "Bụi mù mịt cả ngày")
        return self.app.report_incident(RESIDENT, None, **kw)["id"]

    def ids(self, **filters):
        return [r["id"] for r in self.inbox.page(AGENCY, **filters)["rows"]]


@pytest.fixture
def world(store, sites, tmp_path):
    w = World(store, sites, tmp_path)
    yield w
    w.app.close()


@pytest.fixture
def five(world):
    """Five reports: overdue at a pre-reform site, two fresh (one without a site), one assigned, one rejected."""
    w = world
    w.a = w.site("Bát Tràng", old_district="gia-lam")
    w.b = w.site("Phù Đổng", commune="xa-phu-dong")
    w.c = w.site("Vân Hà", old_district="dong-anh")
    w.i1 = w.report(site_id=w.a)                                     # Monday: triage due Wednesday
    w.i5 = w.report(site_id=w.a)
    w.app.reject_incident(AGENCY, None, w.i5, reason="trùng lặp", reason_code="duplicate")
    w.clock.now += timedelta(days=4)                                  # Friday 10:00
    w.i2 = w.report(site_id=w.b)                                      # triage due Tuesday
    w.i3 = w.report(location={"lat": 21.01234, "lon": 105.91234})
    w.i4 = w.report(site_id=w.c, category="noise")
    w.app.triage_incident(AGENCY, None, w.i4, category="noise", priority="high")
    w.app.assign_incident(AGENCY, None, w.i4, unit="Đội 1", inspector="tra@so.vn")
    return w


@SQL
def test_the_inbox_puts_the_overdue_first_with_their_clocks_in_working_days(five):
    w = five
    page = w.inbox.page(AGENCY)
    rows = {r["id"]: r for r in page["rows"]}
    assert page["total"] == 5 and [r["id"] for r in page["rows"]] == [w.i1, *sorted([w.i2, w.i3]), w.i4, w.i5]
    late = rows[w.i1]
    assert late["overdue"] and late["clock"]["deadline"] == "triage" and late["clock"]["due_date"] == "2026-03-04"
    assert (late["clock"]["working_days_late"], late["clock"]["working_days_left"]) == (2, 0)  # Thursday, Friday
    fresh = rows[w.i2]["clock"]
    assert not fresh["overdue"] and fresh["due_date"] == "2026-03-10" and fresh["working_days_left"] == 2
    assigned = rows[w.i4]
    assert assigned["clock"]["deadline"] == "resolution" and assigned["priority"] == "high"
    assert assigned["assignment"] == {"unit": "Đội 1", "inspector": "tra@so.vn", "due": "2026-03-21"}
    assert rows[w.i5]["clock"] is None and rows[w.i5]["state"] == "rejected"
    assert rows[w.i1]["site_name"] == "Bát Tràng" and rows[w.i1]["old_district"] == "gia-lam"
    assert rows[w.i3]["site_id"] is None and rows[w.i3]["location"] == {"lat": 21.01, "lon": 105.91}
    assert "reporter" not in str(page) and RESIDENT.id not in str(page)


@SQL
def test_filters_by_state_category_site_overdue_and_assignee(five):
    w = five
    assert set(w.ids(states=["reported"])) == {w.i1, w.i2, w.i3}
    assert set(w.ids(states=["assigned", "rejected"])) == {w.i4, w.i5}
    assert w.ids(category="noise") == [w.i4]
    assert w.ids(site_id=w.b) == [w.i2]
    assert w.ids(overdue=True) == [w.i1]
    assert w.ids(inspector="tra@so.vn") == w.ids(unit="Đội 1") == [w.i4]
    assert w.ids(inspector="khac@so.vn", unit="Đội 1") == [w.i4]  # the "mine" view: the inspector or the unit
    assert w.ids(inspector="khac@so.vn") == [] and w.ids(states=["closed"]) == []
    w.clock.now += timedelta(days=4)  # Tuesday after: i2 and i3 still due today
    assert w.ids(overdue=True) == [w.i1]
    w.clock.now += timedelta(days=1)
    assert w.ids(overdue=True) == [w.i1, *sorted([w.i2, w.i3])]


@SQL
def test_a_commune_scope_matches_the_new_commune_or_the_old_district(five):
    w = five
    assert set(w.ids(communes=["gia-lam"])) == {w.i1, w.i5}
    assert w.ids(communes=["xa-phu-dong"]) == [w.i2]
    assert set(w.ids(communes=["dong-anh", "xa-phu-dong"])) == {w.i2, w.i4}
    assert w.inbox.page(AGENCY, communes=["xa-khac"]) | {"as_of": None} == \
        {"rows": [], "total": 0, "offset": 0, "limit": 50, "as_of": None}
    assert w.ids(communes=["xa-bat-trang"]) == []
    w.sites.record_reform(AGENCY, None, [{"site_id": w.a, "commune": "xa-bat-trang"}], date(2025, 7, 1), "NQ 1656")
    w.follow()  # the reform mapping, after the reports: the scope follows the site, not the report
    assert set(w.ids(communes=["xa-bat-trang"])) == set(w.ids(communes=["gia-lam"])) == {w.i1, w.i5}
    assert w.inbox.page(AGENCY, communes=["xa-bat-trang"])["rows"][0]["commune"] == "xa-bat-trang"
    assert all(w.i3 not in w.ids(communes=[c]) for c in ("gia-lam", "xa-phu-dong", "dong-anh"))  # no site: city-wide


@SQL
def test_pages_with_offset_limit_and_the_total(five):
    w = five
    everything = w.ids()
    first, second = w.inbox.page(AGENCY, limit=2), w.inbox.page(AGENCY, offset=2, limit=2)
    assert first["total"] == second["total"] == 5
    assert [r["id"] for r in first["rows"] + second["rows"]] == everything[:4]
    assert w.ids(offset=4, limit=2) == everything[4:] and w.ids(offset=5) == []


@SQL
def test_only_staff_read_the_inbox_a_history_or_a_photo(five):
    w = five
    for who in (RESIDENT, BUSINESS, Actor("anon", "public")):
        for read in (lambda: w.inbox.page(who), lambda: w.inbox.history(who, w.i1)):
            with pytest.raises(Forbidden):
                read()
    assert [e["event"] for e in w.inbox.history(INSPECTOR, w.i1)] == ["Reported"]


@SQL
def test_a_report_page_has_its_history_with_the_reopenings_and_every_photo(world):
    w = world
    site = w.site("Bát Tràng", commune="xa-bat-trang")
    shot, on_site, again, stranger = (w.blobs.put_photo(photo_bytes(c)) for c in
                                      ((200, 0, 0), (0, 200, 0), (0, 0, 200), (9, 9, 9)))
    iid = w.report(site_id=site, photos=[shot])
    w.app.triage_incident(AGENCY, None, iid, category="dust", priority="normal")
    w.app.assign_incident(AGENCY, None, iid, unit="Đội 1", inspector="tra@so.vn")
    w.app.verify_incident(INSPECTOR, None, iid, finding="Có bụi từ lò nung", photos=[on_site])
    w.app.resolve_incident(INSPECTOR, None, iid, None, note="Đã yêu cầu che chắn")
    w.app.reopen_incident(RESIDENT, None, iid, reason="Vẫn còn bụi", photo=again)
    assert w.app.get_incident(AGENCY, iid)["site_photos"] == [on_site]
    history = w.inbox.history(AGENCY, iid)
    assert [e["event"] for e in history] == ["Reported", "Triaged", "Assigned", "Verified", "Resolved", "Reopened"]
    reopened = history[-1]
    assert reopened["data"]["reason"] == "Vẫn còn bụi" and reopened["actor_role"] == "resident"
    assert reopened["actor_id"] is None and history[1]["actor_id"] == AGENCY.id
    assert RESIDENT.id not in str(history) and "reporter" not in str(history)
    for digest in (shot, on_site, again):
        got = w.inbox.photo(AGENCY, iid, digest)
        assert base64.b64decode(got["data_b64"]) == w.blobs.get(digest) and got["media_type"] == "image/png"
    with pytest.raises(NotFound):
        w.inbox.photo(AGENCY, iid, stranger)  # stored, but not this report's
    # the reporter (issue 15: /mine's before/after) gets only their own photos and the resolution's
    assert w.inbox.photo(RESIDENT, iid, shot)["photo"] == shot
    with pytest.raises(NotFound):
        w.inbox.photo(RESIDENT, iid, on_site)  # taken by the inspector when verifying: not the reporter's
    with pytest.raises(Forbidden):
        w.inbox.photo(Actor("tg:someone-else", "resident"), iid, shot)
    with pytest.raises(Forbidden):
        w.inbox.photo(BUSINESS, iid, shot)


@SQL
def test_an_older_data_dir_rebuilds_the_versioned_read_model(world):
    """Projected by a release without the inbox columns: the old table and its tracking, ahead."""
    w = world
    site = w.site("Bát Tràng", commune="xa-bat-trang")
    iid = w.report(site_id=site)
    db = Db.of(w.app)
    db.execute_script("CREATE TABLE IF NOT EXISTS {t:incident_view} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
    with db.transaction() as cur:
        cur.execute("DROP TABLE {t:incident_view_v3}")
        cur.execute("DELETE FROM {t:lx_tracking} WHERE projection='inspections_views_v3'")
        cur.execute("INSERT INTO {t:lx_tracking} (projection, source, position) VALUES ('inspections_views', "
                    "'own-log', %s) ON CONFLICT (projection, source) DO NOTHING", (w.app.log_head(),))
    views = InspectionsViews(db, w.app)  # what the service opens on start
    assert views.inbox()[1] == 1 and views.inbox()[0][0]["id"] == iid


def test_working_days_skip_weekends_and_holidays():
    cal = WorkingDays(HOLIDAYS)
    assert working_days_between(cal, date(2026, 4, 29), date(2026, 5, 4)) == 1  # Thu 30/4, Fri 1/5 off
    assert working_days_between(cal, date(2026, 5, 4), date(2026, 4, 29)) == -1
    assert working_days_between(cal, date(2026, 3, 6), date(2026, 3, 6)) == 0
    assert working_days_between(cal, date(2026, 3, 6), date(2026, 3, 9)) == 1
