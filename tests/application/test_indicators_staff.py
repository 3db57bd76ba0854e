"""Stories of the staff's targets page (issue 14, page 5) on the hand-built history of the
indicators tests: the four targets per unit against the roadmap, the drill-down to the sites and
to the events behind each, the index of issued reports and the difference between two issues."""
from datetime import date

import pytest

from shared.kit.errors import InvalidInput, NotFound
from tests.application.test_indicators_app import AGENCY, world  # noqa: F401  (the fixture)


@pytest.fixture
def drill(world):  # noqa: F811
    return world.indicators.drill  # built by the Application on its reports index (World's ports)


def test_the_four_targets_per_unit_against_the_roadmap(world, drill):  # noqa: F811
    table = drill.targets("2025q4")
    assert table["period"] == "2025Q4"
    city = table["units"]["city:hanoi"]
    assert set(city) == {"hw_treated", "clusters_with_wwtp", "villages_classified", "villages_meeting_conditions"}
    assert (city["clusters_with_wwtp"]["numerator"], city["clusters_with_wwtp"]["denominator"]) == (1, 3)
    assert city["clusters_with_wwtp"]["target"] == 1.0 and city["clusters_with_wwtp"]["status"] == "off_track"
    assert city["hw_treated"]["ratio"] == 0.66
    scoped = drill.targets("2025Q4", units=["district:gia-lam", "commune:xa-bat-trang"])["units"]
    assert sorted(scoped) == ["commune:xa-bat-trang", "district:gia-lam"]
    assert scoped["district:gia-lam"]["villages_classified"]["numerator"] == 1


def test_the_drill_down_lists_the_sites_of_numerator_and_denominator(world, drill):  # noqa: F811
    d = drill.drill_down("2025Q4", "district:gia-lam", "villages_classified")
    assert (d["numerator"], d["denominator"]) == (1, 2)
    assert [(s["name"], s["counted"]) for s in d["sites"]] == [("Bát Tràng", True), ("Kim Lan", False)]
    with pytest.raises(NotFound) as e:
        drill.drill_down("2025Q4", "district:nowhere", "villages_classified")
    assert e.value.field == "unit"
    with pytest.raises(InvalidInput) as e:
        drill.drill_down("2025Q4", "city:hanoi", "happiness")
    assert e.value.field == "target"


def test_the_events_behind_a_site_say_what_each_set(world, drill):  # noqa: F811
    v1 = drill.site_events("2025Q4", "district:gia-lam", "villages_classified", world.v1)
    assert v1["name"] == "Bát Tràng" and v1["counted"] and v1["manifests"] == []
    facts = {e["fact"]: e for e in v1["events"]}
    assert {"registered", "recognised", "classified"} <= set(facts)
    assert facts["classified"]["value"] == "2024-05-01" and facts["classified"]["event_id"].startswith("sites-")
    v2 = drill.site_events("2025Q4", "district:gia-lam", "villages_classified", world.v2)
    assert not v2["counted"] and {e["fact"] for e in v2["events"]} >= {"classified"}  # expired: still shown
    hw = drill.site_events("2025Q4", "city:hanoi", "hw_treated", world.c1)
    assert sorted((m["handed_over_kg"], m["treated_kg"]) for m in hw["manifests"]) == [(500.0, None), (1000.0, 990.0)]
    assert all(m["events"] for m in hw["manifests"])
    with pytest.raises(NotFound) as e:
        drill.site_events("2025Q4", "district:ha-dong", "villages_classified", world.v1)  # not in that unit
    assert e.value.field == "site_id"


def test_issued_reports_are_listed_and_two_issues_compared(world, drill):  # noqa: F811
    first = world.indicators.issue_report(AGENCY, "rep-1", "2025Q4", None)
    world.sites.set_wwtp(AGENCY, None, world.c2, "operating", since=date(2025, 10, 1))  # a late correction
    world.sync()
    second = world.indicators.issue_report(AGENCY, "rep-2", "2025Q4", None)
    listed = drill.list_reports()
    assert listed["total"] == 2 and [r["id"] for r in listed["items"]] == [second["id"], first["id"]]
    assert listed["items"][0]["issued_by"] == AGENCY.id and listed["items"][0]["period"] == "2025Q4"
    assert drill.list_reports(period="2025Q3")["total"] == 0
    assert drill.list_reports(limit=1, offset=1)["items"][0]["id"] == first["id"]
    diff = drill.compare_reports(second["id"], first["id"])
    assert {(c["unit"], c["target"]) for c in diff["changes"]} == {("city:hanoi", "clusters_with_wwtp"),
                                                                  ("district:thach-that", "clusters_with_wwtp")}
    city = next(c for c in diff["changes"] if c["unit"] == "city:hanoi")
    assert (city["earlier"]["numerator"], city["later"]["numerator"]) == (1, 2)
    with pytest.raises(InvalidInput):
        drill.compare_reports(first["id"], first["id"])
    with pytest.raises(NotFound):
        drill.compare_reports(first["id"], "00000000-0000-0000-0000-000000000000")
    drill.reports.rebuild()
    assert drill.list_reports() == listed
