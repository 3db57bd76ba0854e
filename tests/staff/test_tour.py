"""Every page of the workspace's navigation opens for an admin, on a desktop and on a phone's
width, in Vietnamese and in English, without a script error or a refused resource (CSP): each is
kept as a screenshot for the lead to look at."""
from __future__ import annotations

from tests.staff.accounts import staff_member

NAV = ("/staff/inbox", "/staff/registry", "/staff/inspections", "/staff/reports", "/staff/manifests", "/staff/targets",
       "/staff/audit", "/staff/accounts")


def test_every_page_of_the_navigation_opens_on_a_desktop_and_a_phone_in_both_languages(story):
    staff_member(story, "admin")
    story.goto("/staff", "home")
    links = story.page.locator("header nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert tuple(links) == NAV
    for width in (1280, 390):
        story.page.set_viewport_size({"width": width, "height": 900})
        for path in (*NAV, "/staff/me"):
            shown = story.goto(path, f"{path.rsplit('/', 1)[1]}-{width}px")
            assert shown.status == 200, (path, shown.status)
            assert story.page.locator("main h1").count() >= 1, path
            if width == 390:  # one column on a phone: nothing wider than the screen
                assert story.page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, path
    story.page.set_viewport_size({"width": 1280, "height": 900})
    for path in NAV:
        story.goto(f"{path}?lang=en", f"{path.rsplit('/', 1)[1]}-english")
        assert story.page.locator("html").get_attribute("lang") == "en", path
    story.goto("/staff/lang/vi?next=/staff", "back-to-vietnamese")
    assert story.console == [], story.console
