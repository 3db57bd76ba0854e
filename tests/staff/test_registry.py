"""The registry in the browser moves the public dashboard: a recognised village found by the
search, classified and its five Art. 56 conditions set met through the site page's forms, and the
dashboard of the quarter then counts one more village classified and one more meeting its
conditions — the same figures the indicators service gives."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from shared.kit.calendar import local_date
from tests.gateway.test_dashboard import Expected, Page, check_figures
from tests.staff.accounts import staff_member
from tests.staff.forms import fill_and_send, form_values
from tests.staff.world import AGENCY, village, village_elsewhere

CONDITIONS = ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point")
TARGETS = ("villages_classified", "villages_meeting_conditions")


def quarter_now() -> tuple[str, str]:
    today = local_date(datetime.now(timezone.utc))
    return today.isoformat(), f"{today.year}Q{(today.month - 1) // 3 + 1}"


def dashboard(story, period: str, step: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The city's two village figures (numerators) as the dashboard shows them."""
    story.page.goto(f"{story.system.base}/dashboard?period={period}&unit=city:hanoi")
    story.page.locator('body[data-state="ready"]').wait_for()
    story.snap(step)
    cell = 'td[data-period="{p}"][data-unit="city:hanoi"][data-target="{t}"][data-field="numerator"]'
    return {t: float(story.page.locator(cell.format(p=period, t=t)).get_attribute("data-value") or 0) for t in TARGETS}


def test_a_village_classified_with_its_five_conditions_met_moves_the_dashboards_targets(story):
    today, period = quarter_now()
    before = dashboard(story, period, "dashboard-before")
    staff_member(story, "agency")

    story.goto("/staff/registry?kind=craft_village&recognised=true&classified=false", "unclassified-villages")
    with story.page.expect_navigation():
        story.page.locator("#registry-results a.site-link").first.click()
    story.snap("the-village")
    site_url = story.page.url

    fill_and_send(story, "#form-classify", {"classified_on": today, "water": "polluted", "air": "not_polluted",
                                            "soil": "not_polluted"}, "classified")
    assert "/staff/registry/sites/" in story.page.url and story.page.locator("#card-classification").inner_text() \
        .startswith(today)
    for item in CONDITIONS:
        state = "not_applicable" if item == "central_wwtp" else "met"
        fill_and_send(story, f"#form-condition-{item}", {"state": state, "checked_on": today,
                                                         "evidence": f"Biên bản kiểm tra {item}"}, f"condition-{item}")
    assert story.page.url.split("#")[0].split("?")[0] == site_url.split("?")[0]
    assert "5/5" in story.page.locator("#conditions-met").inner_text()

    deadline = time.monotonic() + 30
    while True:  # the indicators service follows the sites stream
        after = dashboard(story, period, "dashboard-after")
        if after != before or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert after == {t: before[t] + 1 for t in TARGETS}, (before, after)
    page = Page(story.page.content(), [])
    assert check_figures(page, Expected(story.system), period, "city:hanoi") > 40


def test_a_commune_officer_neither_finds_nor_changes_another_communes_site(story):
    system = story.system
    home = village(system, "Bát Tràng")
    away = village_elsewhere(system, home["commune"])
    staff_member(story, "agency", communes=(home["commune"],))

    story.goto("/staff/registry?kind=craft_village", "registry-of-my-commune")
    assert story.page.locator(f'#registry-results a[href="/staff/registry/sites/{home["id"]}"]').count() == 1
    assert story.page.locator(f'a[href*="{away["id"]}"]').count() == 0  # no link to it
    refused = story.goto(f"/staff/registry/sites/{away['id']}", "other-communes-site-refused")
    assert refused.status == 403

    story.goto(f"/staff/registry/sites/{home['id']}", "my-site")  # a form of mine gives a valid token
    sent = form_values(story, "#form-classify", "csrf", "command_id")
    before = system.call_sync(AGENCY, "sites", "get_site", site_id=away["id"])
    acted = story.context.request.post(
        f"{system.base}/staff/registry/sites/{away['id']}/classify", max_redirects=0,
        form={**sent, "classified_on": quarter_now()[0], "water": "severe", "air": "severe", "soil": "severe",
              "assessor": "Sở NN&MT", "legal_basis": "QĐ 2546/QĐ-UBND"})
    assert acted.status == 403
    assert system.call_sync(AGENCY, "sites", "get_site", site_id=away["id"]) == before  # nothing changed
