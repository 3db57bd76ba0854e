"""An inspector in the field (issue 15), in the browser and the chat: from "My account" the
inspector issues a bot link code (shown once, with its QR code), opens the bot with it, is told
by a push when an agency officer assigns them a report in the browser, and finds it in /tasks."""
from __future__ import annotations

import re

from bot.texts import t
from tests.staff.accounts import staff_member
from tests.staff.chat import ChatThread
from tests.staff.forms import fill_and_send
from tests.staff.test_inbox import BAT_TRANG, chat_report, open_report
from tests.staff.world import village


def test_an_inspector_links_the_bot_from_my_account_and_hears_of_an_assignment(story):
    system = story.system
    site = village(system, BAT_TRANG)
    officer = story
    staff_member(officer, "agency")
    field = story.other("inspector")
    inspector = staff_member(field, "inspector", unit="Đội kiểm tra số 3")

    field.goto("/staff/me", "my-account")
    button = field.page.locator("#bot-code-submit")
    assert button.is_visible() and button.inner_text() == "Cấp mã liên kết bot"
    field.submit(button, "bot-code-issued")
    code = field.page.locator("#link-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert field.page.locator("#link-qr svg").is_visible()
    deep = field.page.locator("#link-deep")
    assert deep.get_attribute("href").endswith(f"?start={code}")
    field.goto("/staff/me", "my-account-again")
    assert field.page.locator("#link-code").count() == 0  # shown once

    with ChatThread(system.env) as chat:
        thanh = chat.resident(8301)
        assert thanh.send(f"/start {code}") == [t("vi", "tasks-linked", role=t("vi", "role-inspector"),
                                                   email=inspector.email)]
        assert thanh.send("/tasks") == [t("vi", "tasks-none")]
        lan = chat.resident(8302)
        ticket = chat_report(lan, site)
        open_report(officer, ticket, "reported")
        fill_and_send(officer, "#triage-form", {"category": "wastewater", "priority": "urgent"}, "triaged")
        fill_and_send(officer, "#assign-form", {"unit": "Đội kiểm tra số 3", "inspector": inspector.email}, "assigned")
        pushed = t("vi", "tasks-push", ticket=ticket, category="", due="").split(" (")[0]  # "Bạn được giao phản ánh PA-…"
        heard = thanh.wait_for(pushed)
        assert any(said.startswith(pushed) and t("vi", "cat-wastewater") in said for said in heard)
        assert thanh.driver.buttons()[-1][1].startswith("task:")  # [Xem]
        [listing] = thanh.send("/tasks")
        assert ticket in listing and "🔴" in listing
    assert not field.console and not officer.console, (field.console, officer.console)
