"""Two replicas of every service on PostgreSQL and RabbitMQ: commands spread over both, only
one relay per service publishes, concurrent commands on one aggregate never lose an update
(optimistic concurrency retried), and no event is lost or doubled on the public stream."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from kombu import Connection, Queue

from shared.catalog import SERVICES
from shared.kit.actor import Actor, Role
from shared.kit.amqp import events_exchange
from shared.kit.client import ServiceClient
from tests.e2e.conftest import ROOT
from tests.e2e.test_up import wait_ping

AGENCY = Actor("replica-agency", Role.AGENCY)
ITEMS = ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point")


def test_two_replicas_of_every_service_lose_and_double_nothing(system_env, pg_url, schema_prefix, tmp_path):
    env = dict(system_env, LANGXANH_DATABASE_URL=pg_url, LANGXANH_SCHEMA_PREFIX=schema_prefix,
               LANGXANH_FOLLOW_CATCH_UP_INTERVAL="1")
    conn = Connection(env["AMQP_URI"])
    stream = Queue(f"replicas-{schema_prefix}", exchange=events_exchange(env["LANGXANH_EXCHANGE"]), routing_key="#",
                   durable=False, auto_delete=False)
    stream(conn.default_channel).declare()
    procs = []
    try:
        for name in SERVICES:
            for replica in range(2):
                log = open(tmp_path / f"{name}-{replica}.log", "wb")
                procs.append((name, subprocess.Popen([sys.executable, "-m", "shared.runner", name], env=env, cwd=ROOT,
                                                     stdout=log, stderr=subprocess.STDOUT)))
        for name in SERVICES:
            wait_ping(env, name)
        with ServiceClient(actor=AGENCY, amqp_uri=env["AMQP_URI"], timeout=60) as c:
            for name in SERVICES:  # both replicas consume the RPC queue before the load starts
                pids, deadline = set(), time.monotonic() + 60
                while len(pids) < 2:
                    assert time.monotonic() < deadline, f"{name}: the second replica never answered"
                    pids.add(c.call(name, "ping")["pid"])
        with ServiceClient(actor=AGENCY, amqp_uri=env["AMQP_URI"], timeout=60) as c:
            site = c.sites.register_site(kind="craft_village", name="Làng Đôi", old_district="gia-lam",
                                         location={"lat": 21.0, "lon": 105.9})

        # 40 concurrent commands on one aggregate, from 8 clients, spread over both replicas
        errors: list[str] = []

        def worker(k: int) -> None:
            with ServiceClient(actor=AGENCY, amqp_uri=env["AMQP_URI"], timeout=60) as c:
                for j in range(5):
                    try:
                        c.sites.set_condition(site_id=site["id"], item=ITEMS[(k + j) % 5],
                                              state="met" if (k + j) % 2 else "not_met", checked_on="2025-10-01")
                    except Exception as e:  # noqa: BLE001 - counted and shown
                        errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors
        with ServiceClient(actor=AGENCY, amqp_uri=env["AMQP_URI"], timeout=60) as c:
            history = c.sites.site_history(site_id=site["id"])
            assert [h["event"] for h in history].count("ConditionSet") == 40, "an update was lost"
            assert [h["version"] for h in history] == list(range(1, 42))
            resident = Actor("tg-replica", Role.RESIDENT)
            with ServiceClient(actor=resident, amqp_uri=env["AMQP_URI"], timeout=60) as r:
                deadline = time.monotonic() + 30
                reported = 0
                while reported < 20:
                    try:
                        r.inspections.report_incident(category="dust", description="Bụi từ lò", site_id=site["id"])
                        reported += 1
                    except Exception:  # noqa: BLE001 - inspections may not know the site yet
                        assert time.monotonic() < deadline
                        time.sleep(0.2)
            # the log's own notification ids (PostgreSQL sequences skip the ids of rolled-back
            # inserts: the optimistic-concurrency retries above leave holes, which are not events)
            from shared.kit.follower import pull_all
            logged = {name: [int(e["sequence"]) for e in pull_all(c.backfill(name))] for name in SERVICES}
            heads = {name: len(logged[name]) for name in SERVICES}
            # calls reach both replicas; exactly one replica of each service holds the relay
            for name in SERVICES:
                seen = {}
                for _ in range(30):
                    p = c.call(name, "ping")
                    seen[p["pid"]] = p["relay"]["holder"]
                assert len(seen) == 2, f"{name}: calls reached {len(seen)} replica(s)"
                assert sorted(seen.values()) == [False, True], f"{name}: relay holders {seen}"

        # every public event once, in full, per service
        received: dict[str, list[int]] = {name: [] for name in SERVICES}
        channel = conn.default_channel
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(len(received[n]) < heads[n] for n in SERVICES):
            message = channel.basic_get(stream.name, no_ack=True)
            if message is None:
                time.sleep(0.05)
                continue
            event = json.loads(message.body)
            received[event["source"].rsplit("/", 1)[1]].append(int(event["sequence"]))
        time.sleep(1.5)  # anything doubled would arrive now
        while (message := channel.basic_get(stream.name, no_ack=True)) is not None:
            event = json.loads(message.body)
            received[event["source"].rsplit("/", 1)[1]].append(int(event["sequence"]))
        for name in SERVICES:
            assert sorted(received[name]) == logged[name], f"{name}: lost or doubled"
        assert heads["sites"] == 41 and heads["inspections"] >= 20
    finally:
        for _, p in procs:
            p.terminate()
        for _, p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        try:
            conn.default_channel.queue_delete(stream.name)
        finally:
            conn.release()
