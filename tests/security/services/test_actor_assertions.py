"""Issue 13, finding 2 (forged actors): a holder of the broker credentials cannot make a service
believe an actor no component's key vouches for, nor one its component may not assert.

The attacker speaks nameko directly (a raw standalone ClusterRpcProxy) to a sites service on
the real broker, on both stores; afterwards nothing was stored."""
import time

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.assertion import CONTEXT_KEY, Signer, signer_for
from shared.kit.client import ServiceClient
from shared.kit.config import Settings
from shared.kit.errors import Forbidden
from shared.kit.metrics import kit_metrics

ADMIN = {"id": "x", "role": "admin", "establishment": None}
SITE = {"command_id": "forged-1", "kind": "craft_village", "name": "Làng Giả", "old_district": "gia-lam"}
LINK = {"command_id": "forged-2", "role": "agency", "ttl_hours": 1}


@pytest.fixture
def sites(make_container, store_env, exchange_name):
    container = make_container(SitesService)
    container.start()
    return container


def raw_call(amqp_uri, context, method, **kwargs):
    """What any holder of the broker credentials can do: nameko's own client, any context data."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, context_data=context, timeout=10) as proxy:
        return getattr(proxy.sites, method)(**kwargs)


def nothing_stored(amqp_uri):
    with ServiceClient(amqp_uri=amqp_uri, timeout=10) as cli:  # the CLI's key, role system
        assert cli.sites.ping()["log_head"] == 0
        assert cli.sites.events_since(position=0, limit=10) == []


def refusals(rule):
    return kit_metrics().errors.labels("sites", f"actor:{rule}")._value.get()


def refused(amqp_uri, context, method, kwargs, rule):
    before = refusals(rule)
    with pytest.raises(Forbidden) as e:
        raw_call(amqp_uri, context, method, **kwargs)
    assert (e.value.field, e.value.rule) == ("actor", rule), e.value.message
    assert refusals(rule) == before + 1  # counted in langxanh_errors_total


def test_an_unsigned_admin_actor_is_refused_and_nothing_is_stored(sites, amqp_uri):
    refused(amqp_uri, {"actor": ADMIN}, "register_site", SITE, "required")
    refused(amqp_uri, {"actor": ADMIN}, "issue_link_code", LINK, "required")
    refused(amqp_uri, {}, "ping", {}, "required")  # every entrypoint, not only those reading the actor
    nothing_stored(amqp_uri)


def test_a_forged_or_garbled_signature_is_refused(sites, amqp_uri):
    forger = Signer("cli", b"0" * 64)  # the CLI may assert admin, but this is not the CLI's key
    assertion = forger.sign(Actor("x", "admin"), "sites", "register_site", (), SITE)
    refused(amqp_uri, {"actor": ADMIN, CONTEXT_KEY: assertion}, "register_site", SITE, "signature")
    refused(amqp_uri, {"actor": ADMIN, CONTEXT_KEY: "v1.cli.1.2.3"}, "register_site", SITE, "signature")
    refused(amqp_uri, {"actor": ADMIN, CONTEXT_KEY: "v1.cli.x"}, "register_site", SITE, "malformed")
    refused(amqp_uri, {"actor": ADMIN, CONTEXT_KEY: "v1.nobody.1.2.3"}, "issue_link_code", LINK, "unknown_component")
    nothing_stored(amqp_uri)


def test_the_bot_may_not_assert_admin_or_system_but_may_assert_a_resident(sites, amqp_uri):
    for role in ("admin", "system"):
        with ServiceClient(actor=Actor("x", role), amqp_uri=amqp_uri, timeout=10, component="bot") as bot:
            with pytest.raises(Forbidden) as e:
                bot.sites.register_site(**SITE)
            assert (e.value.field, e.value.rule) == ("actor", "role_not_allowed_for_component")
            with pytest.raises(Forbidden) as e:
                bot.call("sites", "issue_link_code", **LINK)
            assert e.value.rule == "role_not_allowed_for_component"
    nothing_stored(amqp_uri)
    with ServiceClient(actor=Actor("resident-1", "resident"), amqp_uri=amqp_uri, timeout=10, component="bot") as bot:
        assert bot.sites.search_sites(query="bat trang") == []  # verified, and answered
        with pytest.raises(Forbidden) as e:
            bot.sites.register_site(**SITE)
        assert e.value.field == "actor.role"  # past the assertion: the application's own role check
    with ServiceClient(actor=Actor("officer-1", "agency"), amqp_uri=amqp_uri, timeout=10, component="gateway") as gw:
        gw.sites.register_site(**SITE)  # the gateway's key vouches for agency staff
    with ServiceClient(amqp_uri=amqp_uri, timeout=10) as cli:
        assert cli.sites.ping()["log_head"] == 1


def test_an_assertion_is_bound_to_its_time_method_arguments_and_actor(sites, amqp_uri):
    bot = signer_for(Settings(), "bot")  # the bot's real key
    agency = Actor("officer-1", "agency")
    context = {"actor": agency.to_dict()}
    window = Settings().actor_assertion_window

    old = Signer("bot", bot.key, clock=lambda: time.time() - window - 30)  # an assertion captured earlier
    refused(amqp_uri, {**context, CONTEXT_KEY: old.sign(agency, "sites", "register_site", (), SITE)},
            "register_site", SITE, "expired")
    for_search = bot.sign(agency, "sites", "search_sites", (), SITE)  # signed for method A ...
    refused(amqp_uri, {**context, CONTEXT_KEY: for_search}, "register_site", SITE, "signature")  # ... used for B
    other = {**SITE, "name": "Làng Khác"}
    signed = bot.sign(agency, "sites", "register_site", (), SITE)
    refused(amqp_uri, {**context, CONTEXT_KEY: signed}, "register_site", other, "signature")  # other arguments
    refused(amqp_uri, {"actor": ADMIN, CONTEXT_KEY: signed}, "register_site", SITE, "signature")  # other actor
    nothing_stored(amqp_uri)
    assert raw_call(amqp_uri, {**context, CONTEXT_KEY: signed}, "register_site", **SITE)["id"]  # the genuine call
