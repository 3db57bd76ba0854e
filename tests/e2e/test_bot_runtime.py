"""Issue 15 end to end: `langxanh up` services, the tests' own Bot API server on loopback, and
TWO `langxanh bot` replicas as real processes (tests/e2e/bot_replicas.py), by long polling and by
webhook (behind a load balancer of the tests), their state in one database (SQLite; PostgreSQL
too for the webhook), all over real HTTP:
- a resident's story: /start, /status with a search and a button, a /report with a location and
  a photo to its confirmation; mid-report the replica that handled the last step is killed
  (SIGKILL) and the other goes on with the same conversation, the step not lost. A webhook POST
  with a wrong secret token is refused (403) and stores nothing;
- a whole hazardous-waste manifest by five linked chats (tests/bot/manifest_story.py, the same
  story the offline tests run): two transporters, facility 2, a correction signed again, a
  partial rejection, receipt, treatment on a chosen date and copy 4, while the bot's pushes
  (each party's turn, the rejection, the request to sign again) arrive among the replies."""
from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from bot.texts import t
from shared.kit.actor import Actor, Role
from shared.kit.client import ServiceClient
from tests.bot.manifest_story import USERS, whole_manifest_story
from tests.botapi.driver import BotApiChat
from tests.botapi.pushes import push_matcher
from tests.botapi.server import FakeBotApi
from tests.e2e.bot_replicas import SECRET, Replicas, jpeg, post
from tests.e2e.conftest import ROOT, system_env_for
from tests.e2e.test_up import wait_ping

ADMIN = Actor("admin-e2e", Role.ADMIN)
BAT_TRANG = (21.0035, 105.9157)


@pytest.fixture(scope="module")
def system(amqp_uri, tmp_path_factory):
    """`langxanh up` once for the module (no bot token: the tests start the bots), three sites."""
    env = system_env_for(amqp_uri, tmp_path_factory.mktemp("runtime") / "var")
    up = subprocess.Popen([sys.executable, "-m", "langxanh", "up"], env=env, cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for service in ("sites", "inspections", "manifests", "indicators"):
            wait_ping(env, service)
        with ServiceClient(actor=ADMIN, amqp_uri=env["AMQP_URI"]) as admin:
            for name in ("Vạn Phúc", "Vạn Phúc Hạ"):
                admin.sites.register_site(kind="craft_village", name=name, trade="dệt lụa", old_district="ha-dong",
                                          location={"lat": 20.98, "lon": 105.77})
            admin.sites.register_site(kind="craft_village", name="Bát Tràng", trade="gốm sứ", old_district="gia-lam",
                                      location={"lat": BAT_TRANG[0], "lon": BAT_TRANG[1]})
        yield env
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(40)
        except subprocess.TimeoutExpired:
            up.kill()


async def resident_story(api: FakeBotApi, bots: Replicas) -> None:
    lan = BotApiChat(api, 7101)
    assert (await lan.send("/start"))[0].startswith(t("vi", "start-welcome")[:12])
    [pick] = await lan.send("/status van phuc")
    assert pick.startswith(t("vi", "status-pick", count=2)[:5]) and len(lan.buttons()) == 2
    [card] = await lan.press(lan.buttons()[0][1])
    assert "Vạn Phúc" in card
    await lan.send("/report")
    await lan.press("cat:wastewater")
    assert await lan.location(*BAT_TRANG) == [t("vi", "report-describe")]
    await lan.send("Nước nhuộm đỏ xả thẳng ra kênh")
    assert await lan.photo(jpeg()) == [t("vi", "report-photo-added", count=1, max=3)]
    killed = bots.kill_last_handler(7101)  # the replica that holds this conversation's last step dies
    [review] = await lan.press("rphotos:done")  # the other replica: the step where the dead one left it
    assert "Nước nhuộm đỏ" in review and "rconfirm:yes" in [data for _, data in lan.buttons()]
    [filed] = await lan.press("rconfirm:yes")
    assert filed.startswith(t("vi", "report-filed", ticket="", triage_due="")[:10])
    workers = {o["worker"] for o in bots.inbox().outcomes("7101") if o["worker"]}
    assert len(workers) == 2 and all(f":{killed.pid}:" not in o["worker"] for o in bots.inbox().outcomes("7101")[-2:])


CASES = [("polling", "sqlite"), ("webhook", "sqlite"), ("webhook", "postgres")]


@pytest.mark.parametrize("mode,store", CASES, ids=[f"{m}-{s}" for m, s in CASES])
def test_two_bot_replicas_carry_a_residents_story_over_a_crash(system, tmp_path, mode, store, request):
    extra = {}
    if store == "postgres":
        extra = {"LANGXANH_DATABASE_URL": request.getfixturevalue("pg_url"),
                 "LANGXANH_SCHEMA_PREFIX": request.getfixturevalue("schema_prefix")}
    api = FakeBotApi().start()
    bots = Replicas(system, api, tmp_path, mode, extra).start()
    try:
        asyncio.run(resident_story(api, bots))
        if mode == "webhook":
            inbox = bots.inbox()
            before = inbox.last_update_id()
            update = json.dumps({"update_id": before + 1000, "message": {
                "message_id": 1, "date": int(time.time()), "chat": {"id": 7102, "type": "private"},
                "from": {"id": 7102, "is_bot": False, "first_name": "X"}, "text": "/start"}}).encode()
            assert post(f"{bots.balancer.url}/telegram/hook", update, SECRET[:-1] + "x") == 403
            assert inbox.last_update_id() == before and inbox.outcomes("7102") == []
            assert api.sent_to(7102) == []
        else:
            assert api.conflicts >= 0 and "deleteWebhook" in api.calls
    finally:
        bots.stop()
        api.stop()


class HttpStoryWorld:
    """tests/bot/manifest_story.py's interface over real HTTP: chats through the fake Bot API,
    admin calls over the broker (one short-lived client per call, off the event loop)."""

    def __init__(self, system: dict, api: FakeBotApi, bots: Replicas) -> None:
        self.system, self.api, self.bots = system, api, bots
        self.establishments: dict[str, dict] = {}
        self.killed: list[int] = []
        self.is_push = push_matcher("vi")
        self.chats: dict[int, BotApiChat] = {}

    def chat(self, user_id: int) -> BotApiChat:
        return self.chats.setdefault(user_id, BotApiChat(self.api, user_id, is_push=self.is_push))

    def _call(self, service: str, rpc: str, **kw: Any) -> Any:
        with ServiceClient(actor=ADMIN, amqp_uri=self.system["AMQP_URI"]) as admin:
            return getattr(getattr(admin, service), rpc)(**kw)

    async def call(self, service: str, rpc: str, **kw: Any) -> Any:
        return await asyncio.to_thread(self._call, service, rpc, **kw)

    async def link(self, chat: BotApiChat, role: str, establishment_id: str) -> None:
        code = (await self.call("sites", "issue_link_code", role=role, establishment_id=establishment_id))["code"]
        name = (await self.call("sites", "get_establishment", establishment_id=establishment_id))["name"]
        assert await chat.send(f"/link {code}") == [t("vi", "link-done", role=t("vi", f"role-{role}"), name=name)]

    async def checkpoint(self, step: str) -> None:
        """After the correction, SIGKILL the replica that handled the generator's last update and
        start a new one in its place: the story goes on across both, no step lost."""
        if step == "corrected":
            dead = await asyncio.to_thread(self.bots.kill_last_handler, USERS["generator"])
            self.killed.append(dead.pid)
            self.bots.replace(dead)

    def pushes(self, who: str) -> list[str]:
        return [s["text"] for s in self.chat(USERS[who]).pushes()]


def pushed(world: HttpStoryWorld, who: str, key: str, **args: Any) -> bool:
    """Did `who` get the push `key` (all its lines, the first one compared)?"""
    first = t("vi", key, **args)
    return any(text.split("\n")[0] == first.split("\n")[0] for text in world.pushes(who))


MANIFEST_CASES = [("polling", "sqlite"), ("webhook", "postgres")]


@pytest.mark.parametrize("mode,store", MANIFEST_CASES, ids=[f"{m}-{s}" for m, s in MANIFEST_CASES])
def test_two_bot_replicas_carry_a_whole_manifest_over_the_bot_api(system, tmp_path, mode, store, request):
    extra = {"LANGXANH_BOT_FLOOD_PER_MINUTE": "300"}  # the generator's ~40 steps take the story < 1 min
    if store == "postgres":
        extra |= {"LANGXANH_DATABASE_URL": request.getfixturevalue("pg_url"),
                  "LANGXANH_SCHEMA_PREFIX": request.getfixturevalue("schema_prefix")}
    api = FakeBotApi().start()
    bots = Replicas(system, api, tmp_path, mode, extra).start()
    try:
        world = HttpStoryWorld(system, api, bots)
        m = asyncio.run(whole_manifest_story(world))
        number = m["number"]
        deadline = time.monotonic() + 15  # the last pushes may still be on their way
        while not pushed(world, "generator", "mfp-rejected-part", number=number, lines="2",
                         reason=t("vi", "mfp-reject-reason-quantity")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pushed(world, "transporter1", "mfp-pickup-awaits", number=number), world.pushes("transporter1")
        assert pushed(world, "transporter2", "mfp-leg-awaits", number=number, previous=t("vi", "mfp-party-transporter", position=1), leg=2), \
            world.pushes("transporter2")
        assert any(text.startswith(t("vi", "mfp-arrival-awaits", number=number, previous="", leg="")[:20])
                   for text in world.pushes("facility1"))
        assert pushed(world, "facility2", "mfp-facility2-turn", number=number), world.pushes("facility2")
        assert any(number in text for text in world.pushes("generator")), world.pushes("generator")
        workers = {int(o["worker"].split(":")[1]) for uid in USERS.values()
                   for o in bots.inbox().outcomes(str(uid)) if o["worker"]}
        assert world.killed[0] in workers and workers - set(world.killed), workers  # before and after the kill
        assert workers <= {p.pid for p in bots.procs} | set(world.killed), workers
        assert all(p.poll() is None for p in bots.procs), bots.logs()
        assert m["state"] == "copy4_returned"
    finally:
        bots.stop()
        api.stop()
