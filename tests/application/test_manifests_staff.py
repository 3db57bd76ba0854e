"""Stories of the staff's manifest oversight (issue 14, page 4) on SQLite and PostgreSQL: the
filtered list with paging and total, a commune officer's scope (new commune or old district of
the generator's site), the flagged lists as the clock moves, stock held over a year, and the mass
balance per generator with its anomaly flag."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.manifests.application import ManifestsApplication
from services.manifests.listing import ManifestsListing
from services.manifests.oversight import anomalies
from services.manifests.views import ManifestsViews
from shared.kit.actor import Actor
from shared.kit.sql import Db
from tests.application.test_manifests_app import (
    CATALOGUE, F1, F3, FAC1, G, GEN, OTHER_G, SITE, T1, T2, TR1, FakeDirectory, draft, lines, measured, to_facility,
)
from tests.history import Clock
from tests.ports import manifests_ports, on_store

SITE2 = "10000000-0000-0000-0000-000000000002"
OTHER_GEN = Actor("tg:gen2", "business", establishment=OTHER_G)
SQL_STORES = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)


class TwoCommunes(FakeDirectory):
    """G's site is in xa-bat-trang (old district gia-lam); OTHER_G's in phuong-ha-dong (ha-dong)."""

    places = {SITE: ("xa-bat-trang", "gia-lam"), SITE2: ("phuong-ha-dong", "ha-dong")}

    def __init__(self):
        self.ests = dict(FakeDirectory.ests, **{OTHER_G: dict(FakeDirectory.ests[OTHER_G], site_id=SITE2)})

    def site(self, site_id):
        place = self.places.get(site_id)
        return {"id": site_id, "commune": place[0], "old_district": place[1], "active": True} if place else None

    def establishments_in(self, areas):
        return sorted(e for e, est in self.ests.items() if set(self.places.get(est["site_id"], ())) & set(areas))


@pytest.fixture
def clock():
    return Clock(datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc))


@pytest.fixture
def app(store, clock):
    a = on_store(ManifestsApplication, "manifests", store, lambda s: manifests_ports(
        directory=TwoCommunes(), views=ManifestsViews(s.db, s), listing=ManifestsListing(s.db, s), catalogue=CATALOGUE),
        clock=clock)
    yield a
    a.close()


def numbers(answer):
    return sorted(x["number"] for x in answer["items"])


def story(app):
    """CT-001 closed; CT-002 in transit through T1 only; CT-003 received with a 12.5 % discrepancy;
    CT-004 a draft of the other generator (other commune) to F3."""
    done = to_facility(app, "CT-001")
    app.receive(FAC1, None, done, measured(app, done, 1000, 200))
    app.treat(FAC1, None, done, "thiêu đốt", date(2026, 3, 2))
    app.return_copy4(GEN, None, done)
    app.close_manifest(GEN, None, done)
    moving = draft(app, "CT-002", transporters=(T1,), ls=lines(50))["id"]
    app.sign_handover(GEN, None, moving)
    app.sign_pickup(TR1, None, moving)
    off = to_facility(app, "CT-003")
    app.receive(FAC1, None, off, measured(app, off, 1150, 200))
    other = app.create_manifest(OTHER_GEN, None, generator_id=OTHER_G, number="CT-004", transporters=[T2],
                                facility_1=F3, vehicle_plate="29C-999.99", lines=lines(10, codes=["17 02 03"]),
                                planned_date=date(2026, 3, 5))["id"]
    return done, moving, off, other


@SQL_STORES
def test_the_list_filters_by_state_party_code_and_pages_with_a_total(app):
    done, moving, off, other = story(app)
    o = app.oversight
    assert o.list_manifests()["total"] == 4
    assert numbers(o.list_manifests(state="in_transit")) == ["CT-002"]
    assert numbers(o.list_manifests(generator_id=OTHER_G)) == ["CT-004"]
    assert numbers(o.list_manifests(transporter_id=T2)) == ["CT-001", "CT-003", "CT-004"]
    assert numbers(o.list_manifests(transporter_id=F1)) == []  # a facility is not a transporter
    assert numbers(o.list_manifests(facility_id=F3)) == ["CT-004"]
    assert numbers(o.list_manifests(code="17 02 03")) == ["CT-001", "CT-003", "CT-004"]
    assert numbers(o.list_manifests(code="16 01 12")) == []
    first, second = o.list_manifests(limit=3), o.list_manifests(limit=3, offset=3)
    assert first["total"] == second["total"] == 4 and len(first["items"]) == 3 and len(second["items"]) == 1
    assert not {x["id"] for x in first["items"]} & {x["id"] for x in second["items"]}
    row = next(x for x in o.list_manifests(state="in_transit")["items"])
    assert row["generator_name"] == "Cơ sở 1" and row["parties"]["transporter1"]["id"] == T1
    assert row["handed_over_kg"] == 50.0 and row["codes"] == ["16 01 06"]


@SQL_STORES
def test_a_commune_officer_sees_the_generators_of_their_new_commune_or_old_district(app):
    story(app)
    o = app.oversight
    assert numbers(o.list_manifests(communes=["xa-bat-trang"])) == ["CT-001", "CT-002", "CT-003"]
    assert numbers(o.list_manifests(communes=["gia-lam"])) == ["CT-001", "CT-002", "CT-003"]  # old district
    assert numbers(o.list_manifests(communes=["ha-dong"])) == ["CT-004"]
    assert o.list_manifests(communes=["nowhere"])["total"] == 0
    assert numbers(o.list_manifests(communes=["ha-dong", "gia-lam"], state="draft")) == ["CT-004"]
    assert o.mass_balances(year=2026, communes=["ha-dong"])["items"][0]["generator_id"] == OTHER_G


@SQL_STORES
def test_the_flagged_lists_follow_the_clock(app, clock):
    done, moving, off, other = story(app)
    o = app.oversight
    assert numbers(o.list_manifests(flag="discrepancy_open")) == ["CT-003"]
    assert o.list_manifests(flag="in_transit_too_long")["total"] == 0
    assert o.flag_counts() == {"discrepancy_open": 1, "copy4_overdue": 0, "in_transit_too_long": 0,
                               "stock_held_too_long": 0}
    clock.now += timedelta(days=8)
    assert numbers(o.list_manifests(flag="in_transit_too_long")) == ["CT-002"]
    assert o.list_manifests(flag="in_transit_too_long", communes=["ha-dong"])["total"] == 0
    row = o.list_manifests(state="in_transit")["items"][0]
    assert row["flags"] == ["in_transit_too_long"]
    clock.now = datetime(2026, 6, 1, tzinfo=timezone.utc)  # 91 days after the hand-overs
    assert numbers(o.list_manifests(flag="copy4_overdue")) == ["CT-002", "CT-003"]  # CT-001's copy 4 is back
    app.resolve_discrepancy(Actor("staff:a@x.vn", "agency"), None, off, "escalated", "Chuyển thanh tra")
    assert o.list_manifests(flag="discrepancy_open")["total"] == 0


@SQL_STORES
def test_stock_held_over_a_year_and_the_mass_balance_anomalies(app, clock):
    story(app)
    app.declare_stock(GEN, None, G, 2026, "16 01 06", 400, date(2025, 2, 1))   # 394 days by 2026-03-02
    app.declare_stock(GEN, None, G, 2026, "17 02 03", 100, date(2026, 1, 5))
    app.declare_stock(OTHER_GEN, None, OTHER_G, 2026, "17 02 03", 10, date(2026, 2, 1))
    o = app.oversight
    stock = o.stock_overdue()
    assert stock["total"] == 1 and stock["items"][0]["quantity_kg"] == 400 and stock["items"][0]["days_stored"] == 394
    assert o.stock_overdue(communes=["ha-dong"])["total"] == 0
    balance = {r["generator_id"]: r for r in o.mass_balances(year=2026)["items"]}
    g = balance[G]
    assert (g["declared_kg"], g["handed_over_kg"], g["received_kg"], g["treated_kg"]) == (500, 2450, 2550, 1200)
    # received on CT-001 and CT-003: 2550 of 2400 handed over (6.25 %): within the share; stock over a year
    assert g["anomalies"] == ["stock_held_too_long"] and g["anomaly"] is True
    assert balance[OTHER_G]["anomaly"] is False and balance[OTHER_G]["handed_over_kg"] == 0
    assert [r["generator_id"] for r in o.mass_balances(year=2026, anomaly_only=True)["items"]] == [G]
    assert o.mass_balances(year=2025)["total"] == 0


def test_the_anomaly_rules_at_their_boundaries():
    base = {"handed_over_received_kg": 1000.0, "received_kg": 1100.0, "treated_kg": 0.0, "stock_over_limit": 0}
    assert anomalies(base) == []  # exactly 10 % is not significant
    assert anomalies(dict(base, received_kg=1100.5)) == ["received_differs"]
    assert anomalies(dict(base, received_kg=899.0)) == ["received_differs"]
    assert anomalies(dict(base, treated_kg=1100.1)) == ["treated_exceeds_received"]
    assert anomalies(dict(base, handed_over_received_kg=0.0, received_kg=0.0)) == []
    assert anomalies(dict(base, stock_over_limit=2)) == ["stock_held_too_long"]


@SQL_STORES
def test_the_listing_rebuilds_to_the_same_rows(app):
    story(app)
    o = app.oversight
    before = o.list_manifests(limit=200)
    o.listing.rebuild()
    assert o.list_manifests(limit=200) == before


@SQL_STORES
def test_the_sites_directory_finds_establishments_by_new_commune_or_old_district(app, sites):
    from services.sites.service import SitesService
    from shared.directory import SitesDirectory
    from shared.kit.public import PublicMapper

    agency = Actor("staff:a@x.vn", "agency")
    bt = sites.register_site(agency, None, kind="craft_village", name="Bát Tràng", old_district="gia-lam")["id"]
    hd = sites.register_site(agency, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")["id"]
    sites.record_reform(agency, None, [{"site_id": bt, "commune": "xa-bat-trang"}], date(2025, 7, 1), "NQ 1656")
    est = {s: sites.register_establishment(agency, None, site_id=s, name=f"Cơ sở {s[:4]}", form="enterprise",
                                           registration_code=f"R-{s[:4]}", trades=[])["id"] for s in (bt, hd)}
    directory = SitesDirectory(Db.of(app))
    mapper = PublicMapper("sites", sites, SitesService.kit.contracts, place=getattr(sites, "place_of", None))
    directory.apply_many("sites", mapper.events_since(0, 1000))
    assert directory.establishments_in(["xa-bat-trang"]) == [est[bt]]
    assert directory.establishments_in(["gia-lam"]) == [est[bt]]
    assert sorted(directory.establishments_in(["ha-dong", "xa-bat-trang"])) == sorted(est.values())
    assert directory.establishments_in([]) == [] and directory.establishments_in(["nowhere"]) == []
    assert directory.site(hd)["old_district"] == "ha-dong"
