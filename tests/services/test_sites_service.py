"""The sites service on real RabbitMQ: entrypoints, the relay to the public exchange, typed
errors over the wire, and the actor in the context."""
import json

import pytest
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from nameko.testing.services import entrypoint_hook, replace_dependencies, worker_factory

from services.sites.application import SitesApplication
from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.errors import Forbidden, InvalidInput, NotFound
from shared.kit.store import popo_env
from tests.ports import sites_ports

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}


def test_a_thin_entrypoint_validates_and_delegates_to_the_application():
    """Each dependency is given alone (shared/kit/providers.py): a real application on POPO, a fixed actor."""
    service = worker_factory(SitesService, app=SitesApplication(env=popo_env(), ports=sites_ports()),
                             actor=Actor("officer-1", "agency"))
    answer = service.register_site(kind="craft_village", name=" Bát Tràng ", old_district="gia-lam")
    assert service.app.get_site(answer["id"])["name"] == "Bát Tràng"  # the contract stripped it
    with pytest.raises(InvalidInput) as e:
        service.register_site(kind="castle", name="x", old_district="gia-lam")
    assert e.value.field == "kind" and e.value.rule == "literal_error"


def test_one_dependency_is_replaced_in_a_running_container_and_the_rest_stays_real(make_container, store_env):
    """nameko's replace_dependencies swaps the Application alone: the entrypoint validates the
    contract, checks the role table with the real actor provider and hands the Application the
    cleaned command; nothing reaches the real store (its log stays empty)."""
    container = make_container(SitesService)
    app = replace_dependencies(container, "app")
    app.register_site.return_value = {"id": "x", "version": 1}
    container.start()
    with entrypoint_hook(container, "register_site", context_data=AGENCY) as register:
        assert register(kind="craft_village", name=" Bát Tràng ", old_district="gia-lam") == {"id": "x", "version": 1}
    [call] = app.register_site.call_args_list
    actor, command_id = call.args
    assert actor == Actor("officer-1", "agency") and call.kwargs["name"] == "Bát Tràng"
    with entrypoint_hook(container, "register_site", context_data={"actor": Actor("tg:1", "resident").to_dict()}) as r:
        with pytest.raises(Forbidden):
            r(kind="craft_village", name="Làng", old_district="gia-lam")
    assert app.register_site.call_count == 1  # the role table refused before the Application was asked
    with entrypoint_hook(container, "ping", context_data=AGENCY) as ping:
        assert ping()["log_head"] == 0  # the kit's own store is real, and untouched


def test_commands_queries_and_the_relay_on_real_rabbitmq(make_container, store_env, tap, amqp_uri):
    container = make_container(SitesService)
    container.start()
    with entrypoint_hook(container, "register_site", context_data=AGENCY) as register:
        site = register(command_id="c-1", kind="craft_village", name="Bát Tràng", trade="gốm sứ",
                        old_district="gia-lam", old_commune="Bát Tràng")
        assert register(command_id="c-1", kind="craft_village", name="Bát Tràng", old_district="gia-lam") == site
    with entrypoint_hook(container, "set_wwtp", context_data=AGENCY) as set_wwtp:
        set_wwtp(site_id=site["id"], status="idle", capacity_m3_day=400)
    with entrypoint_hook(container, "search_sites", context_data=AGENCY) as search:
        assert [s["name"] for s in search(query="BAT TRANG")] == ["Bát Tràng"]
        assert search(query="van phuc") == []

    received = tap.drain(expect=2)
    assert [k for k, _e in received] == ["sites.site_registered", "sites.site_wwtp_status_set"]
    for _key, event in received:
        JSONFormat().read(CloudEvent, json.dumps(event).encode())  # a valid CloudEvent
    assert received[0][1]["communecode"] == "gia-lam"

    # over the wire: the standalone client, the actor in the context, typed errors back
    with ServiceClient(actor=Actor("resident-9", "resident"), amqp_uri=amqp_uri, timeout=10) as client:
        assert client.sites.events_since(position=0, limit=10) == [e for _k, e in received]
        assert client.sites.events_since(1, 10) == [received[1][1]]
        with pytest.raises(Forbidden) as e:
            client.sites.register_site(kind="craft_village", name="X", old_district="gia-lam")
        assert e.value.field == "actor.role"
        with pytest.raises(NotFound):
            client.sites.get_site(site_id="7d444840-9dc0-11d1-b245-5ffdce74fad2")
        with pytest.raises(InvalidInput) as e:
            client.sites.get_site(site_id="not-a-uuid")
        assert e.value.field == "site_id"
        assert client.sites.ping()["log_head"] == 2


def test_a_business_finds_a_transporter_by_name_without_diacritics(make_container, store_env, exchange_name):
    container = make_container(SitesService)
    container.start()
    with entrypoint_hook(container, "register_site", context_data=AGENCY) as register:
        site = register(kind="industrial_cluster", name="CCN Phú Thị", old_district="gia-lam")
    licence = {"number": "1-2-3.045.VX", "waste_codes": ["16 01 06"]}
    with entrypoint_hook(container, "register_establishment", context_data=AGENCY) as register_establishment:
        carrier = register_establishment(site_id=site["id"], name="Công ty Vận tải Môi trường Đức Giang",
                                         form="enterprise", registration_code="0109998877", transporter=True,
                                         licence=licence)
        generator = register_establishment(site_id=site["id"], name="Cơ sở Đức Giang", form="enterprise",
                                           registration_code="0109998878", hw_generator=True)
    business = {"actor": Actor("tg:owner", "business", establishment=generator["id"]).to_dict()}
    with entrypoint_hook(container, "search_establishments", context_data=business) as search:
        found = search(query="duc giang", role="transporter")
        assert found == [{"id": carrier["id"], "name": "Công ty Vận tải Môi trường Đức Giang",
                          "registration_code": "0109998877", "site_id": site["id"], "transporter": True,
                          "treatment_facility": False, "licence": {"number": "1-2-3.045.VX", "date": None,
                                                                   "waste_codes": ["16 01 06"]},
                          "score": found[0]["score"]}]
        assert search(query="duc giang", role="treatment_facility") == []
        with pytest.raises(InvalidInput) as e:
            search(query="duc giang")
        assert e.value.field == "role"


def test_a_call_without_an_actor_is_refused(make_container, store_env, exchange_name):
    container = make_container(SitesService)
    container.start()
    with entrypoint_hook(container, "register_site") as register:
        with pytest.raises(Forbidden) as e:
            register(kind="craft_village", name="X", old_district="gia-lam")
    assert e.value.field == "actor"
