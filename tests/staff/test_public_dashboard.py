"""The public dashboard of the running system in Playwright: it renders the indicators service's
figures for the city and one marker per seeded site with a location."""
from __future__ import annotations

from tests.gateway.test_dashboard import WITH_LOCATION, Expected, Page, check_figures, check_markers


def test_the_public_dashboard_shows_the_services_figures_and_the_seeded_sites(story):
    response = story.page.goto(story.system.base + "/dashboard?period=2025Q4&unit=city:hanoi")
    assert response.status == 200
    story.page.locator('body[data-state="ready"]').wait_for()
    story.page.locator(".leaflet-marker-icon").first.wait_for()
    story.snap("dashboard")

    page = Page(story.page.content(), [])
    expected = Expected(story.system)
    assert check_figures(page, expected, "2025Q4", "city:hanoi") > 40
    assert check_markers(page, story.system, "city:hanoi") == WITH_LOCATION  # every seeded site with a location
    assert story.console == [], story.console  # no script error, no CSP refusal
