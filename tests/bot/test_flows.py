"""The bot's flows as stories, offline at the Bot API seam, against the real services in-process."""
from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime

import pytest

from bot.texts import t
from shared.kit.actor import SYSTEM, Actor, Role
from shared.kit.calendar import local_date
from tests.bot.conftest import jpeg

BAT_TRANG = (21.0035, 105.9157)


def incidents_of(world, user_id: int) -> list[dict]:
    actor = world.store.actor(user_id)
    return world.cluster.call_sync(actor, "inspections", "my_incidents")


def site_id(world, name: str) -> str:
    return world.cluster.call_sync(SYSTEM, "sites", "search_sites", query=name, limit=1)[0]["id"]


async def file_report(chat, *, where=("location", BAT_TRANG), text="Nước thải đen chảy ra mương", photos=()):
    await chat.send("/report")
    await chat.press("cat:wastewater")
    kind, value = where
    if kind == "location":
        await chat.location(*value)
    elif kind == "site":
        await chat.send(value[0])
        await chat.press(value[1])
    else:
        await chat.send(value)
        await chat.press("raddr")
    await chat.send(text)
    for p in photos:
        await chat.photo(p)
    if len(photos) < 3:
        await chat.press("rphotos:done")
    return await chat.press("rconfirm:yes")


def test_start_explains_the_bot_and_the_privacy_promise_and_switches_language(world):
    async def story(w):
        lan = w.chat(101)
        welcome, privacy = await lan.send("/start")
        assert welcome == t("vi", "start-welcome") and privacy == t("vi", "start-privacy")
        assert ("English", "lang:en") in lan.buttons()
        assert await lan.press("English") == [t("en", "lang-set"), t("en", "help")]
        assert await lan.send("/help") == [t("en", "help")]
        await lan.send("/lang")
        await lan.press("lang:vi")
        assert await lan.send("xin chao") == [t("vi", "free-text")]

    world.run(story)


def test_a_report_by_location_with_photos_becomes_an_incident_and_its_state_changes_are_pushed(world, staff):
    async def story(w):
        lan = w.chat(102)
        await lan.send("/start")
        filed = await file_report(lan, photos=[jpeg(), jpeg((10, 200, 10))])
        [incident] = incidents_of(w, 102)
        due = local_date(datetime.fromisoformat(incident["triage_due"]))  # the Hanoi day, written as people do
        assert filed == [t("vi", "report-filed", ticket=incident["ticket"], triage_due=due.strftime("%d/%m/%Y"))]
        assert incident["category"] == "wastewater" and incident["location"] == {"lat": BAT_TRANG[0], "lon": BAT_TRANG[1]}
        assert incident["photo_count"] == 2
        blobs = w.cluster.kits["inspections"].app.blobs
        from PIL import Image
        for sha in incident["photos"]:
            assert not Image.open(io.BytesIO(blobs.get(sha))).getexif()  # stored without EXIF
        staff("inspections", "triage_incident", incident_id=incident["id"], category="wastewater", priority="high")
        assert await w.pushes() == 1
        assert lan.replies() == [t("vi", "push-incident", ticket=incident["ticket"], state=t("vi", "state-triaged"))]
        assert await w.pushes() == 0  # each change is pushed once

    world.run(story)


def test_a_report_at_a_site_found_by_search_and_one_by_address(world):
    async def story(w):
        lan = w.chat(103)
        bt = site_id(w, "Bát Tràng")
        await file_report(lan, where=("site", ("bat trang", f"rsite:{bt}")))
        await file_report(lan, where=("address", "Số 5 ngõ 12 đường Giang Cao"))
        by_site, by_address = sorted(incidents_of(w, 103), key=lambda i: i["site_id"] is None)
        assert by_site["site_id"] == bt
        assert by_address["address"] == "Số 5 ngõ 12 đường Giang Cao" and by_address["location"] is None

    world.run(story)


def test_every_report_step_says_what_is_wrong_and_keeps_the_step(world):
    async def story(w):
        lan = w.chat(104)
        await lan.send("/report")
        assert await lan.send("nước thải") == [t("vi", "report-category-pick")]
        await lan.press("cat:dust")
        assert await lan.location(10.8, 106.6) == [t("vi", "report-outside-hanoi")]  # Ho Chi Minh City
        assert await lan.send("ab") == [t("vi", "report-where-length")]
        assert await lan.sticker() == [t("vi", "report-where")]
        await lan.location(*BAT_TRANG)
        assert await lan.send("x") == [t("vi", "report-describe-short")]
        huge = "ô" * 100_000
        assert await lan.send(huge) == [t("vi", "report-describe-long", limit=5000, length=100_000)]
        assert await lan.photo(jpeg()) == [t("vi", "report-describe")]
        await lan.send("Bụi mù mịt từ xưởng nung")
        assert await lan.photo(b"%PDF-1.4 not an image", as_document="application/pdf") == [t("vi", "photo-expected")]
        assert await lan.photo(b"definitely not a jpeg", as_document="image/jpeg") == [t("vi", "photo-unreadable")]
        assert await lan.send("đây là ảnh") == [t("vi", "photo-expected")]
        for colour in ((1, 1, 1), (2, 2, 2)):
            await lan.photo(jpeg(colour))
        review = await lan.photo(jpeg((3, 3, 3)))  # the third photo goes straight to the review
        assert "Ảnh: 3" in review[0]
        assert await lan.send("gửi đi") == [t("vi", "report-confirm-pick")]
        assert incidents_of(w, 104) == []  # nothing filed before the confirmation
        await lan.press("rconfirm:yes")
        assert len(incidents_of(w, 104)) == 1

    world.run(story)


def test_cancel_and_the_cancel_button_leave_nothing_filed(world):
    async def story(w):
        lan = w.chat(105)
        await lan.send("/report")
        await lan.press("cat:noise")
        await lan.location(*BAT_TRANG)
        assert await lan.send("/cancel") == [t("vi", "report-cancelled")]
        assert await lan.send("Tiếng ồn") == [t("vi", "free-text")]  # no longer in the report
        await lan.send("/report")
        await lan.press("cat:noise")
        await lan.location(*BAT_TRANG)
        await lan.send("Máy dập chạy cả đêm")
        await lan.press("rphotos:done")
        assert await lan.press("rconfirm:no") == [t("vi", "report-cancelled")]
        assert incidents_of(w, 105) == []
        assert await lan.send("/cancel") == [t("vi", "cancel-nothing")]

    world.run(story)


def test_reports_are_limited_per_day_politely(cluster, tmp_path):
    from tests.bot.conftest import BotWorld

    world = BotWorld(cluster, tmp_path, bot_reports_per_day=2)

    async def story(w):
        lan = w.chat(106)
        await file_report(lan)
        await file_report(lan)
        assert await lan.send("/report") == [t("vi", "report-limit", limit=2)]
        assert len(incidents_of(w, 106)) == 2

    world.run(story)


def test_mine_lists_reports_adds_information_and_reopens_a_resolved_one(world, staff):
    async def story(w):
        lan = w.chat(107)
        await file_report(lan)
        [incident] = incidents_of(w, 107)
        reply = await lan.send("/mine")
        assert incident["ticket"] in reply[0] and t("vi", "state-reported") in reply[0]
        await lan.press(incident["ticket"])
        await lan.press("mineadd")
        assert await lan.send("Sáng nay nước còn đen hơn") == [t("vi", "mine-added", ticket=incident["ticket"])]
        iid = incident["id"]
        staff("inspections", "triage_incident", incident_id=iid, category="wastewater", priority="normal")
        staff("inspections", "assign_incident", incident_id=iid, unit="Thanh tra Sở")
        staff("inspections", "verify_incident", incident_id=iid, finding="Xả thải chưa qua xử lý")
        staff("inspections", "resolve_incident", incident_id=iid, note="Đã yêu cầu khắc phục")
        assert await w.pushes() == 4
        pushed = lan.replies()
        assert pushed[-1].startswith(t("vi", "push-incident", ticket=incident["ticket"], state=t("vi", "state-resolved")))
        await lan.send("/mine")
        await lan.press(incident["ticket"])
        await lan.press("minereopen")
        assert await lan.send("ab") == [t("vi", "mine-reopen-length", limit=200)]
        await lan.send("Vẫn còn xả thải ban đêm")
        assert await lan.send("ảnh đây") == [t("vi", "photo-expected")]
        assert await lan.photo(jpeg((9, 9, 9))) == [t("vi", "mine-reopened", ticket=incident["ticket"])]
        [again] = incidents_of(w, 107)
        assert again["state"] == "reopened" and again["additions"][0]["text"] == "Sáng nay nước còn đen hơn"

    world.run(story)


def test_status_searches_without_accents_offers_buttons_and_shows_the_card(world):
    async def story(w):
        lan = w.chat(108)
        assert await lan.send("/status") == [t("vi", "status-usage")]
        assert await lan.send("/status zzzqqq") == [t("vi", "status-none", query="zzzqqq")]
        pick = await lan.send("/status bat trang")
        assert pick[0].startswith(t("vi", "status-pick", count=len(lan.buttons())))
        bt = site_id(w, "Bát Tràng")
        [card] = await lan.press(f"st:{bt}")
        assert card.startswith("Làng nghề Bát Tràng") and "Xã/phường (từ 1/7/2025)" in card
        assert "12 quý" in card  # the indicators' part of the card
        w.services.down.add("indicators")
        [card] = await lan.press(f"st:{bt}")
        assert card.endswith(t("vi", "card-indicators-missing"))
        w.services.down.add("sites")
        assert await lan.send("/status bat trang") == [t("vi", "err-unavailable")]

    world.run(story)


def issue_code(world, role: str, establishment_id: str | None = None) -> str:
    admin = Actor(id="admin-1", role=Role.ADMIN)
    return world.cluster.call_sync(admin, "sites", "issue_link_code", role=role, establishment_id=establishment_id,
                                   ttl_hours=2)["code"]


def test_link_binds_the_account_once_and_refuses_bad_or_used_codes(world):
    async def story(w):
        hoa, minh = w.chat(109), w.chat(110)
        assert await hoa.send("/link") == [t("vi", "link-usage")]
        assert await hoa.send("/link ab!") == [t("vi", "link-bad-code")]
        code = issue_code(w, "inspector")
        assert await hoa.send(f"/link {code}") == [t("vi", "link-done-role", role=t("vi", "role-inspector"))]
        assert w.store.actor(109).role == Role.INSPECTOR
        assert await minh.send(f"/link {code}") == [t("vi", "err-at-code--once")]
        assert w.store.actor(110).role == Role.RESIDENT
        [unknown] = await minh.send("/link ZZZZZZZZZZ")
        assert unknown == t("vi", "err-at-code--exists")
        # the staff workspace's QR code opens https://t.me/<bot>?start=<CODE>: Telegram sends "/start CODE"
        deep = w.chat(113)
        assert await deep.send(f"/start {issue_code(w, 'inspector')}") == [
            t("vi", "link-done-role", role=t("vi", "role-inspector"))]
        assert w.store.actor(113).role == Role.INSPECTOR
        assert await deep.send("/start ab!") == [t("vi", "link-bad-code")]

    world.run(story)


def test_an_agency_subscription_receives_matching_events_only(world):
    async def story(w):
        hoa, lan = w.chat(111), w.chat(112)
        assert await lan.send("/subscribe") == [t("vi", "subscribe-forbidden")]
        await hoa.send(f"/link {issue_code(w, 'inspector')}")
        await hoa.send("/subscribe")
        assert await hoa.press("subt:next") == [t("vi", "subscribe-types-none")]
        await hoa.press("subt:incident")
        await hoa.press("subt:next")
        assert await hoa.send("Atlantis") == [t("vi", "subscribe-communes-unknown", names="Atlantis")]
        bt = w.cluster.call_sync(SYSTEM, "sites", "get_site", site_id=site_id(w, "Bát Tràng"))
        from shared.reference import commune_name
        [done] = await hoa.send(commune_name(bt["commune"]))
        [sub] = w.store.subscriptions(111)
        assert sub["types"] == ["incident_*"] and sub["communes"] == [bt["commune"]]
        assert done == t("vi", "subscribe-done", id=sub["id"], types=t("vi", "family-incident"),
                         communes=commune_name(bt["commune"]))
        await w.pushes()
        hoa.replies()
        await file_report(lan, where=("site", ("bat trang", f"rsite:{bt['id']}")))  # in the commune: pushed
        await file_report(lan, where=("location", (21.2, 105.5)))  # no site, elsewhere: not pushed
        assert await w.pushes() == 1
        [push] = hoa.replies()
        assert push.startswith("🔔 " + t("vi", "ev-incident_reported")) and commune_name(bt["commune"]) in push
        assert "112" not in push and w.store.pseudonym(112) not in push
        listing = await hoa.send("/subscriptions")
        sid = hoa.buttons()[0][1].split(":")[1]
        assert sid in listing[0]
        assert await hoa.press(f"unsub:{sid}") == [t("vi", "unsubscribed", id=sid)]
        assert await hoa.send("/subscriptions") == [t("vi", "subscriptions-none")]

    world.run(story)


def test_a_conversation_survives_a_bot_restart(cluster, tmp_path):
    from tests.bot.conftest import BotWorld

    async def before(w):
        lan = w.chat(113)
        await lan.send("/report")
        await lan.press("cat:smoke_odour")
        await lan.location(*BAT_TRANG)

    async def after(w):
        lan = w.chat(113)
        assert await lan.send("Khói đen từ lò nung") == [t("vi", "report-photos", max=3)]
        await lan.press("rphotos:done")
        await lan.press("rconfirm:yes")
        [incident] = incidents_of(w, 113)
        assert incident["category"] == "smoke_odour"

    BotWorld(cluster, tmp_path).run(before)
    BotWorld(cluster, tmp_path).run(after)


def test_a_service_outage_at_confirmation_is_explained_and_retrying_files_once(world):
    async def story(w):
        lan = w.chat(114)
        await lan.send("/report")
        await lan.press("cat:open_burning")
        await lan.location(*BAT_TRANG)
        await lan.send("Đốt rác thải nhựa")
        await lan.press("rphotos:done")
        w.services.down.add("inspections")
        assert await lan.press("rconfirm:yes") == [t("vi", "err-unavailable")]
        w.services.down.clear()
        await lan.press("rconfirm:yes")
        await lan.press("rconfirm:yes")  # a double press: the same command id, nothing doubled
        assert len(incidents_of(w, 114)) == 1

    world.run(story)


def test_anything_out_of_turn_gets_guidance_never_an_exception(world):
    async def story(w):
        lan = w.chat(115)
        assert await lan.send("/frobnicate") == [t("vi", "unknown-command")]
        assert await lan.send("x" * 100_000) == [t("vi", "free-text")]
        assert await lan.sticker() == [t("vi", "unsupported-message")]
        assert await lan.photo(jpeg()) == [t("vi", "unsupported-message")]
        fake = lan.update(callback_query={"id": "1", "from": lan.user, "chat_instance": "c", "data": "rsite:nope",
                                          "message": {"message_id": 1, "date": 0, "chat": lan.chat, "text": "old"}})
        assert await lan.feed(fake) == [t("vi", "stale-button")]
        await lan.send("/report")
        assert await lan.send("/mine") == [t("vi", "busy", flow="/report")]
        assert await lan.send("/help") == [t("vi", "help")]  # help is always there

    world.run(story)


def test_an_unexpected_failure_is_logged_and_answered_politely(world, caplog):
    class Broken(RuntimeError):
        pass

    async def story(w):
        real = w.services.call

        async def broken(*a, **kw):
            raise Broken("boom")

        w.services.call = broken
        lan = w.chat(116)
        assert await lan.send("/status bat trang") == [t("vi", "err-internal")]
        w.services.call = real
        assert (await lan.send("/status bat trang"))[0].startswith(t("vi", "status-pick", count=3)[:5])

    world.run(story)
    assert "boom" in caplog.text


def test_a_flood_from_one_chat_is_cut_and_told_once_while_others_go_on(cluster, tmp_path):
    from tests.bot.conftest import BotWorld

    world = BotWorld(cluster, tmp_path, bot_flood_per_minute=5)

    async def story(w):
        spam, calm = w.chat(117), w.chat(118)
        outcomes = await w.through_inbox([spam.text_update(f"spam {i}") for i in range(12)] + [calm.text_update("/help")])
        assert [o["outcome"] for o in outcomes] == ["ok"] * 5 + ["flood-told"] + ["flood"] * 6 + ["ok"]
        replies = spam.replies()
        assert replies.count(t("vi", "free-text")) == 5 and replies.count(t("vi", "flood")) == 1
        assert calm.replies() == [t("vi", "help")]

    world.run(story)


def test_a_silent_conversation_times_out_and_drops_its_draft(cluster, tmp_path):
    from tests.bot.conftest import BotWorld

    world = BotWorld(cluster, tmp_path, bot_conversation_timeout=0.5)

    async def story(w):
        lan = w.chat(119)
        await lan.send("/report")
        await lan.press("cat:dust")
        for _ in range(50):
            await asyncio.sleep(0.1)
            if t("vi", "conversation-timeout") in lan.replies():
                break
        else:
            pytest.fail("no timeout message")
        assert "report" not in w.app.user_data[119]
        assert await lan.send("bụi") == [t("vi", "free-text")]

    world.run(story)


def test_a_failed_push_stays_queued_and_is_sent_later(world, staff):
    from telegram.error import NetworkError

    async def story(w):
        lan = w.chat(120)
        await file_report(lan)
        [incident] = incidents_of(w, 120)
        staff("inspections", "reject_incident", incident_id=incident["id"], reason="Ngoài phạm vi quản lý",
              reason_code="outside_jurisdiction")
        real = w.request.answer

        def offline(api, params):
            if api == "sendMessage":
                raise NetworkError("telegram away")
            return real(api, params)

        w.request.answer = offline
        assert await w.pushes() == 0
        assert len(w.store.pending()) == 1
        w.request.answer = real
        assert await w.app.bot_data["outbox"].flush() == 1
        [push] = lan.replies()
        assert t("vi", "state-rejected") in push and t("vi", "reason-outside_jurisdiction") in push

    world.run(story)


def test_residents_reach_the_services_only_as_a_pseudonym(world):
    async def story(w):
        lan = w.chat(121)
        await file_report(lan)
        [incident] = incidents_of(w, 121)
        staff_view = w.cluster.call_sync(Actor(id="i", role=Role.INSPECTOR), "inspections", "get_incident",
                                         incident_id=incident["id"])
        assert staff_view["reporter"] == w.store.pseudonym(121) != "121"
        events = json.dumps(w.cluster.kits["inspections"].mapper.events_since(0, 1000), ensure_ascii=False)
        assert w.store.pseudonym(121) not in events and "Nước thải đen" not in events

    world.run(story)


def test_a_refused_entry_opens_no_conversation_and_so_never_times_out(cluster, tmp_path):
    from tests.bot.conftest import BotWorld

    world = BotWorld(cluster, tmp_path, bot_conversation_timeout=0.3)

    async def story(w):
        lan = w.chat(122)
        assert await lan.send("/subscribe") == [t("vi", "subscribe-forbidden")]
        await asyncio.sleep(0.8)
        assert lan.replies() == []  # no "timed out" for a conversation that never opened
        assert w.app.job_queue.jobs() == ()

    world.run(story)
