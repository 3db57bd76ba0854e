"""Issue 15 end to end: `langxanh up` services, the tests' own Bot API server on loopback, and
TWO `langxanh bot` replicas as real processes, by long polling and by webhook (behind a load
balancer of the tests), their state in one database (SQLite; PostgreSQL too for the webhook).
A resident's story over real HTTP: /start, /status with a search and a button, a /report with a
location and a photo to its confirmation; mid-report the replica that handled the last step is
killed (SIGKILL) and the other goes on with the same conversation, the step not lost. A webhook
POST with a wrong secret token is refused (403) and stores nothing."""
from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.texts import t
from shared.kit.actor import Actor, Role
from shared.kit.client import ServiceClient
from tests.botapi.balancer import Balancer
from tests.botapi.driver import BotApiChat
from tests.botapi.server import FakeBotApi
from tests.e2e.conftest import ROOT, free_port, system_env_for
from tests.e2e.test_up import wait_ping

ADMIN = Actor("admin-e2e", Role.ADMIN)
SECRET = "e2e-webhook-secret-token"
BAT_TRANG = (21.0035, 105.9157)


@pytest.fixture(scope="module")
def system(amqp_uri, tmp_path_factory):
    """`langxanh up` once for the module (no bot token: the tests start the bots), two sites."""
    env = system_env_for(amqp_uri, tmp_path_factory.mktemp("runtime") / "var")
    up = subprocess.Popen([sys.executable, "-m", "shared.cli", "up"], env=env, cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for service in ("sites", "inspections", "manifests", "indicators"):
            wait_ping(env, service)
        with ServiceClient(actor=ADMIN, amqp_uri=env["AMQP_URI"]) as admin:
            for name in ("Vạn Phúc", "Vạn Phúc Hạ"):
                admin.sites.register_site(kind="craft_village", name=name, trade="dệt lụa", old_district="ha-dong",
                                          location={"lat": 20.98, "lon": 105.77})
        yield env
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(40)
        except subprocess.TimeoutExpired:
            up.kill()


class Replicas:
    """Two `langxanh bot` processes over one database, against the fake Bot API."""

    def __init__(self, system: dict, api: FakeBotApi, tmp: Path, mode: str, store: dict) -> None:
        self.api, self.mode, self.tmp = api, mode, tmp
        self.ports = [free_port(), free_port()]
        self.balancer = Balancer([f"http://127.0.0.1:{p}" for p in self.ports]).start() if mode == "webhook" else None
        self.env = dict(system, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
                        LANGXANH_DATA_DIR=str(tmp / "bot-data"),
                        LANGXANH_BOT_LEASE_SECONDS="2", LANGXANH_BOT_WEBHOOK_SECRET_TOKEN=SECRET, **store)
        self.procs: list[subprocess.Popen] = []

    def start(self) -> "Replicas":
        for i, port in enumerate(self.ports):
            args = [sys.executable, "-m", "shared.cli", "bot"]
            if self.balancer is not None:
                args += ["--webhook", f"{self.balancer.url}/telegram/hook", "--listen", f"127.0.0.1:{port}"]
            log = open(self.tmp / f"bot-{i}.log", "wb")
            self.procs.append(subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 60
        while not self.ready():
            assert time.monotonic() < deadline, self.logs()
            assert all(p.poll() is None for p in self.procs), self.logs()
            time.sleep(0.1)
        return self

    def ready(self) -> bool:
        if self.mode == "polling":
            return "getUpdates" in self.api.calls and self.api.calls.count("setMyCommands") >= 4
        return self.api.calls.count("setWebhook") >= 2 and all(health(p) for p in self.ports)

    def logs(self) -> str:
        return "\n".join((self.tmp / f"bot-{i}.log").read_text(errors="replace")[-3000:] for i in range(2))

    def inbox(self):  # type: ignore[no-untyped-def]
        from bot.runtime.inbox import Inbox
        from bot.store import open_store
        from shared.kit.config import Settings

        settings = Settings(data_dir=Path(self.env["LANGXANH_DATA_DIR"]),
                            database_url=self.env.get("LANGXANH_DATABASE_URL"),
                            **({"schema_prefix": self.env["LANGXANH_SCHEMA_PREFIX"]}
                               if "LANGXANH_SCHEMA_PREFIX" in self.env else {}))
        return Inbox(open_store(settings).db)

    def kill_last_handler(self, chat_id: int) -> subprocess.Popen:
        """SIGKILL the replica that processed the chat's last update."""
        last = [o for o in self.inbox().outcomes(str(chat_id)) if o["worker"]][-1]
        pid = int(last["worker"].split(":")[1])
        [proc] = [p for p in self.procs if p.pid == pid]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.balancer is not None:
            self.balancer.stop()


def health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return json.loads(r.read())["ok"] is True
    except OSError:
        return False


def post(url: str, body: bytes, secret: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


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
