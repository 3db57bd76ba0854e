"""Issue 13, "agency queues fill the broker": an agency's queues are capped by an operator policy
applied by `agency add`, `agency remove` deletes them (and closes its connections), and an agency
cannot look into the services' private queues. Real RabbitMQ, a vhost and users of the test's own.

Today: an agency's durable queue grows without bound while it does not consume, and stays after
`langxanh agency remove`.
"""
from __future__ import annotations

import json
import uuid

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange, Queue

from shared import agency
from shared.kit.amqp import KombuPublisher
from tests.security.broker_users import EXCHANGE, POLICY, allowed, provisioned, rabbitmqctl, refused


@pytest.fixture(scope="module")
def broker():
    with provisioned() as b:
        def declare(ch):
            Exchange(EXCHANGE, type="topic", durable=True)(ch).declare()
            ch.queue_declare("rpc-sites", durable=True)
        allowed(b["sites"], declare)
        yield b


@pytest.fixture(scope="module")
def account(broker):
    name = f"t{uuid.uuid4().hex[:8]}"
    made = agency.add(name, broker["guest"], EXCHANGE, password="agency-pass-1", admin=agency.Rabbitmqctl(),
                      policy=POLICY)
    uri = broker["guest"].replace("guest:guest", f"{made.user}:agency-pass-1")
    yield {"name": name, "user": made.user, "uri": uri, "queue": f"agency.{name}.events"}
    agency.remove(name, broker["guest"], admin=agency.Rabbitmqctl())


def queues(vhost: str) -> dict[str, int]:
    rows = json.loads(rabbitmqctl("list_queues", "-p", vhost, "name", "messages", "--formatter", "json") or "[]")
    return {r["name"]: r["messages"] for r in rows}


@pytest.fixture
def own_queue(account):
    """Declare the agency's queue (with its own arguments), as the agency; deleted after the test."""
    def declare(**arguments):
        with Connection(account["uri"], connect_timeout=10) as conn:
            Queue(account["queue"], exchange=Exchange(EXCHANGE, passive=True), routing_key="sites.#", durable=True,
                  queue_arguments=arguments or None)(conn.default_channel).declare()
    yield declare
    allowed(account["uri"], lambda ch: ch.queue_delete(account["queue"]))


def publish_as_sites(broker, n: int) -> None:
    publisher = KombuPublisher(broker["sites"], EXCHANGE)  # confirms: each publish returns once acked
    try:
        with publisher.confirms():
            for i in range(n):
                publisher.publish("sites.site_registered", {"id": f"sites-{i}", "data": {"pad": "x" * 100}})
    finally:
        publisher.close()


def test_an_agency_queue_is_capped_and_the_relay_is_never_refused(broker, account, own_queue):
    own_queue()
    publish_as_sites(broker, 3 * POLICY["max-length"])  # a Nacked here would stall every relay
    assert queues(broker["vhost"])[account["queue"]] == POLICY["max-length"]


def test_an_agencys_own_arguments_cannot_raise_the_cap(broker, account, own_queue):
    own_queue(**{"x-max-length": 1_000_000})
    publish_as_sites(broker, 2 * POLICY["max-length"])
    assert queues(broker["vhost"])[account["queue"]] == POLICY["max-length"]


def test_agency_remove_deletes_its_queues_and_closes_its_connections(broker):
    name = f"r{uuid.uuid4().hex[:8]}"
    made = agency.add(name, broker["guest"], EXCHANGE, password="agency-pass-2", admin=agency.Rabbitmqctl(),
                      policy=POLICY)
    uri = broker["guest"].replace("guest:guest", f"{made.user}:agency-pass-2")
    conn = Connection(uri, connect_timeout=10)
    try:
        for suffix in ("a", "b"):
            conn.default_channel.queue_declare(f"agency.{name}.{suffix}", durable=True)
        assert {f"agency.{name}.a", f"agency.{name}.b"} <= set(queues(broker["vhost"]))
        assert agency.remove(name, broker["guest"], admin=agency.Rabbitmqctl())
        assert not [q for q in queues(broker["vhost"]) if q.startswith(f"agency.{name}.")]
        assert made.user not in {u["user"] for u in json.loads(rabbitmqctl("list_users", "--formatter", "json"))}
        with pytest.raises(Exception):  # its open connection was closed: it cannot declare them again
            conn.default_channel.queue_declare(f"agency.{name}.c", durable=True)
    finally:
        conn.release()
    assert "rpc-sites" in queues(broker["vhost"])  # nobody else's queue went


def test_an_agency_cannot_inspect_the_services_queues(broker, account):
    # (a passive queue.declare needs no permission in RabbitMQ: anyone may learn that rpc-sites
    # exists and its message and consumer counts, never a message)
    refused(account["uri"], lambda ch: ch.queue_declare("rpc-sites", durable=True))
    refused(account["uri"], lambda ch: ch.basic_get("rpc-sites"))
    refused(account["uri"], lambda ch: ch.basic_consume("rpc-sites", callback=lambda m: None))
    refused(account["uri"], lambda ch: ch.queue_purge("rpc-sites"))
    with pytest.raises(AccessRefused):
        allowed(account["uri"], lambda ch: ch.queue_declare(f"agency.{account['name']}", durable=True))


def test_an_agency_has_no_management_tag(account):
    rows = json.loads(rabbitmqctl("list_users", "--formatter", "json"))
    (mine,) = [u for u in rows if u["user"] == account["user"]]
    assert mine["tags"] == []  # the management API and UI refuse a user without a tag
