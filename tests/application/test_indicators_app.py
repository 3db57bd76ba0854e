"""The four targets on hand-built histories with exact figures, as-of queries, the reform,
the roadmap, the status card, reports; the facts followed from real public events."""
from datetime import date, datetime, timezone

import pytest

from services.indicators.application import IndicatorsApplication
from services.indicators.drill import ReportsIndex
from services.indicators.views import IndicatorFacts
from services.inspections.application import InspectionsApplication
from services.manifests.application import ManifestsApplication
from services.sites.application import SitesApplication
from shared.kit.actor import Actor
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.follower import Follower
from shared.kit.store import popo_env
from tests.history import Clock, History
from tests.ports import indicators_ports, on_store, sites_ports

AGENCY = Actor("a", "agency")
ADMIN = Actor("adm", "admin")


class World(History):
    """The three source applications (in memory) and the indicators following their streams."""

    def __init__(self, settings):
        sites = SitesApplication(env=popo_env(), ports=sites_ports())
        inspections, manifests = History.ports(sites)
        super().__init__(sites, InspectionsApplication(env=popo_env(), ports=inspections),
                         ManifestsApplication(env=popo_env(), ports=manifests,
                                              clock=Clock(datetime(2025, 11, 10, 2, tzinfo=timezone.utc))))
        self.indicators = on_store(IndicatorsApplication, "indicators", settings,
                                   lambda store: indicators_ports(facts=IndicatorFacts(store.db),
                                                                  reports=ReportsIndex(store.db, store)))
        self.facts = self.indicators.facts
        self.followers = {s: Follower(s, self.facts, m.events_since, page=50) for s, m in self.mappers.items()}

    def sync(self):
        for f in self.followers.values():
            f.catch_up()

    def site(self, kind, name, district, **kw):
        return self.sites.register_site(AGENCY, None, kind=kind, name=name, old_district=district, **kw)["id"]

    def conditions(self, sid, **states):
        for item in ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point"):
            self.sites.set_condition(AGENCY, None, sid, item, states.get(item, "met"), date(2025, 1, 10), "Điều 56")


@pytest.fixture
def world(settings):
    w = World(settings)
    s = w.sites
    w.v1 = w.site("craft_village", "Bát Tràng", "gia-lam", old_commune="Bát Tràng")
    w.v2 = w.site("craft_village", "Kim Lan", "gia-lam")
    w.v3 = w.site("craft_village", "Vạn Phúc", "ha-dong")
    w.v4 = w.site("craft_village", "Chưa công nhận", "hoai-duc")
    for v, day in ((w.v1, date(2010, 5, 1)), (w.v2, date(2012, 1, 1)), (w.v3, date(2015, 1, 1))):
        s.recognise_site(AGENCY, None, v, "QĐ", day, "NĐ 52/2018")
    s.classify_site(AGENCY, None, w.v1, date(2024, 5, 1), "polluted", "not_polluted", "not_polluted", 2, "Sở", "QĐ 2546")
    s.classify_site(AGENCY, None, w.v2, date(2021, 3, 1), "severe", "polluted", "not_polluted", 1, "Sở", "TT 31/2016")
    w.conditions(w.v1, central_wwtp="not_applicable")
    w.conditions(w.v2, drainage="not_met")
    w.c1 = w.site("industrial_cluster", "CCN Phú Thị", "gia-lam")
    w.c2 = w.site("industrial_cluster", "CCN Thạch Thất", "thach-that")
    w.c3 = w.site("industrial_cluster", "CCN làng nghề Vạn Phúc", "ha-dong", craft_village_cluster=True)
    w.site("industrial_zone", "KCN Thăng Long", "dong-anh")
    s.set_wwtp(AGENCY, None, w.c1, "operating", since=date(2024, 6, 1))
    s.set_wwtp(AGENCY, None, w.c2, "idle")
    s.record_reform(AGENCY, None, [{"site_id": w.v1, "commune": "xa-bat-trang"}])
    est = lambda site, code, **flags: s.register_establishment(AGENCY, None, site_id=site, name=f"Cơ sở {code}",  # noqa: E731
                                                               form="enterprise", registration_code=code, trades=[], **flags)["id"]
    w.g = est(w.c1, "G", hw_generator=True)
    w.t = est(w.c1, "T", transporter=True, licence={"number": "1", "waste_codes": []})
    w.f = est(w.c2, "F", treatment_facility=True, licence={"number": "2", "waste_codes": ["16 01 06"]})
    w.m1 = w.lifecycle("M1", 1000, 990, treat=True)
    w.m2 = w.lifecycle("M2", 500, 500, treat=False)
    w.sync()
    yield w
    w.indicators.close()


def _lifecycle(self, number, kg, measured, treat):
    gen = Actor("g", "business", establishment=self.g)
    line = {"line": 1, "code": "16 01 06", "name": "Bóng đèn", "state": "solid", "packaging": "thùng", "quantity_kg": kg,
            "method": "thiêu đốt"}
    m = self.manifests.create_manifest(gen, None, generator_id=self.g, number=number, transporters=[self.t],
                                       facility_1=self.f, vehicle_plate="29C-1", lines=[line], planned_date=date(2025, 11, 10))
    self.manifests.sign_handover(gen, None, m["id"])
    self.manifests.sign_pickup(Actor("t", "transporter", establishment=self.t), None, m["id"])
    fac = Actor("f", "treatment_facility", establishment=self.f)
    self.manifests.receive(fac, None, m["id"], [{"line": 1, "code": "16 01 06", "quantity_kg": measured}])
    if treat:
        self.manifests.treat(fac, None, m["id"], "thiêu đốt", date(2025, 11, 10))
    return m["id"]


World.lifecycle = _lifecycle


def fig(figures, unit, target):
    f = figures[unit][target]
    return f["numerator"], f["denominator"], f["ratio"]


def test_each_definition_with_exact_figures_per_unit(world):
    figures = world.indicators.figures("2025Q4")
    assert fig(figures, "city:hanoi", "villages_classified") == (1, 3, 0.3333)      # V2's 2021 classification expired
    assert fig(figures, "city:hanoi", "villages_meeting_conditions") == (1, 3, 0.3333)  # V1 (no central plant: n/a)
    assert fig(figures, "city:hanoi", "clusters_with_wwtp") == (1, 3, 0.3333)        # C1 operating; C2 idle; C3 unknown
    assert fig(figures, "city:hanoi", "hw_treated") == (990.0, 1500.0, 0.66)
    assert fig(figures, "district:gia-lam", "villages_classified") == (1, 2, 0.5)
    assert fig(figures, "district:gia-lam", "clusters_with_wwtp") == (1, 1, 1.0)
    assert fig(figures, "district:ha-dong", "villages_classified") == (0, 1, 0.0)
    assert fig(figures, "district:ha-dong", "hw_treated") == (0, 0, None)             # no hand-over: no division
    assert fig(figures, "district:thach-that", "clusters_with_wwtp") == (0, 1, 0.0)
    assert fig(figures, "district:hoai-duc", "villages_classified") == (0, 0, None)   # only an unrecognised village
    assert fig(figures, "commune:xa-bat-trang", "villages_classified") == (1, 1, 1.0)
    drill = figures["city:hanoi"]["hw_treated"]["sites"]
    # drafted, hand-over, receipt (+ treatment for M1): the events the kilograms come from
    assert [d["name"] for d in drill] == ["CCN Phú Thị"] and len(drill[0]["events"]) == 7
    assert all(e.startswith("manifests-") for e in drill[0]["events"])
    villages = {d["name"]: d for d in figures["city:hanoi"]["villages_classified"]["sites"]}
    assert villages["Bát Tràng"]["counted"] and not villages["Kim Lan"]["counted"]
    assert all(e.startswith("sites-") for e in villages["Bát Tràng"]["events"])


def test_the_reform_new_communes_report_from_their_creation_and_districts_before(world):
    before = world.indicators.figures("2025Q2")
    assert "commune:xa-bat-trang" not in before and "district:gia-lam" in before
    assert "commune:xa-bat-trang" in world.indicators.figures("2025Q3")


def test_periods_and_as_of(world):
    assert world.indicators.figures("2025")["city:hanoi"]["hw_treated"]["denominator"] == 1500.0
    assert world.indicators.figures("2025Q3")["city:hanoi"]["hw_treated"]["denominator"] == 0   # handed over in Q4
    assert world.indicators.figures("2023Q4")["city:hanoi"]["clusters_with_wwtp"]["numerator"] == 0  # C1 from June 2024
    before = datetime.now(timezone.utc)
    world.sites.classify_site(AGENCY, None, world.v3, date(2025, 2, 1), "polluted", "polluted", "not_polluted", 2,
                              "Sở", "QĐ 2546")
    world.sync()
    assert fig(world.indicators.figures("2025Q4"), "city:hanoi", "villages_classified")[:2] == (2, 3)
    assert fig(world.indicators.figures("2025Q4", as_of=before), "city:hanoi", "villages_classified")[:2] == (1, 3)
    with pytest.raises(InvalidInput):
        world.indicators.figures("2025Q5")


def test_roadmap_from_the_first_measured_quarter_to_100_percent_at_2025q4(world):
    road = world.indicators.roadmap("2025Q4")
    city = road["city:hanoi"]
    assert city["villages_classified"] == {"ratio": 0.3333, "target": 1.0, "status": "off_track"}
    assert road["district:gia-lam"]["clusters_with_wwtp"]["status"] == "on_track"
    assert road["district:ha-dong"]["hw_treated"]["status"] == "no_data"
    first = world.indicators.roadmap("2021Q1")["city:hanoi"]["villages_classified"]
    assert first["target"] == first["ratio"] == 0.3333  # the line starts at the first measured value
    mid = world.indicators.roadmap("2023Q3")["city:hanoi"]["villages_classified"]
    assert mid["target"] == pytest.approx(0.3333 + (1 - 0.3333) * 10 / 19, abs=1e-3)
    assert world.indicators.roadmap("2026Q2")["city:hanoi"]["villages_classified"]["target"] == 1.0
    world.indicators.roadmap_overrides = {"villages_classified": {"city:hanoi": {"2025Q4": 0.3}}}
    assert world.indicators.roadmap("2025Q4")["city:hanoi"]["villages_classified"]["status"] == "on_track"


def test_the_status_card_counts_incidents_without_reporters(world):
    world.inspections.report_incident(Actor("tg:1", "resident"), None, category="wastewater", description="Nước đen",
                                      site_id=world.v1, location=None)
    world.sync()
    card = world.indicators.status_card(world.v1)
    assert card["name"] == "Bát Tràng" and card["commune"] == "xa-bat-trang" and card["recognised"]
    assert card["open_incidents"] == 1 and "tg:1" not in str(card)
    assert card["conditions"]["central_wwtp"] == "not_applicable"
    assert len(card["compliance_grid"]) == 12
    c1 = world.indicators.status_card(world.c1)
    assert c1["manifests"] == {"count": 2, "handed_over_kg": 1500.0, "treated_kg": 990.0}
    assert c1["compliance_grid"][-1]["clusters_with_wwtp"] is True


def test_a_report_is_an_immutable_snapshot_diffable_after_late_corrections(world):
    issued = world.indicators.issue_report(AGENCY, "rep-1", "2025Q4", None)
    assert world.indicators.issue_report(AGENCY, "rep-1", "2025Q4", None) == issued
    report = world.indicators.get_report(issued["id"])
    city = next(u for u in report["units"] if u["unit"] == "city:hanoi")
    assert city["targets"]["clusters_with_wwtp"]["ratio"] == 0.3333
    assert world.indicators.diff_report(issued["id"])["changes"] == []
    world.sites.set_wwtp(AGENCY, None, world.c2, "operating", since=date(2025, 10, 1))  # a late correction
    world.sync()
    assert world.indicators.get_report(issued["id"]) == report  # as issued, unchanged
    changes = world.indicators.diff_report(issued["id"])["changes"]
    assert {(c["unit"], c["target"]) for c in changes} == {("city:hanoi", "clusters_with_wwtp"),
                                                            ("district:thach-that", "clusters_with_wwtp")}
    assert changes[0]["today"]["numerator"] == changes[0]["issued"]["numerator"] + 1
    with pytest.raises(NotFound):
        world.indicators.issue_report(AGENCY, None, "2025Q4", "district:nowhere")


def test_figures_as_of_now_are_reused_until_a_fact_arrives(world):
    first = world.indicators.figures("2025Q4")
    assert world.indicators.figures("2025Q4") is first  # the same facts: the same answer, not recomputed
    world.sites.set_wwtp(AGENCY, None, world.c2, "operating", since=date(2025, 10, 1))
    world.sync()
    again = world.indicators.figures("2025Q4")
    assert again is not first
    assert fig(again, "city:hanoi", "clusters_with_wwtp") == (2, 3, 0.6667)
    assert fig(first, "city:hanoi", "clusters_with_wwtp") == (1, 3, 0.3333)  # an answer given is never changed
