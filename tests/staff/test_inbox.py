"""The inbox in the browser: a report filed by chat is triaged, assigned, verified and resolved by
staff, the resident's chat hears each step and Open311 shows it closed; a double-clicked submit
acts once; a commune officer neither sees nor acts on another commune's report."""
from __future__ import annotations

import re

import httpx

from bot.texts import t
from tests.staff.accounts import fill_and_send, staff_member
from tests.staff.chat import ChatThread
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


def test_a_double_clicked_submit_acts_once(story):
    report = file_report(story.system, village(story.system, BAT_TRANG))
    staff_member(story, "agency")
    open_report(story, report["ticket"], "reported")
    page = story.page
    posts: list[str] = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    form = page.locator("#triage-form")
    form.locator('[name="priority"]').select_option("normal")
    sent = {name: form.locator(f'[name="{name}"]').input_value() for name in ("csrf", "command_id", "category")}
    with page.expect_navigation():
        form.locator('[type="submit"]').dblclick()
    page.wait_for_load_state()
    story.snap("after-double-click")
    assert posts and all(u.endswith(f"/{report['id']}/triage") for u in posts)
    # and the same form sent once more as it was (a slow network's retry): the same command id
    again = story.context.request.post(f"{story.system.base}/staff/inbox/{report['id']}/triage",
                                       form={**sent, "priority": "normal"}, max_redirects=0)
    assert again.status in (200, 303), again.text()[:500]
    assert incident_events(story.system, report["id"]).count("Triaged") == 1
    assert incident(story.system, report["id"])["state"] == "triaged"
    story.goto(f"/staff/inbox/{report['id']}", "one-triage-in-history")
    assert story.page.locator('#history li[data-event="Triaged"]').count() == 1


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
    form = story.page.locator("#triage-form")
    sent = {name: form.locator(f'[name="{name}"]').input_value() for name in ("csrf", "command_id")}
    acted = story.context.request.post(f"{system.base}/staff/inbox/{theirs['id']}/triage",
                                       form={**sent, "category": "smoke_odour", "priority": "high"}, max_redirects=0)
    assert acted.status == 403
    assert incident(system, theirs["id"])["state"] == "reported"  # nothing changed
    assert incident_events(system, theirs["id"]) == ["Reported"]
    listed = story.goto(f"/staff/inbox?commune={away['commune']}", "filtering-by-another-commune")
    assert listed.status == 403 or story.page.locator("a.ticket", has_text=theirs["ticket"]).count() == 0
