"""Issue 17: an event's `communecode` is fixed when the event is written (shared/kit/places.py).

A backfill (`events_since`, a new subscriber's replay) after a site's jurisdiction changed must
publish exactly what the live relay published: the earlier events stay in the old commune, the
later ones are in the new one. The backfill is answered by another Application on the same store
(another process, nothing cached), as a restarted service answers it."""
from datetime import date, datetime, timezone

import pytest

from services.inspections.application import InspectionsApplication
from services.manifests.application import ManifestsApplication
from services.sites.application import SitesApplication
from shared import reference
from shared.contracts import inspections as ci, manifests as cm, sites as cs
from shared.directory import SitesDirectory
from shared.kit.actor import Actor
from shared.kit.follower import Follower
from shared.kit.places import PLACE_KEY
from shared.kit.public import PublicMapper
from tests.ports import inspections_ports, manifests_ports, on_store

AGENCY = Actor("staff:a@x.vn", "agency")
INSPECTOR = Actor("insp-1", "inspector")
RESIDENT = Actor("tg:resident-a", "resident")
REFORM = date(2026, 1, 1)  # the second reform: xa-a becomes part of xa-b
SQL_STORES = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)

CONTRACTS = {"sites": cs.PUBLIC_EVENTS, "inspections": ci.PUBLIC_EVENTS, "manifests": cm.PUBLIC_EVENTS}
APPS = {"sites": SitesApplication, "inspections": InspectionsApplication, "manifests": ManifestsApplication}


def mapper(service, app):
    return PublicMapper(service, app, CONTRACTS[service], place=app.place_of)


def live(service, app, published):
    """What the relay publishes now: the events after those already `published` (a dict by id)."""
    after = max((int(e["sequence"]) for e in published.values()), default=0)
    published.update((e["id"], e) for e in mapper(service, app).events_since(after, 1000))


def backfill(service, store, ports=None):
    """`events_since(0)` answered by a fresh Application on the same store (no cache)."""
    app = on_store(APPS[service], service, store, ports)
    try:
        return {e["id"]: e for e in mapper(service, app).events_since(0, 1000)}
    finally:
        app.close()


def kinds(events):
    return [(e["type"].split(".")[3], e.get("communecode")) for e in events.values()]


def reform(sites, site_id):
    sites.record_reform(AGENCY, None, [{"site_id": site_id, "commune": "xa-b"}], REFORM, "NQ 2026")


@SQL_STORES
def test_sites_events_keep_the_commune_they_were_published_with(sites, store):
    published: dict = {}
    site = sites.register_site(AGENCY, None, kind="craft_village", name="Bát Tràng", commune="xa-a")["id"]
    est = sites.register_establishment(AGENCY, None, site_id=site, name="Gốm Minh", form="household",
                                       registration_code="HK-1", trades=["gốm"])["id"]
    live("sites", sites, published)
    reform(sites, site)
    sites.amend_site(AGENCY, None, site, {"name": "Bát Tràng mới"})
    sites.amend_establishment(AGENCY, None, est, {"name": "Gốm Minh Châu"})
    live("sites", sites, published)
    assert backfill("sites", store) == published  # the establishment's registration too: xa-a
    assert kinds(published) == [("site_registered", "xa-a"), ("establishment_registered", "xa-a"),
                                ("site_jurisdiction_changed", "xa-b"), ("site_amended", "xa-b"),
                                ("establishment_amended", "xa-b")]  # where the site is when it is written


@SQL_STORES
def test_an_incident_filed_before_its_sites_reform_stays_in_the_old_commune(sites, store, tmp_path):
    site = sites.register_site(AGENCY, None, kind="craft_village", name="Bát Tràng", commune="xa-a")["id"]

    def ports(store):  # type: ignore[no-untyped-def]
        return inspections_ports(directory=SitesDirectory(store.db), limits=reference.limit_tables(),
                                 sanctions=reference.load("sanctions_decree45.json"))

    insp = on_store(InspectionsApplication, "inspections", store, ports)
    directory = insp.directory
    follow = Follower("sites", directory, mapper("sites", sites).events_since)
    published: dict = {}
    try:
        follow.catch_up()
        incident = insp.report_incident(RESIDENT, None, category="wastewater", description="Nước thải đen",
                                        site_id=site)["id"]
        live("inspections", insp, published)
        reform(sites, site)
        follow.catch_up()  # the directory sees SiteJurisdictionChanged
        assert directory.site(site)["commune"] == "xa-b"
        insp.triage_incident(INSPECTOR, None, incident, "wastewater", "normal")
        live("inspections", insp, published)
        assert kinds(published) == [("incident_reported", "xa-a"), ("incident_triaged", "xa-b")]
        again = backfill("inspections", store, ports)
        assert kinds(again) == kinds(published) and again == published
    finally:
        insp.close()


@SQL_STORES
def test_a_manifest_created_before_its_generators_reform_stays_in_the_old_commune(sites, store):
    site = sites.register_site(AGENCY, None, kind="industrial_cluster", name="CCN Phú Thị", commune="xa-a")["id"]
    other = sites.register_site(AGENCY, None, kind="industrial_cluster", name="CCN Ninh Hiệp", commune="xa-c")["id"]

    def est(site_id, code, **kw):
        return sites.register_establishment(AGENCY, None, site_id=site_id, name=f"Cơ sở {code}", form="enterprise",
                                            registration_code=code, trades=[], **kw)["id"]

    generator = est(site, "G1", hw_generator=True)
    transporter = est(other, "T1", transporter=True, licence={"number": "1", "waste_codes": []})
    facility = est(other, "F1", treatment_facility=True, licence={"number": "2", "waste_codes": ["16 01 06"]})

    def ports(store):  # type: ignore[no-untyped-def]
        return manifests_ports(directory=SitesDirectory(store.db), catalogue=reference.load("waste_codes.json"))

    man = on_store(ManifestsApplication, "manifests", store, ports,
                   clock=lambda: datetime(2026, 3, 2, 2, tzinfo=timezone.utc))
    directory = man.directory
    follow = Follower("sites", directory, mapper("sites", sites).events_since)
    published: dict = {}
    gen = Actor("g", "business", establishment=generator)
    try:
        follow.catch_up()
        m = man.create_manifest(gen, None, generator_id=generator, number="M-1", transporters=[transporter],
                                facility_1=facility, vehicle_plate="29C-12345", planned_date=date(2026, 3, 3),
                                lines=[{"line": 1, "code": "16 01 06", "name": "Bóng đèn", "state": "solid",
                                        "packaging": "thùng", "quantity_kg": 12.0, "method": "thiêu đốt"}])["id"]
        live("manifests", man, published)
        reform(sites, site)
        follow.catch_up()
        man.sign_handover(gen, None, m)
        live("manifests", man, published)
        assert [c for _, c in kinds(published)] == ["xa-a", "xa-b"]
        again = backfill("manifests", store, ports)
        assert kinds(again) == kinds(published) and again == published
    finally:
        man.close()


def test_a_site_moved_in_the_same_save_as_an_earlier_change_gives_each_event_its_own_place(sites):
    """A save holding a site's change and then its move: the change is where the site was."""
    site_id = sites.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")["id"]
    site = sites._site(site_id)
    site.amend(changes={"name": "Vạn Phúc lụa"}, actor=AGENCY.to_dict())
    site.change_jurisdiction(commune="phuong-ha-dong", effective="2025-07-01", legal_basis="NQ 1656",
                             actor=AGENCY.to_dict())
    sites.save(site)
    events = mapper("sites", sites).events_since(0, 10)
    assert kinds({e["id"]: e for e in events}) == [("site_registered", "ha-dong"), ("site_amended", "ha-dong"),
                                                   ("site_jurisdiction_changed", "phuong-ha-dong")]


def test_the_stored_place_is_not_an_attribute_of_the_event(sites):
    """The place lives in the stored row only: the event rebuilt from it (the aggregate, the
    history views, the audit) has just its own attributes; the live event too once saved."""
    site_id = sites.register_site(AGENCY, None, kind="craft_village", name="Bát Tràng", commune="xa-a")["id"]
    stored = sites.recorder.select_events(sites._site(site_id).id)[0]
    assert PLACE_KEY.encode() in stored.state
    event, place = sites.mapper.to_domain_event_and_place(stored)
    assert place == "xa-a" and PLACE_KEY not in vars(event)
    assert PLACE_KEY not in vars(sites.mapper.to_domain_event(stored))
    assert sites._site(site_id).place_code == "xa-a"
    site = sites._site(site_id)
    site.amend(changes={"name": "Bát Tràng cổ"}, actor=AGENCY.to_dict())
    pending = list(site.pending_events)
    sites.save(site)
    assert all(PLACE_KEY not in vars(e) for e in pending)
    assert all(PLACE_KEY not in str(h["data"]) for h in sites.history(AGENCY, site_id))


def test_an_event_stored_without_a_place_is_looked_up_as_before(sites, monkeypatch):
    """An older log: events written before places were get theirs from `place_of` when published."""
    monkeypatch.setattr(sites, "places_for", lambda events, aggregates: {})
    site_id = sites.register_site(AGENCY, None, kind="craft_village", name="Bát Tràng", old_district="gia-lam")["id"]
    stored = sites.recorder.select_events(sites._site(site_id).id)[0]
    assert PLACE_KEY.encode() not in stored.state
    monkeypatch.undo()
    reform(sites, site_id)
    assert kinds({e["id"]: e for e in mapper("sites", sites).events_since(0, 10)}) == [
        ("site_registered", "gia-lam"), ("site_jurisdiction_changed", "xa-b")]


def test_an_old_logs_establishment_event_after_a_reform_is_looked_up_in_the_sites_new_commune(sites, monkeypatch):
    """The publish-time lookup for events stored without a place: an establishment's event is
    where its site is now, not where the establishment's previous event was (the cache of the
    previous event's place is for a site's own events only)."""
    monkeypatch.setattr(sites, "places_for", lambda events, aggregates: {})
    site = sites.register_site(AGENCY, None, kind="craft_village", name="Bát Tràng", commune="xa-a")["id"]
    est = sites.register_establishment(AGENCY, None, site_id=site, name="Gốm Minh", form="household",
                                       registration_code="HK-1", trades=["gốm"])["id"]
    m = mapper("sites", sites)
    assert kinds({e["id"]: e for e in m.events_since(0, 10)})[-1] == ("establishment_registered", "xa-a")
    reform(sites, site)
    sites.amend_establishment(AGENCY, None, est, {"name": "Gốm Minh Châu"})
    assert kinds({e["id"]: e for e in m.events_since(2, 10)}) == [("site_jurisdiction_changed", "xa-b"),
                                                                  ("establishment_amended", "xa-b")]
