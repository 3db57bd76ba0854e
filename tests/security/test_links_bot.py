"""Issue 13, the bot's half of "links" (PTB offline as in tests/bot; no eventlet here):
/link retried after a timeout acts once; a linked role's pseudonym is not the resident's; the
conversation state file survives a crash mid-write, is 0600 and holds no exact coordinates;
the flows that take personal data refuse group chats."""
from __future__ import annotations

import os
import pickle
import stat

import pytest

from bot.client import Unavailable
from bot.texts import t
from shared.kit.actor import Actor, Role
from tests.bot.conftest import cluster, world  # noqa: F401  (fixtures by name, for pytest)

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


def floats_in(value) -> set[float]:  # type: ignore[no-untyped-def]
    if isinstance(value, float):
        return {value}
    if isinstance(value, dict):
        return set().union(*(floats_in(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple, set)):
        return set().union(*(floats_in(v) for v in value)) if value else set()
    return set()


def stored_rows(w) -> list[dict]:  # type: ignore[no-untyped-def]
    with w.store.db.transaction(commit=False) as cur:
        return [r for table in ("bot_user_data", "bot_chat_data", "bot_conversations", "bot_inbox")
                for r in cur.execute(f"SELECT * FROM {{t:{table}}}").all()]


def test_the_stored_state_is_private_json_and_holds_no_exact_coordinates(world):  # noqa: F811
    from bot.runtime import codec

    async def story(w):
        lan = w.chat(9301)
        outcomes = await w.through_inbox([lan.text_update("/report")])
        outcomes += await w.through_inbox([lan.button_update("cat:wastewater")])
        outcomes += await w.through_inbox([lan.location_update(*BAT_TRANG)])
        assert [o["outcome"] for o in outcomes] == ["ok", "ok", "ok"]
        sqlite = w.settings.sqlite_path("bot")
        assert stat.S_IMODE(os.stat(sqlite).st_mode) == 0o600
        [row] = [r for r in stored_rows(w) if r.get("user_id") == "9301"]
        assert codec.loads(row["data"])["report"]["location"] == {"lat": 21.0, "lon": 105.92}  # coarse
        values = [codec.loads(r[c]) for r in stored_rows(w) for c in ("data", "state", "payload") if r.get(c)]
        assert not floats_in(values) & set(BAT_TRANG)  # nor in the inbox, once the update is done
        await lan.send("Nước thải đen chảy ra mương")
        await lan.press("rphotos:done")
        await lan.press("rconfirm:yes")
        staff = Actor(id="inspector-1", role=Role.INSPECTOR)
        [mine] = w.cluster.call_sync(w.store.actor(9301), "inspections", "my_incidents")
        incident = w.cluster.call_sync(staff, "inspections", "get_incident", incident_id=mine["id"])
        assert incident["location"] == {"lat": BAT_TRANG[0], "lon": BAT_TRANG[1]}  # staff still get the exact place

    world.run(story)


class Boom:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, ("touch /tmp/langxanh-pwned-by-state",))


def test_a_state_row_never_runs_code_when_loaded(world, tmp_path):
    async def story(w):
        marker = "/tmp/langxanh-pwned-by-state"
        if os.path.exists(marker):
            os.unlink(marker)
        with w.store.db.transaction() as cur:  # what an attacker with write access to one row could put there
            cur.execute("INSERT INTO {t:bot_user_data} (user_id, data, updated_at) VALUES (%s,%s,%s)",
                        ("9302", pickle.dumps(Boom(), protocol=0).decode("latin-1"), 0.0))
        with pytest.raises(ValueError):
            await w.app.persistence.refresh_user_data(9302, {})
        assert not os.path.exists(marker)

    world.run(story)


def test_a_failed_state_write_leaves_the_previous_state_and_the_step_is_processed_again(world, monkeypatch):
    from bot.runtime import codec
    from bot.runtime.persistence import DbPersistence, NotWritten

    real, failed = DbPersistence._store, []

    def dies_once(self, cur, table, column, ident, data):  # type: ignore[no-untyped-def]
        if "location" in (data.get("report") or {}) and not failed:
            failed.append(True)
            raise RuntimeError("the database went away mid-write (test)")
        return real(self, cur, table, column, ident, data)

    async def story(w):
        lan = w.chat(9401)
        await lan.send("/report")
        await lan.press("cat:wastewater")
        monkeypatch.setattr(DbPersistence, "_store", dies_once)
        step = lan.location_update(*BAT_TRANG)
        with pytest.raises(NotWritten):
            await w.app.process_update(step)  # the update is not done
        [row] = [r for r in stored_rows(w) if r.get("user_id") == "9401"]
        assert codec.loads(row["data"])["report"]["category"] == "wastewater"  # the previous state, whole
        assert "location" not in codec.loads(row["data"])["report"]
        [outcome] = await w.through_inbox([step])  # still in the inbox: processed again
        assert outcome["outcome"] == "ok" and failed == [True]
        [row] = [r for r in stored_rows(w) if r.get("user_id") == "9401"]
        assert codec.loads(row["data"])["report"]["location"] == {"lat": 21.0, "lon": 105.92}
        assert lan.replies()[-1] == t("vi", "report-describe")  # the step's answer, given again
        assert await lan.send("Nước thải đen") == [t("vi", "report-photos", max=3)]

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
