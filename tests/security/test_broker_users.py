"""Issue 13, finding 2 (broker half): one broker user per component, on the real RabbitMQ.

Today every component holds one full user: the bot (or a leaked gateway credential) can publish a
forged `sites.site_registered` on the public stream, publish any RPC routing key (an admin-only
command it never calls), read the services' RPC queues, or reach a queue by name through the
default exchange. With the users of `langxanh broker setup` (shared/brokeracl.py), the broker
refuses each (channel closed, 403 ACCESS_REFUSED), and what each component does still works.
"""
from __future__ import annotations

import json
import uuid

import pytest
from kombu import Exchange, Queue

from shared import brokeracl
from tests.security.broker_users import EXCHANGE, allowed, provisioned, refused

RPC = brokeracl.RPC_EXCHANGE


@pytest.fixture(scope="module")
def broker():
    with provisioned() as b:
        # the exchanges and a service's RPC queue exist, as a running system has them
        def declare(ch):
            Exchange(EXCHANGE, type="topic", durable=True)(ch).declare()
            Queue("rpc-sites", exchange=Exchange(RPC, type="topic", durable=True), routing_key="sites.*",
                  durable=True)(ch).declare()
        allowed(b["sites"], declare)
        yield b


def publish(exchange: str, key: str, body: dict | None = None):
    def action(ch):
        ch.basic_publish(ch.prepare_message(json.dumps(body or {"id": "forged"}).encode()), exchange=exchange,
                         routing_key=key)
    return action


def forged_site_registered() -> dict:
    return {"id": f"sites-{uuid.uuid4()}", "type": "vn.langxanh.sites.site_registered.v1", "source": "/sites",
            "sequence": "00000000000000000001", "data": {"name": "forged"}}


def test_the_bot_cannot_publish_a_services_public_event(broker):
    message = refused(broker["bot"], publish(EXCHANGE, "sites.site_registered", forged_site_registered()))
    assert f"exchange '{EXCHANGE}'" in message
    refused(broker["gateway"], publish(EXCHANGE, "sites.site_registered", forged_site_registered()))
    refused(broker["cli"], publish(EXCHANGE, "inspections.incident_reported"))
    refused(broker["bot"], publish(EXCHANGE, ""))  # not even the empty key (an agency bound with `#` gets it)


def test_a_service_publishes_only_its_own_events(broker):
    allowed(broker["sites"], publish(EXCHANGE, "sites.site_registered", forged_site_registered()))
    refused(broker["inspections"], publish(EXCHANGE, "sites.site_registered", forged_site_registered()))
    refused(broker["indicators"], publish(EXCHANGE, "manifests.manifest_closed"))
    refused(broker["sites"], publish(EXCHANGE, "sitesx.site_registered"))


def test_the_bot_cannot_publish_an_rpc_it_never_calls(broker):
    assert "sites.issue_link_code" not in brokeracl.RPC_CALLS["bot"]
    for key in ("sites.issue_link_code", "sites.register_site", "inspections.triage_incident", "sites.*", "#"):
        refused(broker["bot"], publish(RPC, key))
    allowed(broker["bot"], publish(RPC, "sites.search_sites"))  # what it calls
    # the gateway issues link codes for signed-in staff (issue 14), never registers a site or loads a catalogue
    assert "sites.register_site" not in brokeracl.RPC_CALLS["gateway"]
    refused(broker["gateway"], publish(RPC, "sites.register_site"))
    refused(broker["gateway"], publish(RPC, "manifests.load_catalogue"))
    refused(broker["sites"], publish(RPC, "inspections.triage_incident"))  # a service neither


def test_nobody_but_the_service_reads_its_rpc_queue(broker):
    for who in ("bot", "gateway", "cli", "inspections"):
        refused(broker[who], lambda ch: ch.basic_consume("rpc-sites", callback=lambda m: None))
        refused(broker[who], lambda ch: ch.basic_get("rpc-sites"))
        refused(broker[who], lambda ch: ch.queue_declare("rpc-sites", durable=True))
        refused(broker[who], lambda ch: ch.queue_purge("rpc-sites"))
        refused(broker[who], lambda ch: ch.queue_delete("rpc-sites"))
    allowed(broker["sites"], lambda ch: ch.basic_get("rpc-sites"))


def test_no_caller_copies_the_rpc_requests_to_a_queue_of_its_own(broker):
    reply = f"rpc.reply-standalone_rpc_proxy-{uuid.uuid4()}"
    for who in ("bot", "gateway"):
        def bind_to_requests(ch, key):
            ch.queue_declare(reply, auto_delete=True)
            ch.queue_bind(reply, RPC, key)
        for key in ("sites.*", "#", "*.*"):
            refused(broker[who], lambda ch, k=key: bind_to_requests(ch, k))
        allowed(broker[who], lambda ch: bind_to_requests(ch, reply[-36:]))  # its reply queue, by its uuid


def test_nobody_publishes_through_the_default_exchange(broker):
    for who in brokeracl.COMPONENTS:
        refused(broker[who], publish("", "rpc-sites"))


def test_no_component_binds_an_exchange_into_the_public_stream(broker):
    # copying every sites.* request into langxanh.events would put RPC payloads on the public stream
    refused(broker["inspections"], lambda ch: ch.exchange_bind(destination=EXCHANGE, source=RPC, routing_key="sites.*"))
    refused(broker["bot"], lambda ch: ch.exchange_bind(destination=EXCHANGE, source=RPC, routing_key="#"))


def test_each_component_declares_and_follows_with_its_own_queues(broker):
    for who in ("bot", "gateway", "inspections"):
        def follow(ch, who=who):
            q = Queue(f"{who}.follows.sites", exchange=Exchange(EXCHANGE, type="topic", durable=True),
                      routing_key="sites.#", durable=True)(ch)
            q.declare()
            ch.basic_get(q.name)
            q.delete()
        allowed(broker[who], follow)
    refused(broker["bot"], lambda ch: ch.queue_declare("gateway.follows.sites", durable=True))
    refused(broker["bot"], lambda ch: ch.queue_declare("", exclusive=True))  # the bot has no temporary queues
    allowed(broker["gateway"], lambda ch: ch.queue_declare("", exclusive=True))  # the SSE streams
