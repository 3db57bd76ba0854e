"""The indicators count an event on the day it happened in Hanoi, not on its UTC day: a hand-over
signed at 03:00 on 1 April in Hanoi (20:00 UTC on 31 March) belongs to the second quarter, and an
incident reported at 01:30 on 2 December in Hanoi is dated 2 December on the status card."""
from datetime import date, datetime, timezone

from shared.kit.actor import Actor
from tests.application.test_indicators_app import World, fig, world  # noqa: F401  (the fixture)


def test_a_hand_over_signed_after_midnight_in_hanoi_counts_in_the_quarter_of_its_local_day(world):  # noqa: F811
    world.manifests.clock.now = datetime(2026, 3, 31, 20, 0, tzinfo=timezone.utc)  # 03:00, 1 April in Hanoi
    world.lifecycle("M3", 700, 700, treat=False)
    world.sync()
    assert fig(world.indicators.figures("2026Q1"), "city:hanoi", "hw_treated")[1] == 0
    assert fig(world.indicators.figures("2026Q2"), "city:hanoi", "hw_treated")[1] == 700.0


def test_a_site_card_dates_an_incident_by_its_hanoi_day(world):  # noqa: F811
    world.inspections.clock = lambda: datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)  # 01:30, 2 December
    world.inspections.report_incident(Actor("tg:2", "resident"), None, category="smoke_odour", description="Khói đen",
                                      site_id=world.v1, location=None)
    world.sync()
    days = [c["on_date"] for c in world.indicators.facts.cases(world.v1) if c["kind"] == "incident"]
    assert days == [date(2026, 12, 2).isoformat()]
