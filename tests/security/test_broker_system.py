"""Issue 13, "broker", end to end: the system runs with one broker user per component.

Real service processes (`python -m shared.runner sites`, `… inspections`), each with its own user
from `broker_setup.setup`, on both stores; the bot's real RPC pool and feed with the bot's user;
the operator's CLI user registers a site. The services serve the bot's calls, the sites relay
publishes (the bot's feed and the inspections follower receive it, backfilling with their own
users), and the bot's user still cannot call an admin command or forge the event it follows.
Today's single full user lets the bot's credential do both.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nameko.exceptions import RpcTimeout, UnknownService

from shared.kit.actor import Actor, Role
from shared.kit.client import ServiceClient
from tests.security.broker_users import EXCHANGE, provisioned, refused

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("admin-broker", Role.ADMIN)
RESIDENT = Actor("resident-broker", Role.RESIDENT)


def wait_ping(uri: str, service: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{service} died: {log.read_text()[-3000:]}"
        try:
            with ServiceClient(amqp_uri=uri, timeout=2) as c:
                return c.call(service, "ping")
        except (RpcTimeout, UnknownService, OSError):
            time.sleep(0.3)
    raise AssertionError(f"{service} did not answer with its own user: {log.read_text()[-3000:]}")


@pytest.fixture(params=["sqlite", "postgres"])
def system(request, tmp_path, schema_prefix):
    with provisioned() as broker:
        env = dict(os.environ, LANGXANH_DATA_DIR=str(tmp_path / "var"), LANGXANH_EXCHANGE=EXCHANGE,
                   LANGXANH_RELAY_INTERVAL="0.2", LANGXANH_FOLLOW_CATCH_UP_INTERVAL="1", PYTHONUNBUFFERED="1")
        env.pop("LANGXANH_DATABASE_URL", None)
        if request.param == "postgres":
            env.update(LANGXANH_DATABASE_URL=request.getfixturevalue("pg_url"), LANGXANH_SCHEMA_PREFIX=schema_prefix)
        procs = []
        try:
            for service in ("sites", "inspections"):
                log = tmp_path / f"{service}.log"
                proc = subprocess.Popen([sys.executable, "-m", "shared.runner", service],
                                        env=dict(env, AMQP_URI=broker[service]), cwd=ROOT,
                                        stdout=open(log, "ab"), stderr=subprocess.STDOUT)
                procs.append(proc)
                wait_ping(broker[service], service, proc, log)  # its health check, with its own user
            yield {**broker, "env": env, "tmp": tmp_path, "store": request.param}
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()


def bot_settings(system):
    from shared.kit.config import Settings, with_values

    kw = {"database_url": system["env"].get("LANGXANH_DATABASE_URL"),
          "schema_prefix": system["env"].get("LANGXANH_SCHEMA_PREFIX", "langxanh_")}
    return with_values(Settings(amqp_uri=system["bot"], data_dir=system["tmp"] / "bot", exchange=EXCHANGE, **kw),
                       follow_catch_up_interval=1.0)


def test_services_with_their_own_users_serve_the_bot_and_publish_to_its_feed(system):
    from bot.feed import Feed
    from bot.store import open_store
    from shared.kit.pool import PooledServices

    settings = bot_settings(system)
    feed = Feed(settings, open_store(settings))
    feed.start()  # the bot's durable queues bot.follows.*, with the bot's user
    pool = PooledServices(settings, size=2)
    try:
        with ServiceClient(actor=ADMIN, amqp_uri=system["cli"]) as cli:  # the operator's tool registers
            site = cli.sites.register_site(kind="craft_village", name="Vạn Phúc", trade="dệt lụa",
                                           old_district="ha-dong", location={"lat": 20.98, "lon": 105.77})
        found = asyncio.run(pool.call(RESIDENT, "sites", "get_site", site_id=site["id"]))  # served to the bot
        assert found["name"] == "Vạn Phúc"
        deadline = time.monotonic() + 60  # the relay (sites' user) published; the bot's feed applied it
        while feed.followers["sites"].position < 1:
            assert time.monotonic() < deadline, "the bot's feed never received the sites event"
            time.sleep(0.1)
        with ServiceClient(amqp_uri=system["cli"]) as cli:  # inspections followed it with its own user
            deadline = time.monotonic() + 60
            while cli.inspections.ping()["followers"]["sites"]["position"] < 1:
                assert time.monotonic() < deadline, "inspections never followed the sites event"
                time.sleep(0.2)
    finally:
        pool.close()
        feed.stop()
    # what the bot's credential may not do, against the running system
    with pytest.raises(Exception) as info:
        with ServiceClient(actor=ADMIN, amqp_uri=system["bot"], timeout=10) as bot:
            bot.sites.issue_link_code(role="inspector")
    assert "ACCESS_REFUSED" in str(info.value) or "403" in str(info.value)
    forged = {"id": "sites-forged", "type": "vn.langxanh.sites.site_registered.v1", "sequence": "2", "data": {}}
    refused(system["bot"], lambda ch: ch.basic_publish(ch.prepare_message(json.dumps(forged).encode()),
                                                       exchange=EXCHANGE, routing_key="sites.site_registered"))
    with ServiceClient(amqp_uri=system["cli"]) as cli:
        assert cli.sites.ping()["log_head"] == 1  # nothing but the real registration
