"""Helpers of the broker-users tests (issue 13, "broker"): a vhost of the test's own with every
component's user (names unique to the run: `lxt<hex>-<component>`), made by `broker_setup.setup`
with rabbitmqctl as an operator would, and removed at the end."""
from __future__ import annotations

import json
import subprocess
import urllib.parse
import uuid
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection

from shared import agency, broker_setup
from tests.conftest import AMQP_HOST, AMQP_PASSWORD, AMQP_USER

EXCHANGE = "langxanh.events"
POLICY = broker_setup.agency_policy(max_length=5, max_bytes=1 << 20, expires_seconds=3600)


def rabbitmqctl(*args: str) -> str:
    done = subprocess.run(["rabbitmqctl", "--quiet", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"rabbitmqctl {' '.join(args)}: {done.stderr or done.stdout}"
    return done.stdout


def guest_uri(vhost: str) -> str:
    return f"amqp://{AMQP_USER}:{AMQP_PASSWORD}@{AMQP_HOST}:5672/{urllib.parse.quote(vhost, safe='')}"


def users() -> set[str]:
    return {u["user"] for u in json.loads(rabbitmqctl("list_users", "--formatter", "json") or "[]")}


@contextmanager
def provisioned() -> Iterator[dict[str, Any]]:
    """{"vhost", "guest", "prefix", component: AMQP URI of its own user}."""
    tag = uuid.uuid4().hex[:8]
    vhost, prefix = f"lx-sec-broker-{tag}", f"lxt{tag}-"
    rabbitmqctl("add_vhost", vhost)
    made: list[str] = []
    try:
        rabbitmqctl("set_permissions", "-p", vhost, AMQP_USER, ".*", ".*", ".*")
        creds = broker_setup.setup(guest_uri("/"), EXCHANGE, POLICY, vhost=vhost, prefix=prefix,
                                   admin=agency.Rabbitmqctl())
        made = [c.user for c in creds]
        out: dict[str, Any] = {"vhost": vhost, "guest": guest_uri(vhost), "prefix": prefix}
        out.update({c.component: c.uri(AMQP_HOST, 5672, vhost) for c in creds})
        yield out
    finally:
        for user in made:
            subprocess.run(["rabbitmqctl", "--quiet", "delete_user", user], capture_output=True, timeout=60)
        subprocess.run(["rabbitmqctl", "--quiet", "delete_vhost", vhost], capture_output=True, timeout=60)


def refused(amqp_uri: str, action: Callable[[Any], Any]) -> str:
    """Run `action(channel)` on a fresh connection: the broker must close the channel with 403
    ACCESS_REFUSED."""
    with Connection(amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=10) as conn:
        channel = conn.channel()
        with pytest.raises(AccessRefused) as info:
            action(channel)
        assert info.value.code == 403, info.value
        return str(info.value)


def allowed(amqp_uri: str, action: Callable[[Any], Any]) -> Any:
    with Connection(amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=10) as conn:
        return action(conn.channel())
