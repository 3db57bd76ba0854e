"""The gateway in `langxanh up`: an agency's key from `langxanh gateway key`, replay over HTTP,
live server-sent events that resume after a disconnect with Last-Event-ID (no gap, no double)."""
from __future__ import annotations

import json
import time

import httpx

from tests.e2e.conftest import run_cli
from tests.e2e.test_bot_e2e import ADMIN, call, system  # noqa: F401  (the fixture)


def base(env: dict) -> str:
    return f"http://127.0.0.1:{env['LANGXANH_GATEWAY_PORT']}"


def wait_http(env: dict, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base(env)}/healthz", timeout=2).json().get("sites"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("the gateway did not answer")


def sse_events(response: httpx.Response, count: int, timeout: float = 30.0) -> list[dict]:
    """Read `count` server-sent events (id + data) from a streaming response."""
    out, current = [], {}
    deadline = time.monotonic() + timeout
    for line in response.iter_lines():
        if line.startswith("id:"):
            current["id"] = line[3:].strip()
        elif line.startswith("data:"):
            current["data"] = json.loads(line[5:].strip())
        elif line == "" and "data" in current:
            out.append(current)
            current = {}
            if len(out) == count:
                return out
        assert time.monotonic() < deadline, f"only {len(out)} events in time"
    raise AssertionError("the stream ended")


def register(env: dict, name: str) -> dict:
    return call(env, ADMIN, "sites", "register_site", kind="craft_village", name=name, old_district="ha-dong")


def test_an_agency_replays_and_follows_the_stream_over_http(system):  # noqa: F811
    wait_http(system)
    issued = run_cli(system, "gateway", "key", "so-nnmt-e2e", "--scope", "events:read")
    assert issued.returncode == 0, issued.stderr
    key = {"X-API-Key": issued.stdout.strip().splitlines()[-1]}
    assert httpx.get(f"{base(system)}/v1/events", params={"service": "sites"}).status_code == 401

    first = register(system, "Làng Một")
    replay = httpx.get(f"{base(system)}/v1/events", params={"service": "sites"}, headers=key, timeout=30)
    [event] = [json.loads(x) for x in replay.text.splitlines()]
    assert event["subject"] == first["id"] and event["type"] == "vn.langxanh.sites.site_registered.v1"

    url = f"{base(system)}/v1/events/live"
    with httpx.stream("GET", url, params={"service": "sites", "after": 1}, headers=key, timeout=30) as live:
        assert live.status_code == 200 and live.headers["content-type"].startswith("text/event-stream")
        second = register(system, "Làng Hai")
        [got] = sse_events(live, 1)
    assert got["id"] == "sites-" + "2".zfill(20) or got["data"]["subject"] == second["id"]
    assert got["data"]["subject"] == second["id"]

    # while no one listens, two more sites; the client resumes from the last id it saw
    third, fourth = register(system, "Làng Ba"), register(system, "Làng Bốn")
    with httpx.stream("GET", url, params={"service": "sites"}, headers={**key, "Last-Event-ID": got["id"]},
                      timeout=30) as live:
        resumed = sse_events(live, 2)
    assert [e["data"]["subject"] for e in resumed] == [third["id"], fourth["id"]]
