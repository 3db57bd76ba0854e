"""Benchmark: the bot's /status reply time at N concurrent chats vs one bare RPC round trip.

    python -m tests.bench.bot_status [--chats 50] [--rounds 5] [--pool 8] [--store sqlite|postgres]

Starts the four service processes (RabbitMQ on AMQP_URI, a fresh data dir or schema), seeds
Hanoi, then: (1) bare nameko RPC round trips (`sites.ping`, one client, sequential); (2) the
bot's real Application (handlers, per-chat processor, pooled client) fed `/status <name>` from N
chats at once, each answered with a full card (search, site, establishments, indicators = 4 RPCs).
Reply time = from the update entering the processor to the card being sent. Prints a table and
writes bench-results/bot_status.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from shared.kit.actor import SYSTEM
from shared.kit.client import ServiceClient
from shared.kit.config import Settings, with_values

from tests.bench.common import PG_URL, ROOT, SERVICES, pct, start  # noqa: F401 - shared with tests.bench.all


def seed(env: dict) -> list[str]:
    """Seed Hanoi; answer the names that find exactly one site (each /status shows a card)."""
    from shared.seed import seed_steps

    with ServiceClient(actor=SYSTEM, amqp_uri=env["AMQP_URI"], timeout=60) as c:
        for s in seed_steps():
            s.run(c)
        names = []
        for site in c.sites.list_sites(limit=1000)["sites"]:
            if len(c.sites.search_sites(query=site["name"], limit=2)) == 1:
                names.append(site["name"])
        # the indicators must know the sites before a card can be complete
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                c.call("indicators", "status_card", site_id=c.sites.search_sites(query=names[-1], limit=1)[0]["id"])
                break
            except Exception:  # noqa: BLE001 - still following
                time.sleep(0.5)
    return names


def bare_rpc(env: dict, n: int = 300) -> list[float]:
    with ServiceClient(amqp_uri=env["AMQP_URI"], timeout=30) as c:
        c.sites.ping()
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            c.sites.ping()
            out.append(time.perf_counter() - t0)
        return out


async def pool_ping(services, n: int, concurrency: int) -> float:  # type: ignore[no-untyped-def]
    """Bare RPC round trips/s through the bot's pool, `concurrency` in flight."""
    from shared.kit.actor import SYSTEM

    async def worker(k: int) -> None:
        for _ in range(k):
            await services.call(SYSTEM, "sites", "ping")

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n // concurrency) for _ in range(concurrency)))
    return (n // concurrency) * concurrency / (time.perf_counter() - t0)


class Counting:
    """The bot's services, counting the RPCs its handlers make."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.calls = inner, 0

    async def call(self, actor, service, rpc, /, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        return await self.inner.call(actor, service, rpc, **kwargs)

    def close(self) -> None:
        self.inner.close()


async def bot_status(settings: Settings, names: list[str], chats: int, rounds: int, pool: int) -> dict:
    """p50/p95 of /status from `chats` chats at once, and the queueing bound it is held to (issue
    18): chats × the RPCs one card makes ÷ the pool's bare RPC rate, both measured here."""
    from bot.app import build_application
    from bot.client import PooledServices
    from bot.offline import ChatDriver, RecordingRequest
    from bot.store import open_store

    request = RecordingRequest()
    settings = with_values(settings, bot_flood_per_minute=1000)
    services = Counting(PooledServices(settings, size=pool))
    app = build_application(settings, services, open_store(settings), request=request, follow=False)
    await app.initialize()
    drivers = [ChatDriver(app, request, 900000 + i) for i in range(chats)]
    times: list[float] = []
    wall, counted = 0.0, 0
    for r in range(rounds + 1):  # round 0 warms the pool up
        async def one(i: int, d: ChatDriver) -> float:
            update = d.text_update(f"/status {names[(r * chats + i) % len(names)]}")
            t0 = time.perf_counter()
            await app.process_update(update)
            elapsed = time.perf_counter() - t0
            replies = d.replies()
            assert len(replies) == 1 and "•" in replies[0], replies
            return elapsed

        calls = services.calls
        t0 = time.perf_counter()
        got = await asyncio.gather(*(one(i, d) for i, d in enumerate(drivers)))
        if r:
            times.extend(got)
            wall += time.perf_counter() - t0
            counted += services.calls - calls
    await pool_ping(services, 8 * pool, pool)  # warm
    bare = await pool_ping(services, 400, pool)
    await app.shutdown()
    app.bot_data["deps"].services.close()
    per_card = counted / len(times)
    bound_ms = chats * per_card / bare * 1000
    p95 = pct(times, 95) * 1000
    return {"chats": chats, "rounds": rounds, "pool": pool, "samples": len(times),
            "p50_ms": pct(times, 50) * 1000, "p95_ms": p95, "max_ms": max(times) * 1000,
            "replies_per_s": len(times) / wall, "rpcs_per_card": per_card, "pool_bare_rpc_per_s": bare,
            "queueing_bound_ms": bound_ms, "p95_over_bound": p95 / bound_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pool", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lx-bench-bot-"))
    env = dict(os.environ)
    env.update({"LANGXANH_DATA_DIR": str(tmp / "svc"), "LANGXANH_EXCHANGE": f"langxanh.bench.{uuid.uuid4().hex[:6]}",
                "AMQP_URI": env.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")})
    env.pop("LANGXANH_DATABASE_URL", None)
    if args.store == "postgres":
        env["LANGXANH_DATABASE_URL"] = PG_URL
        env["LANGXANH_SCHEMA_PREFIX"] = f"lxbench{uuid.uuid4().hex[:6]}_"
    procs = start(env)
    try:
        names = seed(env)
        rpc = bare_rpc(env)
        settings = Settings(amqp_uri=env["AMQP_URI"], data_dir=tmp / "bot", exchange=env["LANGXANH_EXCHANGE"],
                            database_url=None)
        runs = [asyncio.run(bot_status(settings, names, args.chats, args.rounds, p)) for p in args.pool]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
    result = {"store": args.store, "bare_rpc": {"samples": len(rpc), "p50_ms": pct(rpc, 50) * 1000,
                                                 "p95_ms": pct(rpc, 95) * 1000, "mean_ms": statistics.mean(rpc) * 1000},
              "bot_status": runs}
    print(f"\n/status reply time, {args.chats} concurrent chats, store {args.store} (one run)")
    print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8} {'replies/s':>10}")
    print(f"{'bare RPC round trip (sites.ping)':34} {result['bare_rpc']['p50_ms']:8.1f} {result['bare_rpc']['p95_ms']:8.1f}")
    for r in runs:
        print(f"{'bot /status, pool ' + str(r['pool']):34} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['replies_per_s']:10.1f}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "bot_status.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
