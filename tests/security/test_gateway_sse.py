"""Issue 13, medium — the SSE leak: 40 live clients that went away left threads, broker
connections and exclusive queues with consumers behind them, 10 minutes later.

A real sites service and a real gateway process (uvicorn) on the test run's vhost: 40 live
streams are opened and dropped; the broker (rabbitmqctl on the vhost) then shows none of their
exclusive queues nor connections, and the gateway's thread count is back to what it was. Streams
that overlapped may leave the gateway's publish pool (kombu's, process-wide, at most
`kombu.pools.get_limit()` connections) larger than one stream left it: that pool is shared and
bounded, so the check allows it, and a client's own connection left open (40 of them) still fails. A key
holds at most `gateway_live_streams_per_key` streams: the next one gets 429."""
from __future__ import annotations

import httpx
import kombu.pools
import pytest

from tests.security.gateway_procs import (base, connections, environment, exclusive_queues, issue_key,
                                          start_gateway, start_service, wait_until)

STREAMS = 40


@pytest.fixture(scope="module")
def world(amqp_uri, tmp_path_factory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("sse")
    env = environment(amqp_uri, tmp, "sqlite", None, "", webhook_delivery="false",
                      gateway_live_streams_per_key=str(STREAMS))
    sites = start_service("sites", env, tmp)
    key = issue_key(env, "so-nnmt", "events:read")
    gateway = start_gateway(env, tmp)
    yield env, gateway, key, sites
    gateway.stop()
    sites.stop()


class Streams:
    """Live clients, each on its own connection, opened one after the other."""

    def __init__(self, env: dict, key: dict) -> None:
        self.env, self.key = env, key
        self.open: list[tuple[httpx.Client, object, httpx.Response]] = []

    def add(self) -> httpx.Response:
        client = httpx.Client(timeout=30)
        cm = client.stream("GET", f"{base(self.env)}/v1/events/live", params={"service": "sites", "after": 0},
                           headers=self.key["header"])
        response = cm.__enter__()
        if response.status_code == 200:
            self.open.append((client, cm, response))
        else:
            response.read()
            cm.__exit__(None, None, None)
            client.close()
        return response

    def drop(self, n: int | None = None) -> None:
        """The clients go away (their connections closed, no goodbye)."""
        for client, cm, _ in self.open[: n if n is not None else len(self.open)]:
            cm.__exit__(None, None, None)
            client.close()
        self.open = self.open[n:] if n is not None else []


def test_dropped_live_clients_leave_no_queue_connection_or_thread(world):
    env, gateway, key, sites = world
    uri = env["AMQP_URI"]
    streams = Streams(env, key)
    assert streams.add().status_code == 200  # a first client: the services' own lazy connections opened
    streams.drop()
    wait_until(lambda: not exclusive_queues(uri), 120, "no live queue before the test")
    threads, conns = gateway.status("Threads"), connections(uri, besides=sites)
    for _ in range(STREAMS):
        assert streams.add().status_code == 200
    live = wait_until(lambda: [q for q in exclusive_queues(uri) if q[1] > 0] if len(
        [q for q in exclusive_queues(uri) if q[1] > 0]) >= STREAMS else None, 120, "40 live queues with consumers")
    print(f"\nwith {STREAMS} streams: {len(live)} exclusive queues, {connections(uri)} connections (were {conns}), "
          f"gateway threads {gateway.status('Threads')} (were {threads})")
    streams.drop()
    wait_until(lambda: not exclusive_queues(uri), 120, "the dropped clients' exclusive queues gone")
    # what stays is the gateway's process-wide publish pool (kombu's, shared by every client and
    # bounded by its limit), grown by streams that overlapped: never one client's own connections
    wait_until(lambda: connections(uri, besides=sites) <= conns + kombu.pools.get_limit(), 120,
               "the dropped clients' broker connections closed")

    def threads_back() -> bool:
        # a request run in the worker pool: the pool retires its workers idle for 10 s when it next runs one
        httpx.get(f"{base(env)}/v1/webhooks", headers={"X-API-Key": "lx_00000000_wrong"}, timeout=30)
        return gateway.status("Threads") <= threads

    wait_until(threads_back, 120, "the gateway's threads back to the baseline", every=2)
    gateway.alive()


def test_a_key_holds_at_most_the_configured_number_of_live_streams(world):
    env, gateway, key, _ = world
    streams = Streams(env, key)
    try:
        for _ in range(STREAMS):
            assert streams.add().status_code == 200
        refused = streams.add()
        assert refused.status_code == 429 and refused.json()["rule"] == "rate_limit"
        streams.drop(1)  # one client goes: its slot comes back
        wait_until(lambda: streams.add().status_code == 200, 60, "a stream again once one was closed", every=1)
    finally:
        streams.drop()
