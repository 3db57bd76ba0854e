"""Bad input on every RPC of sites: wrong types, missing fields, 10 MB strings, unknown enum
values, unknown ids, wrong role → a typed error naming the field; nothing stored, no event."""
import base64
import hashlib
import uuid

import pytest
from nameko.testing.services import entrypoint_hook

from tests.services import badinput
from tests.services.badinput import BIG, log_head

from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.errors import Forbidden, InvalidInput, LangXanhError, NotFound

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}
RESIDENT = {"actor": Actor("resident-1", "resident").to_dict()}
EVIDENCE_PDF = b"%PDF-1.4\n%%EOF\n"
UNKNOWN = str(uuid.UUID(int=12345))


def valid_payloads(site_id, establishment_id):
    """A valid payload per RPC (so that a single bad field is the only thing wrong)."""
    return {
        "register_site": dict(kind="craft_village", name="Làng mới", old_district="gia-lam"),
        "amend_site": dict(site_id=site_id, changes={"households": 10}),
        "recognise_site": dict(site_id=site_id, decision="QĐ 1", recognised_on="2020-01-01", legal_basis="NĐ 52"),
        "withdraw_recognition": dict(site_id=site_id, decision="2546/QĐ-UBND", effective="2023-04-28",
                                     legal_basis="QĐ 2546"),
        "classify_site": dict(site_id=site_id, classified_on="2024-01-01", water="severe", air="polluted",
                              soil="not_polluted", assessor="Sở", legal_basis="QĐ 2546"),
        "set_condition": dict(site_id=site_id, item="drainage", state="met", checked_on="2025-01-01"),
        "set_wwtp": dict(site_id=site_id, status="planned"),
        "record_reform": dict(entries=[{"site_id": site_id, "commune": "xa-bat-trang"}]),
        "deactivate_site": dict(site_id=site_id, reason="trùng"),
        "register_establishment": dict(site_id=site_id, name="Cơ sở B", form="enterprise", registration_code="B-2"),
        "amend_establishment": dict(establishment_id=establishment_id, changes={"name": "Cơ sở A2"}),
        "issue_link_code": dict(role="business", establishment_id=establishment_id),
        "redeem_link_code": dict(code="ABCDEFGH", account="tg:1"),
        "get_site": dict(site_id=site_id),
        "search_sites": dict(query="bat"),
        "search_establishments": dict(query="co so", role="transporter"),
        "list_sites": dict(),
        "site_establishments": dict(site_id=site_id),
        "site_history": dict(site_id=site_id),
        "get_establishment": dict(establishment_id=establishment_id),
        "staff_sites": dict(query="bat", communes=["gia-lam"], wwtp="unset"),
        "staff_establishments": dict(site_id=site_id, query="co so", role="hw_generator"),
        "site_as_of": dict(site_id=site_id, at="2030-01-01"),
        "store_evidence": dict(data_b64=base64.b64encode(EVIDENCE_PDF).decode()),
        "get_evidence": dict(evidence_file=hashlib.sha256(EVIDENCE_PDF).hexdigest()),
        "events_since": dict(position=0, limit=10), "audit_trail": dict(actor="officer-1", limit=10),
    }


COMMANDS = {"register_site", "amend_site", "recognise_site", "classify_site", "set_condition", "set_wwtp",
            "record_reform", "deactivate_site", "register_establishment", "amend_establishment", "issue_link_code",
            "withdraw_recognition"}


@pytest.fixture
def world(make_container, store_env, exchange_name, tap):
    container = make_container(SitesService)
    container.start()
    with entrypoint_hook(container, "register_site", context_data=AGENCY) as register:
        site = register(kind="craft_village", name="Bát Tràng", old_district="gia-lam")
    with entrypoint_hook(container, "register_establishment", context_data=AGENCY) as reg:
        est = reg(site_id=site["id"], name="Cơ sở A", form="enterprise", registration_code="A-1")
    tap.drain(expect=2)
    return container, site["id"], est["id"]


def call(container, method, payload, context=AGENCY):
    return badinput.call(container, method, payload, context)


def test_every_kind_of_bad_input_on_every_rpc_is_a_typed_error_and_changes_nothing(world, tap):
    container, site_id, est_id = world
    cases = badinput.assert_every_bad_input_refused(container, SitesService, valid_payloads(site_id, est_id), AGENCY)
    assert cases > 150
    assert tap.drain(expect=1, timeout=1.0)[2:] == []  # no event published


def test_unknown_ids_and_wrong_roles_are_refused_and_change_nothing(world, tap):
    container, site_id, est_id = world
    valid = valid_payloads(site_id, est_id)
    head = log_head(container)
    for method, payload in valid.items():
        for key in ("site_id", "establishment_id"):
            if key in payload:
                with pytest.raises(NotFound):
                    call(container, method, {**payload, key: UNKNOWN})
        if method in COMMANDS:
            with pytest.raises(Forbidden) as e:
                call(container, method, payload, RESIDENT)
            assert e.value.field == "actor.role"
    with pytest.raises(NotFound):
        call(container, "record_reform", {"entries": [{"site_id": UNKNOWN, "commune": "xa-x"}]})
    with pytest.raises(InvalidInput) as e:
        call(container, "register_site", valid["register_site"], {"actor": {"id": "x", "role": "superuser"}})
    assert e.value.field == "actor.role"
    with pytest.raises(Forbidden) as e:
        call(container, "register_site", valid["register_site"], {"actor": "not an actor"})
    assert e.value.field == "actor"
    assert log_head(container) == head
    # a wrong link code changes nothing public; it counts against the account (issue 13): private events only
    with pytest.raises(NotFound):
        call(container, "redeem_link_code", valid["redeem_link_code"], RESIDENT)
    with entrypoint_hook(container, "events_since", context_data=AGENCY) as events_since:
        assert [e["sequence"] for e in events_since(position=head, limit=10)] == []
    assert log_head(container) == head + 2  # RedeemGuard opened, failure counted: never published
    assert tap.drain(expect=3, timeout=1.0)[2:] == []


def test_over_the_wire_a_10_mb_string_is_refused_with_the_same_error_class(world, amqp_uri):
    container, site_id, _ = world
    with ServiceClient(actor=Actor("officer-1", "agency"), amqp_uri=amqp_uri, timeout=60) as client:
        with pytest.raises(InvalidInput) as e:
            client.sites.register_site(kind="craft_village", name=BIG, old_district="gia-lam")
        assert e.value.field == "name" and e.value.rule == "string_too_long"
        with pytest.raises(LangXanhError):
            client.sites.set_wwtp(site_id=site_id, status="exploded")
        assert client.sites.ping()["log_head"] == 2
