"""The manifests service on real RabbitMQ beside sites: it learns generators, transporters,
facilities and their licences from the sites stream, runs a whole lifecycle over RPC, publishes
with the generator's commune, and refuses bad input on every RPC."""
import pytest

from services.manifests.service import ManifestsService
from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.errors import InvalidInput
from tests.services import badinput, helpers

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}
ADMIN = {"actor": Actor("admin-1", "admin").to_dict()}


def call(container, rpc_name, context=AGENCY, **payload):
    return badinput.call(container, rpc_name, payload, context)


def as_(role, establishment):
    return {"actor": Actor(f"tg:{role}", role, establishment=establishment).to_dict()}


until = helpers.until_parties_known


@pytest.fixture
def world(make_container, store_env, exchange_name, tap):
    sites = make_container(SitesService)
    sites.start()
    site = call(sites, "register_site", kind="industrial_cluster", name="CCN Phú Thị", old_district="gia-lam")
    call(sites, "record_reform", entries=[{"site_id": site["id"], "commune": "xa-phu-thi"}])

    def est(name, code, **flags):
        return call(sites, "register_establishment", site_id=site["id"], name=name, form="enterprise",
                    registration_code=code, **flags)["id"]

    g = est("Công ty Mạ kẽm", "G-1", hw_generator=True)
    t = est("Vận tải Xanh", "T-1", transporter=True, licence={"number": "VC-01", "waste_codes": []})
    f = est("Xử lý Môi trường", "F-1", treatment_facility=True, licence={"number": "XL-01", "waste_codes": ["16 01 06"]})
    manifests = make_container(ManifestsService)
    manifests.start()
    return manifests, g, t, f


LINE = {"line": 1, "code": "16 01 06", "name": "Bóng đèn huỳnh quang thải", "state": "solid", "packaging": "thùng",
        "quantity_kg": 120.5, "method": "thiêu đốt"}


def test_a_whole_lifecycle_over_rpc_with_the_generator_commune(world, tap):
    manifests, g, t, f = world
    gen, tr, fac = as_("business", g), as_("transporter", t), as_("treatment_facility", f)
    m = until(lambda: call(manifests, "create_manifest", gen, generator_id=g, number="CT-2026-001", transporters=[t],
                           facility_1=f, vehicle_plate="29C-123.45", lines=[LINE], planned_date="2026-03-03"))
    call(manifests, "sign_handover", gen, manifest_id=m["id"])
    assert [x["number"] for x in call(manifests, "my_manifests", tr, awaiting_only=True)] == ["CT-2026-001"]
    call(manifests, "bulk_sign", tr, manifest_ids=[m["id"]], step="pickup")
    call(manifests, "receive", fac, manifest_id=m["id"], measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 120}])
    call(manifests, "treat", fac, manifest_id=m["id"], method="thiêu đốt", treated_on="2026-01-02")
    call(manifests, "return_copy4", gen, manifest_id=m["id"])
    assert call(manifests, "close_manifest", gen, manifest_id=m["id"])["state"] == "closed"
    events = [e for k, e in tap.drain(expect=20) if k.startswith("manifests.")]
    assert [e["type"].split(".")[3] for e in events] == [
        "manifest_drafted", "manifest_signed_by_generator", "manifest_signed_by_transporter", "manifest_received",
        "manifest_treated", "manifest_copy4_returned", "manifest_closed"]
    assert {e["communecode"] for e in events} == {"xa-phu-thi"}
    assert "29C-123.45" not in str(events)
    # the staff's list, wired as the service wires it: the generator's new commune or old district
    for communes, total in ((["xa-phu-thi"], 1), (["gia-lam"], 1), (["nowhere"], 0), ([], 1)):
        assert call(manifests, "staff_manifests", communes=communes, state="closed")["total"] == total, communes
    assert call(manifests, "staff_mass_balances", year=2026)["items"][0]["treated_kg"] == 120


def test_every_kind_of_bad_input_on_every_manifests_rpc(world):
    manifests, g, t, f = world
    gen = as_("business", g)
    m = until(lambda: call(manifests, "create_manifest", gen, generator_id=g, number="CT-1", transporters=[t],
                           facility_1=f, vehicle_plate="29C-123.45", lines=[LINE], planned_date="2026-03-03"))
    mid = m["id"]
    valid = {
        "create_manifest": dict(generator_id=g, number="CT-2", transporters=[t], facility_1=f, vehicle_plate="29C-1",
                                lines=[LINE], planned_date="2026-03-03"),
        "sign_handover": dict(manifest_id=mid), "sign_pickup": dict(manifest_id=mid),
        "receive": dict(manifest_id=mid, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 1}]),
        "resolve_discrepancy": dict(manifest_id=mid, outcome="agreed", note="ok"),
        "reject": dict(manifest_id=mid, reason="x", number="CT-R"),
        "treat": dict(manifest_id=mid, method="x", treated_on="2026-01-01"),
        "return_copy4": dict(manifest_id=mid), "close_manifest": dict(manifest_id=mid),
        "cancel_manifest": dict(manifest_id=mid, reason="x"),
        "correct": dict(manifest_id=mid, changes={"vehicle_plate": "29C-2"}, reason="x"),
        "sign_again": dict(manifest_id=mid),
        "bulk_sign": dict(manifest_ids=[mid], step="pickup"),
        "declare_stock": dict(generator_id=g, year=2026, code="16 01 06", quantity_kg=1, stored_since="2026-01-01"),
        "load_catalogue": dict(version="v2", title="t", source="s", codes=[{"code": "16 01 06", "name_vi": "x"}]),
        "get_manifest": dict(manifest_id=mid), "my_manifests": dict(),
        "mass_balance": dict(generator_id=g, year=2026), "waste_catalogue": dict(),
        "staff_manifests": dict(state="draft", flag="copy4_overdue", communes=["gia-lam"]),
        "staff_flag_counts": dict(communes=["gia-lam"]), "staff_stock_overdue": dict(communes=["gia-lam"]),
        "staff_mass_balances": dict(year=2026, communes=["gia-lam"]),
        "events_since": dict(position=0, limit=10), "audit_trail": dict(actor="officer-1", limit=10),
    }
    cases = badinput.assert_every_bad_input_refused(manifests, ManifestsService, valid, ADMIN)
    assert cases > 130
    with pytest.raises(InvalidInput) as e:
        call(manifests, "create_manifest", gen, **dict(valid["create_manifest"], lines=[dict(LINE, code="99 99 99")]))
    assert e.value.rule == "catalogue"
