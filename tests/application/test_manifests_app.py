"""Stories of the manifests Application on POPO, SQLite and PostgreSQL with a controlled clock,
a fake sites directory and a small test catalogue."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from services.manifests.application import ManifestsApplication
from services.manifests.domainmodel import line_discrepancy
from services.manifests.views import ManifestsViews
from shared.contracts.manifests import PUBLIC_EVENTS
from shared.kit.actor import Actor
from shared.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kit.public import PublicMapper
from shared.kit.store import popo_env
from tests.history import Clock
from tests.ports import manifests_ports, on_store

SITE = "10000000-0000-0000-0000-000000000001"
G, OTHER_G = "20000000-0000-0000-0000-000000000001", "20000000-0000-0000-0000-000000000002"
T1, T2 = "30000000-0000-0000-0000-000000000001", "30000000-0000-0000-0000-000000000002"
F1, F2, F3 = ("40000000-0000-0000-0000-000000000001", "40000000-0000-0000-0000-000000000002",
              "40000000-0000-0000-0000-000000000003")
PLAIN = "50000000-0000-0000-0000-000000000001"  # an establishment that generates no hazardous waste
CATALOGUE = {"version": "test-1", "codes": [{"code": "16 01 06", "name_vi": "Bóng đèn huỳnh quang thải"},
                                            {"code": "17 02 03", "name_vi": "Dầu động cơ thải"},
                                            {"code": "16 01 12", "name_vi": "Pin, ắc quy thải"}]}
GEN = Actor("tg:gen", "business", establishment=G)
TR1, TR2 = Actor("tg:t1", "transporter", establishment=T1), Actor("tg:t2", "transporter", establishment=T2)
FAC1, FAC3 = Actor("tg:f1", "treatment_facility", establishment=F1), Actor("tg:f3", "treatment_facility", establishment=F3)
AGENCY, INSPECTOR, ADMIN = Actor("a", "agency"), Actor("i", "inspector"), Actor("adm", "admin")


def est(eid, **flags):
    base = {"id": eid, "site_id": SITE, "name": f"Cơ sở {eid[-1]}", "form": "enterprise", "active": True,
            "hw_generator": False, "transporter": False, "treatment_facility": False, "licence": None}
    return {**base, **flags}


class FakeDirectory:
    ests = {G: est(G, hw_generator=True), OTHER_G: est(OTHER_G, hw_generator=True),
            T1: est(T1, transporter=True, licence={"number": "VC-1", "waste_codes": []}),
            T2: est(T2, transporter=True, licence={"number": "VC-2", "waste_codes": []}),
            F1: est(F1, treatment_facility=True, licence={"number": "XL-1", "waste_codes": ["16 01 06", "17 02 03"]}),
            F2: est(F2, treatment_facility=True, licence={"number": "XL-2", "waste_codes": ["16 01 06"]}),
            F3: est(F3, treatment_facility=True, licence={"number": "XL-3", "waste_codes": ["17 02 03", "16 01 06"]}),
            PLAIN: est(PLAIN)}

    def site(self, site_id):
        return {"id": SITE, "commune": "xa-bat-trang", "active": True} if site_id == SITE else None

    def establishment(self, eid):
        return self.ests.get(eid)


@pytest.fixture
def clock():
    return Clock(datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc))


@pytest.fixture
def man(store, clock):
    def ports(store=None):  # type: ignore[no-untyped-def]
        views = {"views": ManifestsViews(store.db, store)} if store is not None else {}
        return manifests_ports(directory=FakeDirectory(), catalogue=CATALOGUE, **views)

    if store is None:
        app = ManifestsApplication(env=popo_env(), ports=ports(), clock=clock)
    else:
        app = on_store(ManifestsApplication, "manifests", store, ports, clock=clock)
    yield app
    app.close()


SQL_STORES = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)


def lines(*kgs, codes=None):
    codes = codes or ["16 01 06", "17 02 03", "16 01 06"]
    return [{"line": i + 1, "code": codes[i], "name": "chất thải", "state": "solid", "packaging": "thùng phuy",
             "quantity_kg": kg, "method": "thiêu đốt"} for i, kg in enumerate(kgs)]


def draft(app, number="CT-001", transporters=(T1, T2), facility=F1, ls=None, actor=GEN):
    return app.create_manifest(actor, None, generator_id=G, number=number, transporters=list(transporters),
                               facility_1=facility, vehicle_plate="29C-123.45", lines=ls or lines(1000, 200),
                               planned_date=date(2026, 3, 3))


def to_facility(app, number="CT-001", **kw):
    m = draft(app, number, **kw)
    app.sign_handover(GEN, None, m["id"])
    app.sign_pickup(TR1, None, m["id"])
    app.sign_pickup(TR2, None, m["id"])
    return m["id"]


def measured(app, mid, *kgs, codes=None):
    doc = app.get_manifest(ADMIN, mid)
    return [{"line": line["line"], "code": (codes or {}).get(line["line"], line["code"]), "quantity_kg": kg}
            for line, kg in zip([x for x in doc["lines"] if not x.get("rejected")], kgs)]


def test_the_whole_lifecycle_with_the_four_copies(man):
    mid = to_facility(man)
    doc = man.get_manifest(GEN, mid)
    assert doc["custody"]["copy3"] == "generator" and doc["custody"]["copy4"] == "transporter2"
    man.receive(FAC1, None, mid, measured(man, mid, 1000, 200))
    man.treat(FAC1, None, mid, "thiêu đốt", date(2026, 3, 2))
    man.return_copy4(GEN, None, mid)
    assert man.close_manifest(GEN, None, mid)["state"] == "closed"
    doc = man.get_manifest(INSPECTOR, mid)
    assert [s["party"] for s in doc["signatures"]] == ["generator", "transporter1", "transporter2", "facility1"]
    assert doc["custody"] == {"copy1": "facility1", "copy2": "transporter2", "copy3": "generator", "copy4": "generator"}
    assert doc["discrepancy"] is None and doc["treatment"]["method"] == "thiêu đốt"


def test_signing_out_of_turn_twice_or_for_someone_else_is_refused(man):
    m = draft(man)
    head = man.log_head()
    with pytest.raises(Conflict) as e:
        man.sign_pickup(TR1, None, m["id"])  # before the hand-over
    assert e.value.rule == "turn"
    with pytest.raises(Forbidden) as e:
        man.sign_handover(Actor("tg:x", "business", establishment=OTHER_G), None, m["id"])
    assert e.value.rule == "own_signature"
    with pytest.raises(Forbidden) as e:
        man.sign_handover(TR1, None, m["id"])
    assert e.value.field == "actor.role"
    assert man.log_head() == head
    man.sign_handover(GEN, None, m["id"])
    with pytest.raises(Conflict):
        man.sign_handover(GEN, None, m["id"])  # twice
    with pytest.raises(Forbidden) as e:
        man.sign_pickup(TR2, None, m["id"])
    assert e.value.rule == "turn" and "transporter 1" in str(e.value)
    man.sign_pickup(TR1, None, m["id"])
    with pytest.raises(Forbidden) as e:
        man.sign_pickup(TR1, None, m["id"])
    assert e.value.rule == "twice"
    with pytest.raises(Forbidden) as e:
        man.receive(FAC1, None, m["id"], measured(man, m["id"], 1000, 200))
    assert e.value.rule == "turn"
    with pytest.raises(Forbidden):
        man.receive(FAC3, None, m["id"], measured(man, m["id"], 1000, 200))  # not this manifest's facility


@pytest.mark.parametrize("declared, got, significant", [
    (1000, 1100, False), (1000, 900, False), (1000, 1100.01, True), (1000, 899.99, True), (1000, 1000, False),
    (0.5, 0.55, False), (0.5, 0.56, True),
])
def test_discrepancy_boundaries_at_exactly_ten_percent(declared, got, significant):
    d = line_discrepancy({"line": 1, "code": "16 01 06", "quantity_kg": declared},
                         {"line": 1, "code": "16 01 06", "quantity_kg": got})
    assert (d is not None) == significant
    assert line_discrepancy({"line": 1, "code": "16 01 06", "quantity_kg": 10},
                            {"line": 1, "code": "17 02 03", "quantity_kg": 10})["kind"] == "waste_type"


def test_a_discrepancy_opens_a_15_day_clock_and_is_resolved_by_agreement(man, clock):
    mid = to_facility(man)
    man.receive(FAC1, None, mid, measured(man, mid, 1150, 200))
    disc = man.get_manifest(GEN, mid)["discrepancy"]
    assert disc["state"] == "open" and disc["lines"][0]["kind"] == "weight" and disc["lines"][0]["difference_share"] == 0.15
    assert disc["due"].startswith("2026-03-17")
    man.treat(FAC1, None, mid, "thiêu đốt", date(2026, 3, 2))
    man.return_copy4(GEN, None, mid)
    with pytest.raises(Conflict) as e:
        man.close_manifest(GEN, None, mid)
    assert e.value.rule == "discrepancy"
    man.resolve_discrepancy(GEN, None, mid, "agreed", "Cân lại tại cơ sở xử lý")
    assert man.get_manifest(GEN, mid)["discrepancy"]["state"] == "open"  # one side alone does not agree it
    man.resolve_discrepancy(FAC1, None, mid, "agreed", "Đồng ý số cân")
    assert man.get_manifest(GEN, mid)["discrepancy"]["state"] == "agreed"
    assert man.close_manifest(AGENCY, None, mid)["state"] == "closed"


def test_partial_rejection_reroutes_to_an_alternate_facility_and_full_rejection_back_to_the_generator(man):
    mid = to_facility(man, ls=lines(1000, 200))
    answer = man.reject(FAC1, None, mid, [2], "Không đúng loại", F3, "CT-001-R1")
    assert answer["full"] is False and answer["to"] == "alternate_facility"
    new = man.get_manifest(ADMIN, answer["linked_manifest"])
    assert new["linked_from"] == mid and new["facility_1"] == F3 and [x["quantity_kg"] for x in new["lines"]] == [200]
    assert man.get_manifest(ADMIN, mid)["links"] == [answer["linked_manifest"]]
    man.receive(FAC1, None, mid, measured(man, mid, 1000))  # the rest is received
    other = to_facility(man, "CT-002", ls=lines(50))
    back = man.reject(FAC1, None, other, None, "Từ chối toàn bộ", None, "CT-002-R1")
    assert back["full"] and back["to"] == "generator"
    assert man.get_manifest(ADMIN, other)["state"] == "rejected"
    assert man.get_manifest(ADMIN, back["linked_manifest"])["facility_1"] == G
    with pytest.raises(InvalidInput) as e:
        man.reject(FAC1, None, to_facility(man, "CT-003", ls=lines(5, 5)), [2], "x", F2, "CT-003-R1")
    assert e.value.rule == "licence"  # F2 is not licensed for 17 02 03


def test_a_correction_is_a_new_version_that_the_parties_who_signed_sign_again(man):
    m = draft(man)
    man.sign_handover(GEN, None, m["id"])
    man.sign_pickup(TR1, None, m["id"])
    man.correct(GEN, None, m["id"], {"vehicle_plate": "29C-999.99"}, "Sai biển số")
    doc = man.get_manifest(GEN, m["id"])
    assert doc["manifest_version"] == 2 and doc["resign"] == ["generator", "transporter1"]
    assert [v["vehicle_plate"] for v in doc["versions"]] == ["29C-123.45", "29C-999.99"]
    with pytest.raises(Conflict) as e:
        man.sign_pickup(TR2, None, m["id"])
    assert e.value.rule == "resign"
    man.sign_again(GEN, None, m["id"])
    man.sign_again(TR1, None, m["id"])
    with pytest.raises(Forbidden):
        man.sign_again(TR1, None, m["id"])
    assert man.sign_pickup(TR2, None, m["id"])["state"] == "in_transit"
    with pytest.raises(InvalidInput) as e:
        man.correct(GEN, None, m["id"], {"lines": lines(10, codes=["16 01 12"])}, "x")
    assert e.value.rule == "licence"


def test_codes_licences_generators_and_numbers_are_checked(man):
    head = man.log_head()
    with pytest.raises(InvalidInput) as e:
        draft(man, ls=lines(10, codes=["99 99 99"]))
    assert e.value.rule in ("catalogue", "licence")
    with pytest.raises(InvalidInput) as e:
        draft(man, facility=F2, ls=lines(10, 10))
    assert e.value.rule == "licence" and "17 02 03" in str(e.value)
    with pytest.raises(InvalidInput) as e:
        man.create_manifest(ADMIN, None, generator_id=PLAIN, number="X-1", transporters=[T1], facility_1=F1,
                            vehicle_plate="29C-1", lines=lines(1), planned_date=date(2026, 3, 3))
    assert e.value.rule == "hw_generator"
    with pytest.raises(InvalidInput) as e:
        draft(man, transporters=(F1,))
    assert e.value.rule == "transporter"
    with pytest.raises(InvalidInput):
        draft(man, ls=lines(-5))
    with pytest.raises(InvalidInput):
        draft(man, ls=lines(2_000_000))
    with pytest.raises(InvalidInput) as e:
        draft(man, ls=[dict(lines(1)[0], line=i + 1) for i in range(10_000)])
    assert e.value.rule == "max_items"
    with pytest.raises(Forbidden):
        draft(man, actor=Actor("tg:x", "business", establishment=OTHER_G))
    assert man.log_head() == head
    draft(man)
    with pytest.raises(Conflict) as e:
        draft(man, number="ct-001")
    assert e.value.rule == "unique"


def test_a_draft_can_be_cancelled_and_then_nothing_else(man):
    m = draft(man)
    assert man.cancel_manifest(GEN, None, m["id"], "Nhầm")["state"] == "cancelled"
    with pytest.raises(Conflict):
        man.sign_handover(GEN, None, m["id"])
    with pytest.raises(Conflict):
        man.cancel_manifest(GEN, None, to_facility(man, "CT-9"), "muộn")


def test_bulk_sign_pickups_and_treatments(man):
    ids = [draft(man, f"CT-B{i}", transporters=(T1,))["id"] for i in range(3)]
    for mid in ids[:2]:
        man.sign_handover(GEN, None, mid)
    result = man.bulk_sign(TR1, "bulk-1", ids, "pickup")
    assert result["signed"] == 2 and result["results"][2]["error"]["rule"] == "turn"
    for mid in ids[:2]:
        man.receive(FAC1, None, mid, measured(man, mid, 1000, 200))
    treated = man.bulk_sign(FAC1, None, ids[:2], "treated", "thiêu đốt", date(2026, 3, 2))
    assert treated["signed"] == 2
    with pytest.raises(Forbidden):
        man.bulk_sign(GEN, None, ids, "pickup")


def test_the_catalogue_in_force_is_the_newest_loaded_version(man):
    assert man.catalogue()["version"] == "test-1"
    man.load_catalogue(AGENCY, None, "official-2022", "Danh mục CTNH", "TT 02/2022 PL III",
                       [{"code": "17 02 03", "chapter": "17", "name_vi": "Dầu động cơ thải"},
                        {"code": "16 01 06", "chapter": "16", "name_vi": "Bóng đèn"}])
    assert man.catalogue()["version"] == "official-2022"
    with pytest.raises(InvalidInput) as e:
        draft(man, ls=lines(5, codes=["16 01 12"]), facility=F1)
    assert "official-2022" in str(e.value)
    with pytest.raises(InvalidInput) as e:
        man.load_catalogue(AGENCY, None, "bad", "x", "y", [{"code": "16 01 06", "chapter": "17", "name_vi": "x"}])
    assert e.value.rule == "chapter"
    with pytest.raises(Conflict):
        man.load_catalogue(AGENCY, None, "official-2022", "x", "y", [{"code": "16 01 06", "name_vi": "x"}])
    with pytest.raises(Forbidden):
        man.load_catalogue(GEN, None, "v3", "x", "y", [{"code": "16 01 06", "name_vi": "x"}])


@SQL_STORES
def test_timers_with_a_controlled_clock_emit_each_overdue_once(man, clock):
    late = to_facility(man, "CT-T1")                       # in transit from 2 March
    disputed = to_facility(man, "CT-T4")
    man.receive(FAC1, None, disputed, measured(man, disputed, 500, 200))   # 50 % short: discrepancy
    man.declare_stock(GEN, None, G, 2026, "16 01 06", 300, date(2025, 4, 1))  # stored since April 2025
    clock.now += timedelta(days=6)
    assert man.check_timers() == {"copy4": 0, "transit": 0, "discrepancy": 0, "storage": 0}
    clock.now += timedelta(days=2)  # 8 days in transit
    assert man.check_timers() == {"copy4": 0, "transit": 1, "discrepancy": 0, "storage": 0}
    clock.now += timedelta(days=8)  # the discrepancy is 16 days old
    assert man.check_timers() == {"copy4": 0, "transit": 0, "discrepancy": 1, "storage": 0}
    clock.now = datetime(2026, 4, 3, tzinfo=timezone.utc)  # over a year in store
    assert man.check_timers()["storage"] == 1
    clock.now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    assert man.check_timers()["copy4"] == 2
    assert man.check_timers() == {"copy4": 0, "transit": 0, "discrepancy": 0, "storage": 0}
    assert man.get_manifest(ADMIN, late)["overdue"] == ["transit", "copy4"]


@SQL_STORES
def test_mass_balance_declared_handed_over_received_treated_by_year(man):
    man.declare_stock(GEN, None, G, 2026, "16 01 06", 1500, date(2026, 1, 5))
    done = to_facility(man, "CT-M1")
    man.receive(FAC1, None, done, measured(man, done, 990, 200))
    man.treat(FAC1, None, done, "thiêu đốt", date(2026, 3, 2))
    half = to_facility(man, "CT-M2", ls=lines(300))
    man.receive(FAC1, None, half, measured(man, half, 310))
    draft(man, "CT-M3")  # a draft is not handed over yet
    assert man.mass_balance(GEN, G, 2026) == {"generator_id": G, "year": 2026, "declared_kg": 1500,
                                               "handed_over_kg": 1500.0, "received_kg": 1500.0, "treated_kg": 1190.0}
    with pytest.raises(Forbidden):
        man.mass_balance(TR1, G, 2026)
    assert {m["number"] for m in man.views.of_establishment(T1)} == {"CT-M1", "CT-M2", "CT-M3"}
    # the generator is awaited on the treated one (copy 4 back) and on the draft (hand-over)
    assert [m["number"] for m in man.views.of_establishment(G, awaiting_only=True)] == ["CT-M1", "CT-M3"]


@SQL_STORES
def test_public_events_carry_the_generator_commune_and_no_plate(man):
    mid = to_facility(man)
    man.receive(FAC1, None, mid, measured(man, mid, 1000, 200))
    events = PublicMapper("manifests", man, PUBLIC_EVENTS, place=man.place_of).events_since(0, 100)
    assert all(e["communecode"] == "xa-bat-trang" for e in events)
    for e in events:  # every one a valid CloudEvent for the official SDK
        assert JSONFormat().read(CloudEvent, json.dumps(e).encode()).get_attributes()["type"] == e["type"]
    assert "29C-123.45" not in str(events) and "tg:gen" not in str(events)


# -- role × command matrix -------------------------------------------------------------------------
ROLES = {"resident": Actor("r", "resident"), "business": GEN, "transporter": TR1, "treatment_facility": FAC1,
         "inspector": INSPECTOR, "agency": AGENCY, "admin": ADMIN}
ALLOWED = {
    "create_manifest": {"business", "admin"}, "sign_handover": {"business", "admin"},
    "sign_pickup": {"transporter", "admin"}, "receive": {"treatment_facility", "admin"},
    "treat": {"treatment_facility", "admin"}, "return_copy4": {"business", "admin"},
    "close_manifest": {"business", "agency", "admin"}, "cancel_manifest": {"business", "admin"}, "correct": {"business", "admin"},
    "reject": {"treatment_facility", "admin"}, "declare_stock": {"business", "admin"},
    "load_catalogue": {"agency", "admin"},
    "resolve_discrepancy": {"business", "treatment_facility", "agency", "inspector", "admin"},
}


@pytest.mark.parametrize("store", ["popo"], indirect=True)
def test_role_by_command_matrix(man):
    n = iter(range(10_000))

    def fresh(state):
        mid = draft(man, f"CT-R{next(n)}", transporters=(T1,))["id"]
        if state in ("handed_over", "in_transit", "received", "treated", "copy4_returned", "disputed"):
            man.sign_handover(GEN, None, mid)
        if state in ("in_transit", "received", "treated", "copy4_returned", "disputed"):
            man.sign_pickup(TR1, None, mid)
        if state in ("received", "treated", "copy4_returned"):
            man.receive(FAC1, None, mid, measured(man, mid, 1000, 200))
        if state == "disputed":
            man.receive(FAC1, None, mid, measured(man, mid, 10, 200))
        if state in ("treated", "copy4_returned"):
            man.treat(FAC1, None, mid, "x", date(2026, 3, 2))
        if state == "copy4_returned":
            man.return_copy4(GEN, None, mid)
        return mid

    commands = {
        "create_manifest": (lambda: None, lambda a, _: man.create_manifest(
            a, None, generator_id=G, number=f"CT-N{next(n)}", transporters=[T1], facility_1=F1, vehicle_plate="29C-1",
            lines=lines(1), planned_date=date(2026, 3, 3))),
        "sign_handover": (lambda: fresh("draft"), lambda a, m: man.sign_handover(a, None, m)),
        "sign_pickup": (lambda: fresh("handed_over"), lambda a, m: man.sign_pickup(a, None, m)),
        "receive": (lambda: fresh("in_transit"), lambda a, m: man.receive(a, None, m, measured(man, m, 1000, 200))),
        "treat": (lambda: fresh("received"), lambda a, m: man.treat(a, None, m, "x", date(2026, 3, 2))),
        "return_copy4": (lambda: fresh("treated"), lambda a, m: man.return_copy4(a, None, m)),
        "close_manifest": (lambda: fresh("copy4_returned"), lambda a, m: man.close_manifest(a, None, m)),
        "cancel_manifest": (lambda: fresh("draft"), lambda a, m: man.cancel_manifest(a, None, m, "x")),
        "correct": (lambda: fresh("draft"), lambda a, m: man.correct(a, None, m, {"vehicle_plate": "30A-1"}, "x")),
        "reject": (lambda: fresh("in_transit"), lambda a, m: man.reject(a, None, m, None, "x", None, f"CT-J{next(n)}")),
        "declare_stock": (lambda: None, lambda a, _: man.declare_stock(a, None, G, 2026, "16 01 06", 5, date(2026, 1, 1))),
        "load_catalogue": (lambda: None, lambda a, _: man.load_catalogue(
            a, None, f"v{next(n)}", "t", "s", CATALOGUE["codes"])),
        "resolve_discrepancy": (lambda: fresh("disputed"), lambda a, m: man.resolve_discrepancy(a, None, m, "agreed", "ok")),
    }
    assert set(commands) == set(ALLOWED)
    for name, (setup, run) in commands.items():
        for role, actor in ROLES.items():
            target = setup()
            head = man.log_head()
            if role in ALLOWED[name]:
                run(actor, target)
                assert man.log_head() > head, (name, role)
            else:
                with pytest.raises(Forbidden) as e:
                    run(actor, target)
                assert e.value.field.startswith(("actor", "generator_id")), (name, role, e.value.field)
                assert man.log_head() == head, (name, role)


def test_unknown_manifest_is_not_found(man):
    with pytest.raises(NotFound):
        man.sign_handover(GEN, None, "60000000-0000-0000-0000-000000000001")
