"""Issue 13, finding 3 — link codes cracked offline — against the real broker and both stores.

The attack, before: `link_code_issued` carried the code's id, derived from sha256(code) with a
public namespace, plus its role and establishment; with 50-bit codes valid 72 h anyone on the
public stream could try every code offline against the id, then redeem it. Now the stream and
events_since carry nothing of a link code; its id is random; the code is found by an HMAC under
the service's key; wrong codes are counted per account and lock it, across restarts."""
import hashlib
import json
import uuid

import pytest
from nameko.testing.services import entrypoint_hook

from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.errors import Forbidden, NotFound

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}
RESIDENT = Actor("tg-resident-1", "resident")
OLD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://langxanh.vn/sites")


def registry(container):
    """A site with an enterprise (the code binds to it) and a last, unrelated event as a marker."""
    with entrypoint_hook(container, "register_site", context_data=AGENCY) as register:
        site = register(kind="industrial_cluster", name="CCN Phú Thị", old_district="gia-lam")
    with entrypoint_hook(container, "register_establishment", context_data=AGENCY) as register_establishment:
        firm = register_establishment(site_id=site["id"], name="Công ty Gốm Minh Long", form="enterprise",
                                      registration_code="0101234567", trades=["gốm"], hw_generator=True)
    return site, firm


def test_a_link_code_leaves_nothing_on_the_stream_or_in_events_since(make_container, store_env, tap, amqp_uri):
    container = make_container(SitesService)
    container.start()
    site, firm = registry(container)
    with entrypoint_hook(container, "issue_link_code", context_data=AGENCY) as issue:
        issued = issue(role="business", establishment_id=firm["id"])
    with ServiceClient(actor=RESIDENT, amqp_uri=amqp_uri, timeout=10) as client:
        client.sites.redeem_link_code(code=issued["code"], account="tg-link-account-1")
    with entrypoint_hook(container, "set_wwtp", context_data=AGENCY) as set_wwtp:
        set_wwtp(site_id=site["id"], status="idle")  # published after the code's events: the relay passed them

    received = tap.drain(expect=3)
    assert [k for k, _e in received] == ["sites.site_registered", "sites.establishment_registered",
                                         "sites.site_wwtp_status_set"]
    with ServiceClient(actor=Actor("agency-x", "agency"), amqp_uri=amqp_uri, timeout=10) as client:
        replayed = client.sites.events_since(position=0, limit=100)
    assert replayed == [e for _k, e in received]
    text = json.dumps(replayed)
    assert "link_code" not in text and issued["id"] not in text and "business" not in text
    others = [e for e in replayed if not e["type"].startswith("vn.langxanh.sites.establishment_registered.")]
    assert firm["id"] not in json.dumps(others)  # the establishment only in its own registration

    # brute force from the stream: the id is not a function of the code (nor is anything published)
    code_hash = hashlib.sha256(issued["code"].replace("-", "").upper().encode()).hexdigest()
    assert issued["id"] != str(uuid.uuid5(OLD_NAMESPACE, f"link-code:{code_hash}"))
    assert uuid.UUID(issued["id"]).version == 4  # random


def test_wrong_codes_lock_the_account_even_for_the_right_code_and_across_a_restart(
        make_container, store_env, exchange_name, amqp_uri, monkeypatch):
    monkeypatch.setenv("LANGXANH_LINK_REDEEM_MAX_FAILURES", "3")
    container = make_container(SitesService)
    container.start()
    _site, firm = registry(container)
    with entrypoint_hook(container, "issue_link_code", context_data=AGENCY) as issue:
        issued = issue(role="business", establishment_id=firm["id"])
    with ServiceClient(actor=RESIDENT, amqp_uri=amqp_uri, timeout=10) as client:
        for guess in ("AAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAB", "AAAAAAAAAAAAAAAC"):
            with pytest.raises(NotFound):
                client.sites.redeem_link_code(code=guess, account="tg-guesser")
        with pytest.raises(Forbidden) as e:  # the fourth try, even with the right code: refused
            client.sites.redeem_link_code(code=issued["code"], account="tg-guesser")
        assert e.value.rule == "attempts"
    container.stop()

    restarted = make_container(SitesService)  # the count lives in the store: a restart (or a replica) keeps it
    restarted.start()
    with ServiceClient(actor=RESIDENT, amqp_uri=amqp_uri, timeout=10) as client:
        with pytest.raises(Forbidden) as e:
            client.sites.redeem_link_code(code=issued["code"], account="tg-guesser")
        assert e.value.rule == "attempts"
        # another account is not locked by the guesser, and the code is still good
        answer = client.sites.redeem_link_code(code=issued["code"].lower().replace("-", " "), account="tg-owner")
        assert answer["role"] == "business" and answer["establishment_id"] == firm["id"]
        # redeemed: the same account again (a retry) gets the same answer; anyone else is refused
        assert client.sites.redeem_link_code(code=issued["code"], account="tg-owner") == answer
        with pytest.raises(Forbidden) as e:
            client.sites.redeem_link_code(code=issued["code"], account="tg-other")
        assert e.value.rule == "once"
