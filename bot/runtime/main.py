"""`langxanh bot`: one replica. Its workers, and either the poller or the webhook server, in one
asyncio loop until SIGTERM/SIGINT; any number of replicas may run on one database."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from shared.kit.config import Settings

log = logging.getLogger("bot")


def run(settings: Settings) -> None:
    if not settings.bot.token:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set: the bot cannot connect to Telegram "
                         "(try `langxanh chat` to use the same handlers in the terminal)")
    settings = settings.model_copy(update={"component": "bot"})  # the bot's key signs its calls (issue 13)
    asyncio.run(serve(settings))


async def serve(settings: Settings) -> None:
    from bot.app import _started, _stopped, build_application, set_commands
    from bot.client import PooledServices
    from bot.runtime.worker import Workers
    from bot.store import open_store

    legacy = settings.bot.persistence or Path(settings.data_dir) / "bot" / "state.pickle"
    app = build_application(settings, PooledServices(settings, size=settings.bot.rpc_pool), open_store(settings),
                            legacy_state=legacy)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.initialize()
    await _started(app)
    try:
        await set_commands(app)
    except Exception as e:  # noqa: BLE001 - the menu is a nicety
        log.warning("could not set the command menu: %s", e)
    await app.start()
    workers = Workers(app, app.runtime.inbox, app.runtime.owner, concurrency=settings.bot.workers,
                      lease_ttl=settings.bot.lease_seconds, per_minute=settings.bot.flood_per_minute)
    tasks = [loop.create_task(workers.run(), name="bot-workers")]
    server = await _intake(settings, app, workers, tasks)
    log.info("bot replica %s running (%s)", app.runtime.owner, "webhook" if server else "polling")
    await stop.wait()
    if server is not None:
        await server.stop()
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await app.stop()
    await _stopped(app)
    await app.shutdown()


async def _intake(settings: Settings, app, workers, tasks):  # type: ignore[no-untyped-def]
    """The poller (default) or the webhook server, started; the server (to stop) or None."""
    from bot.runtime import intake

    loop = asyncio.get_running_loop()
    if not settings.bot.webhook_url:
        poller = intake.Poller(app.bot, app.runtime.inbox, app.runtime.owner, settings.bot.lease_seconds, workers.wake)
        tasks.append(loop.create_task(poller.run(), name="bot-poller"))
        return None
    secret = intake.webhook_secret(settings)
    web = intake.webhook_app(app.runtime.inbox, secret, intake.webhook_path(settings.bot.webhook_url),
                             settings.bot.webhook_max_bytes, workers.wake, app.runtime.owner)
    server = intake.WebhookServer(web, *intake.listen_address(settings))
    server.start()
    await intake.register_webhook(app.bot, settings.bot.webhook_url, secret)
    return server
