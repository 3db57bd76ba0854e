"""Inspectors in the field (issue 15) as offline stories: a staff-bound link code, /tasks (urgent and
overdue first), verify on site (too far refused with the distance; near, with a photo), a note,
resolve with an "after" photo, the reporter's before/after in /mine, another inspector refused by
the bot and by the service, the push on assignment, and `/start site_<id>`."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from bot.texts import t
from shared.kit.actor import SYSTEM, Actor, Role
from shared.kit.errors import Forbidden
from tests.bot.conftest import jpeg
from tests.bot.test_flows import BAT_TRANG, file_report, incidents_of, site_id

ADMIN = Actor(id="admin-1", role=Role.ADMIN)
AGENCY = Actor(id="agency-1", role=Role.AGENCY)
TRA, KHAC = "tra@so.vn", "khac@so.vn"
FAR = (BAT_TRANG[0] + 0.01, BAT_TRANG[1])  # about 1.1 km north
NEAR = (BAT_TRANG[0] + 0.001, BAT_TRANG[1])  # about 110 m


@pytest.fixture
def lookup(cluster):
    """The push module asks the in-process cluster who was assigned (the Feed wires the real client)."""
    from bot.pushes import tasks

    tasks.connect(lambda iid: cluster.call_sync(tasks.ASSIGNEE_READER, "inspections", "incident_assignee",
                                                incident_id=iid))
    yield
    tasks.connect(None)


async def forged(chat, data: str):  # type: ignore[no-untyped-def]
    """A button press with any data (a crafted client): the bot must not trust what it did not show."""
    return await chat.feed(chat.update(callback_query={
        "id": "1", "from": chat.user, "chat_instance": "c", "data": data,
        "message": {"message_id": 1, "date": 0, "chat": chat.chat, "text": "old"}}))


def staff_code(w, email: str) -> str:
    return w.cluster.call_sync(ADMIN, "sites", "issue_link_code", role="inspector", staff=email, ttl_hours=2)["code"]


async def link_inspector(w, user: int, email: str):  # type: ignore[no-untyped-def]
    chat = w.chat(user, first_name="Thanh")
    assert await chat.send(f"/start {staff_code(w, email)}") == [
        t("vi", "tasks-linked", role=t("vi", "role-inspector"), email=email)]
    return chat


def agency(w, rpc: str, **kw):  # type: ignore[no-untyped-def]
    return w.cluster.call_sync(AGENCY, "inspections", rpc, **kw)


async def reported(w, resident, priority="normal", inspector=TRA, due=None, **kw) -> dict:  # type: ignore[no-untyped-def]
    await file_report(resident, **kw)
    incident = sorted(incidents_of(w, resident.chat["id"]), key=lambda i: str(i["reported_at"]))[-1]
    agency(w, "triage_incident", incident_id=incident["id"], category="wastewater", priority=priority)
    agency(w, "assign_incident", incident_id=incident["id"], unit="Đội 1", inspector=inspector,
           due=due.isoformat() if due else None)
    return incident


def test_a_staff_code_links_and_tasks_lists_only_theirs_urgent_and_overdue_first(world):
    async def story(w):
        lan = w.chat(3001)
        normal = await reported(w, lan)
        urgent = await reported(w, lan, priority="urgent")
        late = await reported(w, lan, due=date.today() - timedelta(days=1))
        others = await reported(w, lan, inspector=KHAC)
        legacy = w.chat(3002)  # linked by a code without a staff account: no tasks by name
        code = w.cluster.call_sync(ADMIN, "sites", "issue_link_code", role="inspector", ttl_hours=2)["code"]
        await legacy.send(f"/link {code}")
        assert await legacy.send("/tasks") == [t("vi", "tasks-not-linked")]
        assert await lan.send("/tasks") == [t("vi", "tasks-not-linked")]
        thanh = await link_inspector(w, 3003, TRA)
        assert w.store.actor(3003) == Actor(id=f"staff:{TRA}", role=Role.INSPECTOR)
        [listing] = await thanh.send("/tasks")
        lines = listing.splitlines()
        assert lines[0] == t("vi", "tasks-title", total=3, first=1, last=3)
        assert {urgent["ticket"], late["ticket"]} == {lines[1].split(" · ")[0].split()[-1],
                                                      lines[2].split(" · ")[0].split()[-1]}
        assert lines[3].startswith(normal["ticket"]) and others["ticket"] not in listing
        assert "🔴" in next(x for x in lines if urgent["ticket"] in x) and "⏰" in next(x for x in lines if late["ticket"] in x)
        assert [data for _, data in thanh.buttons()][2] == f"task:{normal['id']}"
        [card] = await thanh.press(f"task:{normal['id']}")
        assert normal["ticket"] in card and "Nước thải đen chảy ra mương" in card and "21.00, 105.92" in card
        assert [d for _, d in thanh.buttons()] == [f"tverify:{normal['id']}", f"tnote:{normal['id']}"]
        assert await forged(thanh, f"task:{others['id']}") == [t("vi", "tasks-not-yours")]
        assert await forged(thanh, "task:not-a-uuid") == [t("vi", "stale-button")]

    world.run(story)


def test_verify_near_with_a_photo_resolve_with_an_after_photo_and_the_reporter_sees_before_and_after(world):
    async def story(w):
        lan = w.chat(3101)
        incident = await reported(w, lan, inspector="hung@so.vn", photos=[jpeg((200, 10, 10))])
        iid, ticket = incident["id"], incident["ticket"]
        thanh = await link_inspector(w, 3102, "hung@so.vn")
        await thanh.send("/tasks")
        await thanh.press(f"task:{iid}")
        assert await thanh.press(f"tverify:{iid}") == [t("vi", "tasks-verify-location")]
        [far] = await thanh.location(*FAR)
        assert far == t("vi", "tasks-too-far", distance="1.112", radius="500")
        assert await thanh.location(*NEAR) == [t("vi", "tasks-verify-photo")]
        assert await thanh.send("chưa có ảnh") == [t("vi", "photo-expected")]
        assert await thanh.photo(jpeg((90, 90, 90))) == [t("vi", "tasks-verify-finding")]
        assert await thanh.send("Cống xả nước thải đen ra mương") == [t("vi", "tasks-verified", ticket=ticket)]
        await thanh.press(f"tnote:{iid}")
        assert await thanh.send("Hẹn cơ sở làm việc thứ Hai") == [t("vi", "tasks-noted", ticket=ticket)]
        doc = agency(w, "get_incident", incident_id=iid)
        assert doc["state"] == "verified" and doc["finding"] == "Cống xả nước thải đen ra mương"
        assert len(doc["site_photos"]) == 1 and doc["additions"][-1]["text"] == "Hẹn cơ sở làm việc thứ Hai"
        await thanh.press(f"task:{iid}")
        assert [d for _, d in thanh.buttons()] == [f"tresolve:{iid}", f"tnote:{iid}"]
        assert await thanh.press(f"tresolve:{iid}") == [t("vi", "tasks-resolve-photo")]
        assert await thanh.photo(jpeg((10, 160, 10))) == [t("vi", "tasks-resolve-note")]
        assert await thanh.send("Cơ sở đã bịt cống, lắp bể lắng") == [t("vi", "tasks-resolved", ticket=ticket)]
        assert await thanh.send("/tasks") == [t("vi", "tasks-none")]
        [mine] = incidents_of(w, 3101)
        assert mine["state"] == "resolved" and len(mine["after_photos"]) == 1
        await lan.send("/mine")
        await lan.press(ticket)
        photos = [s for s in w.request.sent if s.method == "sendPhoto" and s.chat_id == lan.chat["id"]]
        assert [p.params.get("caption") for p in photos] == [t("vi", "mine-before", n=1, count=1),
                                                             t("vi", "mine-after", n=1, count=1)]

    world.run(story)


def test_a_report_at_a_site_is_verified_near_the_sites_coarse_location(world):
    async def story(w):
        lan = w.chat(3151)
        bt = w.cluster.call_sync(SYSTEM, "sites", "get_site", site_id=site_id(w, "Bát Tràng"))
        incident = await reported(w, lan, inspector="quan@so.vn", where=("site", ("bat trang", f"rsite:{bt['id']}")))
        quan = await link_inspector(w, 3152, "quan@so.vn")
        await quan.send("/tasks")
        [card] = await quan.press(f"task:{incident['id']}")
        assert t("vi", "where-site", name=bt["name"]) in card
        await quan.press(f"tverify:{incident['id']}")
        here = bt["location"]
        [far] = await quan.location(here["lat"] + 0.02, here["lon"])  # about 2.2 km
        assert far == t("vi", "tasks-too-far", distance="2.224", radius="1.500")
        assert await quan.location(here["lat"] + 0.009, here["lon"]) == [t("vi", "tasks-verify-photo")]  # ~1 km

    world.run(story)


def test_another_inspector_cannot_act_on_it_in_the_bot_nor_at_the_service(world):
    async def story(w):
        lan = w.chat(3201)
        incident = await reported(w, lan, inspector="mai@so.vn")
        khac = await link_inspector(w, 3202, "dung@so.vn")
        assert await forged(khac, f"tverify:{incident['id']}") == [t("vi", "tasks-not-yours")]
        assert await khac.location(*NEAR) == [t("vi", "unsupported-message")]  # no conversation was opened
        with pytest.raises(Forbidden) as e:
            w.cluster.call_sync(w.store.actor(3202), "inspections", "verify_incident", command_id=str(uuid.uuid4()),
                                incident_id=incident["id"], finding="Không phải của tôi")
        assert e.value.field == "assignment"
        assert agency(w, "get_incident", incident_id=incident["id"])["state"] == "assigned"

    world.run(story)


def test_an_assignment_is_pushed_once_to_the_assignees_chats_only(world, lookup):
    async def story(w):
        thanh = await link_inspector(w, 3301, "ha@so.vn")
        khac = await link_inspector(w, 3302, "son@so.vn")
        await w.pushes()  # what happened before this story
        thanh.replies(), khac.replies()
        lan = w.chat(3303)
        incident = await reported(w, lan, inspector="Ha@So.vn", due=date(2026, 12, 31))
        await w.pushes()
        assert thanh.replies() == [t("vi", "tasks-push", ticket=incident["ticket"], category=t("vi", "cat-wastewater"),
                                     due="31/12/2026")]
        assert thanh.buttons() == [(t("vi", "tasks-btn-view"), f"task:{incident['id']}")]
        assert khac.replies() == []
        assert await w.pushes() == 0  # redelivery: nothing twice
        [card] = await thanh.press(f"task:{incident['id']}")
        assert incident["ticket"] in card

    world.run(story)


def test_start_site_opens_the_sites_card_and_refuses_unknown_or_malformed_ids(world):
    async def story(w):
        lan = w.chat(3401)
        bt = site_id(w, "Bát Tràng")
        [card] = await lan.send(f"/start site_{bt}")
        assert card.startswith("Làng nghề Bát Tràng")
        assert await lan.send(f"/start site_{uuid.uuid4()}") == [t("vi", "start-site-unknown")]
        for bad in ("site_", "site_123", f"site_{bt}x", "site_../../etc", f"site_{bt} thêm"):
            assert await lan.send(f"/start {bad}") == [t("vi", "start-site-bad")], bad
        assert SYSTEM.role == Role.SYSTEM

    world.run(story)


def test_a_replayed_history_pushes_no_assignment_from_before_the_link_nor_one_acted_on(world, lookup):
    from bot.feed import BotFeed

    async def story(w):
        an = await link_inspector(w, 3501, "an@so.vn")
        lan = w.chat(3502)
        done = await reported(w, lan, inspector="an@so.vn")
        await reported(w, lan, inspector="binh@so.vn")  # nobody linked as binh yet
        await w.pushes()
        assert [s for s in an.replies() if s.startswith("Bạn được giao")] == [
            t("vi", "tasks-push", ticket=done["ticket"], category=t("vi", "cat-wastewater"),
              due=date.fromisoformat(done["resolution_due"][:10]).strftime("%d/%m/%Y"))]
        w.cluster.call_sync(w.store.actor(3501), "inspections", "verify_incident", command_id=str(uuid.uuid4()),
                            incident_id=done["id"], finding="Đã kiểm tra")
        binh = await link_inspector(w, 3503, "binh@so.vn")
        BotFeed(w.store.db).reset("inspections")  # the feed replays the whole history
        await w.pushes()
        assert not [s for s in an.replies() + binh.replies() if s.startswith("Bạn được giao")]

    world.run(story)
