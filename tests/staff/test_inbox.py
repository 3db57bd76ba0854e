"""The inbox in the browser: a report filed by chat is triaged, assigned, verified and resolved by
staff, the resident's chat hears each step and Open311 shows it closed; a double-clicked submit
acts once; a commune officer neither sees nor acts on another commune's report."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx

from bot.texts import t
from tests.staff.accounts import staff_member
from tests.staff.chat import ChatThread
from tests.staff.forms import fill_and_send, form_values
from tests.staff.world import file_report, incident, incident_events, village, village_elsewhere

BAT_TRANG = "Bát Tràng"


def open_report(story, ticket: str, step: str) -> None:  # type: ignore[no-untyped-def]
    """From the inbox list to the report, by its ticket's link."""
    story.goto("/staff/inbox", f"inbox-{step}")
    with story.page.expect_navigation():
        story.page.locator("#inbox-table a.ticket", has_text=ticket).click()
    story.snap(step)


def state(story) -> str:  # type: ignore[no-untyped-def]
    return story.page.locator("#report-state").get_attribute("data-state")


def chat_report(resident, site: dict) -> str:  # type: ignore[no-untyped-def]
    """The resident files a report through the bot's /report conversation; its ticket."""
    resident.send("/report")
    resident.press("cat:wastewater")
    resident.send("bat trang")
    resident.press(f"rsite:{site['id']}")
    resident.send("Nước thải men gốm chảy thẳng ra mương sau xưởng")
    resident.press("rphotos:done")
    [filed] = resident.press("rconfirm:yes")
    return re.search(r"PA-[0-9A-F]+", filed).group(0)


def test_a_report_filed_by_chat_is_handled_in_the_browser_and_the_resident_hears_each_step(story):
    system = story.system
    site = village(system, BAT_TRANG)
    officer = story
    staff_member(officer, "agency")
    field = story.other("inspector")
    inspector = staff_member(field, "inspector", unit="Đội kiểm tra số 1")

    with ChatThread(system.env) as chat:
        lan = chat.resident(8101)
        ticket = chat_report(lan, site)

        def heard(st: str) -> None:
            lan.wait_for(t("vi", "push-incident", ticket=ticket, state=t("vi", f"state-{st}")))

        open_report(officer, ticket, "reported")
        incident_id = officer.page.url.rstrip("/").rsplit("/", 1)[1]
        fill_and_send(officer, "#triage-form", {"category": "wastewater", "priority": "high"}, "triaged")
        assert state(officer) == "triaged"
        heard("triaged")
        fill_and_send(officer, "#assign-form", {"unit": "Đội kiểm tra số 1", "inspector": inspector.email}, "assigned")
        assert state(officer) == "assigned"
        heard("assigned")

        open_report(field, ticket, "assigned-to-me")
        fill_and_send(field, "#verify-form", {"finding": "Có xả nước thải men chưa xử lý ra mương"}, "verified")
        assert state(field) == "verified"
        heard("verified")
        fill_and_send(field, "#resolve-form", {"note": "Đã yêu cầu cơ sở dừng xả, lập biên bản"}, "resolved")
        assert state(field) == "resolved"
        heard("resolved")

    assert [e for e in incident_events(system, incident_id) if e != "Overdue"] == \
        ["Reported", "Triaged", "Assigned", "Verified", "Resolved"]
    open311 = httpx.get(f"{system.base}/open311/v2/requests/{incident_id}.json", timeout=10)
    assert open311.status_code == 200 and open311.json()[0]["status"] == "closed", open311.text
    story.goto(f"/open311/v2/requests/{incident_id}.json", "open311-closed")


def double_click(story, form: str, step: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Double-click a form's submit button; the POSTs the browser sent."""
    posts: list[str] = []

    def listen(request) -> None:  # type: ignore[no-untyped-def]
        if request.method == "POST":
            posts.append(request.url)

    story.page.on("request", listen)
    with story.page.expect_navigation():
        story.page.locator(f'{form} [type="submit"]').dblclick()
    story.page.wait_for_load_state()
    story.page.remove_listener("request", listen)
    story.snap(step)
    return posts


def test_a_double_clicked_submit_acts_once(story):
    system = story.system
    report = file_report(system, village(system, BAT_TRANG))
    staff_member(story, "agency")
    open_report(story, report["ticket"], "reported")
    story.page.locator('#triage-form [name="priority"]').select_option("normal")
    sent = form_values(story, "#triage-form", "csrf", "command_id", "category")
    posts = double_click(story, "#triage-form", "triage-double-clicked")
    assert posts == [f"{system.base}/staff/inbox/{report['id']}/triage"]  # the page's script sends once
    # the same form sent once more as it was (a slow network's retry): the same command id acts once
    again = story.context.request.post(f"{system.base}/staff/inbox/{report['id']}/triage",
                                       form={**sent, "priority": "normal"}, max_redirects=0)
    assert again.status in (200, 303), again.text()[:500]
    assert incident_events(system, report["id"]).count("Triaged") == 1

    # two sends of one assign form racing each other (a double click the page's script did not stop)
    story.goto(f"/staff/inbox/{report['id']}", "triaged")
    form = dict(form_values(story, "#assign-form", "csrf", "command_id"), unit="Đội kiểm tra số 2")
    cookies = {c["name"]: c["value"] for c in story.context.cookies()}
    url = f"{system.base}/staff/inbox/{report['id']}/assign"
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: httpx.post(url, data=form, cookies=cookies, timeout=30), range(2)))
    assert [a.status_code for a in answers] == [303, 303], [a.text[:300] for a in answers]
    assert [e for e in incident_events(system, report["id"]) if e != "Overdue"] == ["Reported", "Triaged", "Assigned"]
    assert incident(system, report["id"])["state"] == "assigned"
    story.goto(f"/staff/inbox/{report['id']}", "one-of-each-in-history")
    assert story.page.locator('#history li[data-event="Triaged"]').count() == 1
    assert story.page.locator('#history li[data-event="Assigned"]').count() == 1


def test_a_commune_officer_neither_sees_nor_acts_on_another_communes_report(story):
    system = story.system
    home = village(system, BAT_TRANG)
    away = village_elsewhere(system, home["commune"])
    mine, theirs = file_report(system, home), file_report(system, away)
    staff_member(story, "agency", communes=(home["commune"],))

    story.goto("/staff/inbox", "inbox-of-my-commune")
    table = story.page.locator("#inbox-table")
    assert table.locator("a.ticket", has_text=mine["ticket"]).count() == 1
    assert story.page.locator(f'a[href*="{theirs["id"]}"]').count() == 0  # no link to it

    refused = story.goto(f"/staff/inbox/{theirs['id']}", "other-communes-report-refused")
    assert refused.status == 403
    story.goto(f"/staff/inbox/{mine['id']}", "my-report")  # a form of mine gives a valid token
    sent = form_values(story, "#triage-form", "csrf", "command_id")
    acted = story.context.request.post(f"{system.base}/staff/inbox/{theirs['id']}/triage",
                                       form={**sent, "category": "smoke_odour", "priority": "high"}, max_redirects=0)
    assert acted.status == 403
    assert incident(system, theirs["id"])["state"] == "reported"  # nothing changed
    assert incident_events(system, theirs["id"]) == ["Reported"]
    listed = story.goto(f"/staff/inbox?commune={away['commune']}", "filtering-by-another-commune")
    assert listed.status == 403 or story.page.locator("a.ticket", has_text=theirs["ticket"]).count() == 0
