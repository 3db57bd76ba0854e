"""Issue 15: the bot's intake over real HTTP, in-process: the fake Bot API (tests/botapi) on
loopback, the bot's real HTTP client pointed at it (TELEGRAM_API_BASE_URL), the poller or the
webhook server, the workers; the webhook's refusals store nothing."""
from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.error
import urllib.request

import pytest

from bot.texts import t
from tests.bot.conftest import BotWorld, jpeg
from tests.botapi.driver import BotApiChat
from tests.botapi.server import FakeBotApi
from tests.e2e.conftest import free_port

BAT_TRANG = (21.0035, 105.9157)


class NetWorld(BotWorld):
    """The bot with its real HTTP client, against the fake Bot API; the runtime's intake and workers."""

    def __init__(self, cluster, tmp_path, api: FakeBotApi, webhook: bool, **overrides) -> None:  # type: ignore[no-untyped-def]
        port = free_port()
        extra = {"bot_webhook_url": f"http://127.0.0.1:{port}/tg/hook", "bot_webhook_listen": f"127.0.0.1:{port}",
                 "bot_webhook_secret_token": "s3cret-token-of-the-tests"} if webhook else {}
        super().__init__(cluster, tmp_path, telegram_api_base_url=api.base_url, telegram_bot_token=api.token,
                         bot_lease_seconds=3, **extra, **overrides)
        self.api = api
        self.tasks: list[asyncio.Task] = []
        self.server = None

    async def start(self):  # type: ignore[no-untyped-def]
        from bot.app import build_application
        from bot.runtime.main import _intake
        from bot.runtime.worker import Workers

        self.app = build_application(self.settings, self.services, self.store, follow=False)
        await self.app.initialize()
        await self.app.start()
        workers = Workers(self.app, self.app.runtime.inbox, self.app.runtime.owner, lease_ttl=3)
        self.tasks.append(asyncio.get_running_loop().create_task(workers.run()))
        self.server = await _intake(self.settings, self.app, workers, self.tasks)
        if self.server is not None:
            await wait_up(self.settings.bot.webhook_listen)
        return self.app

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await super().stop()


async def wait_up(listen: str) -> None:
    for _ in range(100):
        try:
            await asyncio.to_thread(urllib.request.urlopen, f"http://{listen}/healthz", None, 1)
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError("webhook server not up")


@pytest.fixture
def api():
    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_a_report_over_real_http_by_polling_or_webhook(cluster, tmp_path, api, webhook):
    async def story(w):
        lan = BotApiChat(api, 9801)
        assert (await lan.send("/start"))[0].startswith(t("vi", "start-welcome")[:12])
        await lan.send("/report")
        await lan.press("cat:wastewater")
        assert await lan.location(*BAT_TRANG) == [t("vi", "report-describe")]
        await lan.send("Nước thải đen")
        assert await lan.photo(jpeg()) == [t("vi", "report-photo-added", count=1, max=3)]
        await lan.press("rphotos:done")
        [filed] = await lan.press("rconfirm:yes")
        assert filed.startswith(t("vi", "report-filed", ticket="")[:8])
        assert ("setWebhook" in api.calls) is webhook and ("getUpdates" in api.calls) is not webhook

    NetWorld(cluster, tmp_path, api, webhook).run(story)


def post(url: str, body: bytes, headers: dict) -> int:
    """The status; 413 too when the server cut the connection while the client was still sending
    a body it had refused by its Content-Length (it reads none of it)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except urllib.error.URLError as e:
        if isinstance(e.reason, (ConnectionResetError, BrokenPipeError)) and len(body) > 1_000_000:
            return 413
        raise


def test_the_webhook_refuses_a_wrong_secret_a_big_body_and_not_json_and_stores_nothing(cluster, tmp_path, api):
    async def story(w):
        url = w.settings.bot.webhook_url
        update = json.dumps({"update_id": 424242, "message": {"message_id": 1, "date": 0, "chat": {"id": 9802,
                             "type": "private"}, "from": {"id": 9802, "is_bot": False, "first_name": "X"},
                             "text": "/start"}}).encode()
        good = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret-token-of-the-tests"}
        cases = [({**good, "X-Telegram-Bot-Api-Secret-Token": "s3cret-token-of-the-testz"}, update, 403),
                 ({"Content-Type": "application/json"}, update, 403),
                 ({**good, "Content-Type": "text/plain"}, update, 415),
                 (good, b"{" + b" " * 1_100_000 + b"}", 413),
                 (good, b"not json", 400),
                 (good, json.dumps({"update_id": "1"}).encode(), 400)]
        for headers, body, status in cases:
            assert await asyncio.to_thread(post, url, body, headers) == status
        assert w.app.runtime.inbox.pending() == 0 and w.app.runtime.inbox.last_update_id() == 0
        assert await asyncio.to_thread(post, url, update, good) == 200
        assert w.app.runtime.inbox.last_update_id() == 424242

    NetWorld(cluster, tmp_path, api, webhook=True).run(story)


def test_one_replica_polls_at_a_time_and_another_takes_over_when_it_dies(cluster, tmp_path, api):
    from telegram import Bot

    from bot.runtime.intake import Poller

    api.webhook = {"url": "http://127.0.0.1:9/left-from-a-webhook-run", "secret": None}

    async def story(w):
        inbox = w.app.runtime.inbox
        async with Bot(api.token, base_url=f"{api.base_url}/bot", base_file_url=f"{api.base_url}/file/bot") as bot:
            a, b = Poller(bot, inbox, "replica-a", 1.0, lambda: None), Poller(bot, inbox, "replica-b", 1.0, lambda: None)
            api.push(message={"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "một"})
            assert await a.turn() == 1 and api.webhook is None  # the poller deletes a webhook left behind
            assert await b.turn() == 0 and inbox.holder("poller") == "replica-a"  # a holds the lease
            api.push(message={"message_id": 2, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hai"})
            await asyncio.sleep(1.1)  # a died: its lease expires
            assert await b.turn() == 1 and inbox.holder("poller") == "replica-b"
            assert [o["update_id"] for o in inbox.outcomes("1")] == [1, 2]  # each update stored once

    BotWorld(cluster, tmp_path).run(story)  # its database only: the two pollers here are the replicas
