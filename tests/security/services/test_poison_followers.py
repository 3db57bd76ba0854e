"""Issue 13, part "poison" (b) and (c): a follower's queue is open to anyone who may publish on the
public exchange. Garbage in it is parked (not requeued forever: catch-up still runs, health shows
the lag from the source's head and the parked count), and a forged event with the next sequence
is never applied: the follower takes a pushed message as a wake-up and applies what the source
answers. inspections follows sites (shared/directory.py SitesDirectory), on both stores."""
import pytest

from services.inspections.service import InspectionsService
from services.sites.service import SitesService
from shared.directory import SitesDirectory
from shared.health import parked as parked_cell
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from tests.security.services.poison_kit import (declare_follower_queue, delete_queues, depth, eventually, forged_site_registered,
                                                 kit_of, parked_total, publish_raw, take_all, unbind)

AGENCY = Actor("officer-1", "agency")
QUEUE = "inspections.follows.sites"


def register(client, name):  # type: ignore[no-untyped-def]
    return client.sites.register_site(kind="craft_village", name=name, old_district="gia-lam")


def follower_health(client):  # type: ignore[no-untyped-def]
    return client.inspections.ping()["followers"]["sites"]


def known_sites(container) -> dict:  # type: ignore[no-untyped-def]
    projection = kit_of(container).followers["sites"].projection
    return {r["id"]: r["name"] for r in projection.rows("SELECT id, name FROM {t:known_site}")}


@pytest.fixture(autouse=True)
def fast_catch_up(monkeypatch, amqp_uri):
    monkeypatch.setenv("LANGXANH_FOLLOW_CATCH_UP_INTERVAL", "0.3")
    delete_queues(amqp_uri, QUEUE, f"{QUEUE}.parked")


def test_garbage_in_a_follower_queue_is_parked_and_catch_up_still_runs(
        make_container, store_env, amqp_uri, exchange_name, monkeypatch):
    sites = make_container(SitesService)
    sites.start()
    with ServiceClient(actor=AGENCY, amqp_uri=amqp_uri, timeout=20) as client:
        first = register(client, "Làng Một")
        # given: garbage waiting in the follower's own queue, published as anyone on the exchange can
        declare_follower_queue(amqp_uri, exchange_name, QUEUE, "sites")
        publish_raw(amqp_uri, exchange_name, "sites.site_registered", b"\x00\xff not even text")
        publish_raw(amqp_uri, exchange_name, "sites.site_registered", {"hello": "world", "sequence": "2"})
        before = parked_total("inspections", "follow:sites", "invalid")
        inspections = make_container(InspectionsService)
        inspections.start()
        eventually(lambda: known_sites(inspections).get(first["id"]), what="the start-up catch-up")

        # when: an event the queue never receives (a lost message), and the projection fails on it
        unbind(amqp_uri, exchange_name, QUEUE, "sites")
        real_project = SitesDirectory.project
        broken = {"on": True}

        def project(self, cur, event):  # type: ignore[no-untyped-def]
            if broken["on"]:
                raise RuntimeError("the store is away")
            return real_project(self, cur, event)

        monkeypatch.setattr(SitesDirectory, "project", project)
        second = register(client, "Làng Hai")
        head = client.sites.ping()["log_head"]
        # then: the periodic catch-up runs (the garbage does not loop), and health counts the lag
        # from the source's log head, not from what was pushed
        stuck = eventually(lambda: (lambda h: h if h.get("source_head") == head else None)(follower_health(client)),
                           what="health showing the source's head")
        assert stuck["lag"] == head - stuck["position"] == 1
        broken["on"] = False
        eventually(lambda: known_sites(inspections).get(second["id"]), what="the catch-up of the lost event")
        health = eventually(lambda: (lambda h: h if h["lag"] == 0 else None)(follower_health(client)))
        assert health["position"] == head and health.get("parked") == 2
        assert parked_cell(client.inspections.ping()) == "follow:sites 2"  # the `langxanh health` table

    parked = take_all(amqp_uri, f"{QUEUE}.parked")
    assert [m.body for m in parked][0] == b"\x00\xff not even text"
    assert all("not a valid envelope" in m.headers["x-langxanh-parked-reason"] for m in parked) and len(parked) == 2
    assert depth(amqp_uri, QUEUE) == 0  # nothing left to loop on
    assert parked_total("inspections", "follow:sites", "invalid") - before == 2
    assert not inspections._died.ready()


def test_a_forged_next_sequence_event_is_not_applied_and_the_real_one_is(
        make_container, store_env, amqp_uri, exchange_name):
    sites = make_container(SitesService)
    inspections = make_container(InspectionsService)
    sites.start()
    inspections.start()
    with ServiceClient(actor=AGENCY, amqp_uri=amqp_uri, timeout=20) as client:
        first = register(client, "Làng Một")
        eventually(lambda: known_sites(inspections).get(first["id"]), what="the first site followed")
        head = client.sites.ping()["log_head"]

        # when: an attacker publishes a well-formed site_registered with the next sequence
        forged = forged_site_registered(head + 1, name="Làng Giả")
        publish_raw(amqp_uri, exchange_name, "sites.site_registered", forged)
        eventually(lambda: (lambda h: h.get("unconfirmed") or h["position"] > head)(follower_health(client)),
                   what="the forged message handled")
        # and the real event with that sequence follows
        real = register(client, "Làng Thật")
        assert client.sites.ping()["log_head"] == head + 1
        eventually(lambda: follower_health(client)["position"] == head + 1, what="the real event followed")

        # then: the directory holds the real site, never the forged one
        directory = eventually(lambda: (lambda d: d if real["id"] in d else None)(known_sites(inspections)),
                               timeout=10, what="the real site in the follower's directory")
        assert forged["subject"] not in directory
        assert directory[real["id"]] == "Làng Thật"
        assert follower_health(client)["unconfirmed"] == 1
