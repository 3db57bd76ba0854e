"""Issue 13, the bot's half of "links" (PTB offline as in tests/bot; no eventlet here):
/link retried after a timeout acts once; a linked role's pseudonym is not the resident's; the
conversation state file survives a crash mid-write, is 0600 and holds no exact coordinates;
the flows that take personal data refuse group chats."""
from __future__ import annotations

import os
import pickle
import stat
import sys

from bot.client import Unavailable
from bot.texts import t
from shared.kit.actor import Actor, Role
from tests.bot.conftest import BotWorld, cluster, world  # noqa: F401  (fixtures by name, for pytest)

BAT_TRANG = (21.0035, 105.9157)
ADMIN = Actor(id="admin-1", role=Role.ADMIN)


def issue_code(w, role: str = "inspector") -> str:
    return w.cluster.call_sync(ADMIN, "sites", "issue_link_code", role=role, ttl_hours=2)["code"]


def redeemed(w) -> list:
    """The LinkCode.Redeemed events the sites service recorded (its private log)."""
    app = w.cluster.kits["sites"].app
    return [app.mapper.to_domain_event(n) for n in app.select_notifications(0, 100_000)
            if n.topic.endswith("LinkCode.Redeemed")]


def redeemed_accounts(w) -> list[str]:
    return [e.account for e in redeemed(w)]


def test_a_link_retried_after_a_timeout_succeeds_once_and_no_one_else_gets_the_code(world):
    async def story(w):
        hoa, minh = w.chat(9101), w.chat(9102)
        code, before = issue_code(w), len(redeemed_accounts(w))
        real, timed_out = w.services.call, []

        async def acts_then_times_out(actor, service, rpc, /, **kw):
            answer = await real(actor, service, rpc, **kw)
            if rpc == "redeem_link_code" and not timed_out:
                timed_out.append(rpc)
                raise Unavailable("the reply was lost (test)")  # the service acted, the bot never heard
            return answer

        w.services.call = acts_then_times_out
        assert await hoa.send(f"/link {code}") == [t("vi", "err-unavailable")]
        done = [t("vi", "link-done-role", role=t("vi", "role-inspector"))]
        assert await hoa.send(f"/link {code}") == done  # the retry: success, not "already used"
        assert await hoa.send(f"/link {code.lower()}") == done
        assert w.store.actor(9101).role == Role.INSPECTOR
        assert await minh.send(f"/link {code}") == [t("vi", "err-at-code--once")]
        assert w.store.actor(9102).role == Role.RESIDENT
        assert len(redeemed_accounts(w)) == before + 1  # redeemed once

    world.run(story)


def test_a_linked_roles_pseudonym_is_not_the_residents(world):
    async def story(w):
        lan = w.chat(9201)
        resident = w.store.actor(9201).id
        before = redeemed_accounts(w)  # the cluster is the module's: other tests' codes are in it
        await lan.send(f"/link {issue_code(w)}")
        inspector = w.store.actor(9201)
        assert inspector.role == Role.INSPECTOR and inspector.id != resident
        [event] = redeemed(w)[len(before):]  # what the sites service learnt: neither of the two
        assert event.account not in (resident, inspector.id) and event.actor["id"] not in (resident, inspector.id)
        roles = {w.store.role_pseudonym(9201, r, e) for r, e in
                 (("business", "est-1"), ("business", "est-2"), ("transporter", "est-1"), ("inspector", None))}
        assert len(roles) == 4 and resident not in roles

    world.run(story)


class DefaultPathWorld(BotWorld):
    """The bot with its state file where production keeps it: <data dir>/bot/state.pickle."""

    async def start(self):  # type: ignore[no-untyped-def]
        from bot.app import build_application
        from bot.offline import RecordingRequest

        self.request = RecordingRequest()
        self.app = build_application(self.settings, self.services, self.store, request=self.request, follow=False)
        await self.app.initialize()
        await self.app.start()
        return self.app


def floats_in(value) -> set[float]:  # type: ignore[no-untyped-def]
    if isinstance(value, float):
        return {value}
    if isinstance(value, dict):
        return set().union(*(floats_in(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple, set)):
        return set().union(*(floats_in(v) for v in value)) if value else set()
    return set()


def test_the_state_file_is_private_and_holds_no_exact_coordinates(cluster, tmp_path):  # noqa: F811
    path = tmp_path / "bot" / "state.pickle"

    async def story(w):
        lan = w.chat(9301)
        await lan.send("/report")
        await lan.press("cat:wastewater")
        await lan.location(*BAT_TRANG)
        await w.app.update_persistence()  # what the application's 1-second job does
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
        with open(path, "rb") as f:
            state = pickle.load(f)
        assert state["user_data"][9301]["report"]["location"] == {"lat": 21.0, "lon": 105.92}  # coarse
        assert not floats_in(state) & set(BAT_TRANG)
        await lan.send("Nước thải đen chảy ra mương")
        await lan.press("rphotos:done")
        await lan.press("rconfirm:yes")
        staff = Actor(id="inspector-1", role=Role.INSPECTOR)
        [mine] = w.cluster.call_sync(w.store.actor(9301), "inspections", "my_incidents")
        incident = w.cluster.call_sync(staff, "inspections", "get_incident", incident_id=mine["id"])
        assert incident["location"] == {"lat": BAT_TRANG[0], "lon": BAT_TRANG[1]}  # staff still get the exact place

    DefaultPathWorld(cluster, tmp_path).run(story)


def test_a_crash_while_the_state_is_written_leaves_the_previous_file_readable(world, monkeypatch):
    from telegram.ext import PicklePersistence
    from telegram.ext import _picklepersistence as ptb

    killed = []

    class KilledMidWrite(ptb._BotPickler):
        def __init__(self, bot, file, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(bot, file, *args, **kwargs)
            self.file = file

        def dump(self, obj):  # type: ignore[no-untyped-def]
            self.file.write(pickle.dumps(obj)[:7])  # half a pickle, then the process dies
            killed.append(True)
            raise RuntimeError("killed in the middle of the write (test)")

    async def story(w):
        lan = w.chat(9401)
        await lan.send("/report")
        await lan.press("cat:wastewater")
        await w.app.update_persistence()
        for module in ("telegram.ext._picklepersistence", "bot.state"):
            if hasattr(sys.modules.get(module), "_BotPickler"):
                monkeypatch.setattr(sys.modules[module], "_BotPickler", KilledMidWrite)
        await lan.location(*BAT_TRANG)
        await w.app.update_persistence()  # PTB logs the write's error and goes on
        assert killed
        monkeypatch.undo()
        restored = PicklePersistence(w.tmp_path / "state.pickle")
        user_data = await restored.get_user_data()  # the previous state, whole
        assert user_data[9401]["report"]["category"] == "wastewater"
        assert [p for p in w.tmp_path.iterdir() if p.name != "state.pickle" and "state" in p.name] == []

    world.run(story)


def test_personal_data_flows_are_refused_in_a_group_and_nothing_is_stored(world):
    async def story(w):
        group = w.chat(9501)
        group.chat = {"id": -1009501, "type": "group", "title": "Tổ dân phố 5"}
        bot = w.app.bot.username
        assert await group.send("/report") == [t("vi", "private-only", command="/report", bot=bot)]
        assert await group.location(*BAT_TRANG) == []
        code, before = issue_code(w), len(redeemed_accounts(w))
        assert await group.send(f"/link {code}") == [t("vi", "private-only", command="/link", bot=bot)]
        assert await group.send("/mine") == [t("vi", "private-only", command="/mine", bot=bot)]
        assert await group.send("/manifest") == [t("vi", "private-only", command="/manifest", bot=bot)]
        assert w.store.account(9501) is None and len(redeemed_accounts(w)) == before
        assert "report" not in (w.app.user_data.get(9501) or {})
        private = w.chat(9501)  # the same person, in a private chat: all works
        assert await private.send(f"/link {code}") == [t("vi", "link-done-role", role=t("vi", "role-inspector"))]

    world.run(story)
