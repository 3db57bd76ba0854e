"""Issue 13, authorisation and free text over the real broker, on both stores: the sites,
inspections and manifests services in containers; a rejected incident and a rejected manifest
whose reasons carry a marker reach an agency's queue without it (the chosen codes instead);
facility 2 cannot receive before facility 1; a business cannot agree its discrepancy alone; and
the public role's whole row of the manifests matrix, called over the wire."""
from __future__ import annotations

import json

import pytest

from services.inspections.service import InspectionsService
from services.manifests.service import ManifestsService
from services.sites.service import SitesService
from shared.kit.actor import Actor, Role
from shared.kit.client import ServiceClient
from shared.kit.errors import Forbidden, LangXanhError
from tests.security.authz_world import LINE, manifest_payloads
from tests.security.free_text import MARKER
from tests.services import badinput, helpers

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}
INSPECTOR = {"actor": Actor("insp-1", "inspector").to_dict()}
RESIDENT = {"actor": Actor("tg:resident-1", "resident").to_dict()}


def call(container, rpc_name, context=AGENCY, **payload):
    return badinput.call(container, rpc_name, payload, context)


def as_(role, establishment):
    return {"actor": Actor(f"tg:{role}:{establishment[:4]}", role, establishment=establishment).to_dict()}


until = helpers.until_parties_known


@pytest.fixture
def world(make_container, store_env, exchange_name, tap):
    sites = make_container(SitesService)
    sites.start()
    site = call(sites, "register_site", kind="industrial_cluster", name="CCN Phú Thị", old_district="gia-lam")["id"]

    def est(name, code, **flags):
        return call(sites, "register_establishment", site_id=site, name=name, form="enterprise",
                    registration_code=code, **flags)["id"]

    licence = {"number": "XL-01", "waste_codes": ["16 01 06"]}
    ids = {"site": site, "g": est("Công ty Mạ kẽm", "G-1", hw_generator=True),
           "t": est("Vận tải Xanh", "T-1", transporter=True, licence={"number": "VC-01", "waste_codes": []}),
           "f1": est("Xử lý Một", "F-1", treatment_facility=True, licence=licence),
           "f2": est("Xử lý Hai", "F-2", treatment_facility=True, licence=licence)}
    inspections, manifests = make_container(InspectionsService), make_container(ManifestsService)
    inspections.start()
    manifests.start()
    return inspections, manifests, ids


def in_transit(manifests, ids, number, facility_2=None):
    gen, tr = as_("business", ids["g"]), as_("transporter", ids["t"])
    m = until(lambda: call(manifests, "create_manifest", gen, generator_id=ids["g"], number=number,
                           transporters=[ids["t"]], facility_1=ids["f1"], facility_2=facility_2,
                           vehicle_plate="29C-123.45", lines=[LINE], planned_date="2026-03-03"))
    call(manifests, "sign_handover", gen, manifest_id=m["id"])
    call(manifests, "sign_pickup", tr, manifest_id=m["id"])
    return m["id"]


def test_rejection_reasons_reach_no_subscriber_and_the_manifest_order_holds(world, tap):
    inspections, manifests, ids = world
    incident = until(lambda: call(inspections, "report_incident", RESIDENT, category="dust", description="Bụi",
                                  site_id=ids["site"]))["id"]
    call(inspections, "reject_incident", INSPECTOR, incident_id=incident, reason=MARKER,
         reason_code="outside_jurisdiction")
    fac1, fac2, gen = as_("treatment_facility", ids["f1"]), as_("treatment_facility", ids["f2"]), as_("business", ids["g"])
    refused = in_transit(manifests, ids, "CT-REJ")
    call(manifests, "reject", fac1, manifest_id=refused, reason=MARKER, reason_code="not_permitted", number="CT-REJ-R")

    # facility 2 before facility 1: refused, nothing recorded
    early = in_transit(manifests, ids, "CT-F2", facility_2=ids["f2"])
    with pytest.raises(Forbidden) as e:
        call(manifests, "receive", fac2, manifest_id=early, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 100}])
    assert e.value.rule == "turn"
    assert call(manifests, "get_manifest", fac2, manifest_id=early)["state"] == "in_transit"
    # a business alone does not agree its discrepancy
    disputed = in_transit(manifests, ids, "CT-DIS")
    call(manifests, "receive", fac1, manifest_id=disputed, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 200}])
    call(manifests, "resolve_discrepancy", gen, manifest_id=disputed, outcome="agreed", note="ok")
    assert call(manifests, "get_manifest", gen, manifest_id=disputed)["discrepancy"]["state"] == "open"

    events = tap.drain(expect=26)
    keys = [k for k, _ in events]
    assert "inspections.incident_rejected" in keys and "manifests.manifest_rejected" in keys, keys
    assert "manifests.manifest_discrepancy_accepted" in keys and "manifests.manifest_discrepancy_resolved" not in keys
    assert MARKER not in json.dumps(events, ensure_ascii=False)
    codes = {k: e["data"].get("reason_code") for k, e in events if k.endswith("_rejected")}
    assert codes == {"inspections.incident_rejected": "outside_jurisdiction", "manifests.manifest_rejected": "not_permitted"}
    assert call(inspections, "get_incident", INSPECTOR, incident_id=incident)["rejection"] == MARKER  # staff still read it


def test_the_public_row_of_the_manifests_matrix_over_the_wire(world, amqp_uri):
    _, manifests, ids = world
    mid = in_transit(manifests, ids, "CT-PUB")
    payloads = manifest_payloads(ids["g"], ids["t"], ids["f1"], mid)
    table = ManifestsService.access
    assert set(payloads) == set(table)
    answered = []
    with ServiceClient(actor=Actor("gateway:public", Role.PUBLIC), amqp_uri=amqp_uri, timeout=20) as client:
        for rpc, payload in sorted(payloads.items()):
            try:
                client.call("manifests", rpc, **payload)
                answered.append(rpc)
            except Forbidden as e:
                assert Role.PUBLIC not in table[rpc] and e.rule == "role", (rpc, e)
            except LangXanhError as e:  # admitted, refused for what it asked
                assert Role.PUBLIC in table[rpc], (rpc, e)
        assert client.manifests.ping()["log_head"] > 0
    assert sorted(answered) == sorted(rpc for rpc in table if Role.PUBLIC in table[rpc]) == \
        ["events_since", "ping", "waste_catalogue"]
