"""The inspections service on real RabbitMQ beside sites: it follows the sites stream with the
kit's follower, stores photos without EXIF, and refuses bad input on every RPC."""
import base64
import io
import uuid

import pytest
from PIL import Image

from services.inspections.service import InspectionsService
from services.sites.service import SitesService
from shared import reference
from shared.kit.actor import Actor
from shared.kit.errors import Forbidden
from tests.services import badinput
from tests.services.helpers import until

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}
INSPECTOR = {"actor": Actor("insp-1", "inspector").to_dict()}
RESIDENT = {"actor": Actor("tg:resident-a", "resident").to_dict()}


def call(container, rpc_name, context=AGENCY, **payload):
    return badinput.call(container, rpc_name, payload, context)


def jpeg_with_exif():
    img = Image.new("RGB", (12, 12), (30, 60, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def both(make_container, store_env, exchange_name, tap):
    sites = make_container(SitesService)
    sites.start()
    site = call(sites, "register_site", kind="craft_village", name="Bát Tràng", old_district="gia-lam",
                old_commune="Bát Tràng")
    call(sites, "record_reform", entries=[{"site_id": site["id"], "commune": "xa-bat-trang"}])
    firm = call(sites, "register_establishment", site_id=site["id"], name="Công ty Gốm", form="enterprise",
                registration_code="0101")
    inspections = make_container(InspectionsService)
    inspections.start()
    return sites, inspections, site["id"], firm["id"]


def test_inspections_follows_sites_cold_and_live_and_publishes_with_the_commune(both, tap):
    sites, inspections, site_id, firm_id = both
    photo = call(inspections, "store_photo", RESIDENT, data_b64=jpeg_with_exif())["photo"]
    report = until(lambda: call(inspections, "report_incident", RESIDENT, category="wastewater",
                                description="Nước thải đen", site_id=site_id, photos=[photo],
                                address="Ngõ 5 thôn Giang Cao"))
    assert report["ticket"].startswith("PA-")
    # a site registered after inspections started reaches it through its durable queue
    late = call(sites, "register_site", kind="industrial_cluster", name="CCN Mới", old_district="dong-anh")
    until(lambda: call(inspections, "report_incident", RESIDENT, category="dust", description="Bụi mù mịt",
                       site_id=late["id"]))
    events = tap.drain(expect=7)
    reported = [e for k, e in events if k == "inspections.incident_reported"]
    assert reported and reported[0]["communecode"] == "xa-bat-trang"
    assert "Nước thải đen" not in str(reported) and "tg:resident-a" not in str(reported)
    assert "Giang Cao" not in str(events)  # the address is for the reporter and staff only
    assert call(inspections, "get_incident", RESIDENT, incident_id=report["id"])["address"] == "Ngõ 5 thôn Giang Cao"
    assert "address" not in call(inspections, "get_incident", {"actor": Actor("tg:resident-b", "resident").to_dict()},
                                 incident_id=report["id"])
    with pytest.raises(Forbidden):
        call(inspections, "list_incidents", RESIDENT)
    counts = call(inspections, "site_incident_counts", RESIDENT, site_id=site_id)
    assert counts["total"] == 1 and counts["by_category"] == {"wastewater": 1}
    mine = call(inspections, "my_incidents", RESIDENT)
    assert len(mine) == 2 and report["id"] in {m["id"] for m in mine}
    assert all("reporter" not in m for m in mine)


def test_every_kind_of_bad_input_on_every_inspections_rpc(both):
    sites, inspections, site_id, firm_id = both
    report = until(lambda: call(inspections, "report_incident", RESIDENT, category="noise", description="Ồn ào",
                                site_id=site_id))
    ins = call(inspections, "schedule_inspection", INSPECTOR, kind="unannounced", scheduled_for="2026-03-06",
               site_id=site_id, incident_ids=[report["id"]])
    entry = next(e for e in reference.load("sanctions_decree45.json")["entries"] if e["article"] == 15)
    fine = 2 * entry["band_individual_vnd"]["min"]
    violation = call(inspections, "record_violation", INSPECTOR, establishment_id=firm_id, catalogue_code=entry["code"],
                     description="x", offender_type="organisation", fine_vnd=fine)
    photo = "a" * 64
    valid = {
        "store_photo": dict(data_b64=jpeg_with_exif()),
        "report_incident": dict(category="dust", description="Bụi", site_id=site_id),
        "add_information": dict(incident_id=report["id"], text="thêm"),
        "reopen_incident": dict(incident_id=report["id"], reason="lại", photo=photo),
        "triage_incident": dict(incident_id=report["id"], category="noise", priority="low"),
        "reject_incident": dict(incident_id=report["id"], reason="không"),
        "merge_incident": dict(incident_id=report["id"], into=str(uuid.uuid4())),
        "assign_incident": dict(incident_id=report["id"], unit="Đội 1"),
        "verify_incident": dict(incident_id=report["id"], finding="ok"),
        "resolve_incident": dict(incident_id=report["id"]),
        "close_incident": dict(incident_id=report["id"], reason="xong"),
        "get_incident": dict(incident_id=report["id"]),
        "suggest_duplicates": dict(incident_id=report["id"]),
        "staff_inbox": dict(states=["reported"], communes=["xa-bat-trang"]),
        "incident_history": dict(incident_id=report["id"]),
        "incident_photo": dict(incident_id=report["id"], photo=photo),
        "my_incidents": dict(),
        "my_tasks": dict(offset=0, limit=5),
        "incident_assignee": dict(incident_id=report["id"]),
        "list_incidents": dict(),
        "site_incident_counts": dict(site_id=site_id),
        "add_plan_item": dict(year=2026, ref="KH-1", site_id=site_id),
        "get_plan": dict(year=2026),
        "schedule_inspection": dict(kind="unannounced", scheduled_for="2026-03-06", site_id=site_id,
                                    incident_ids=[report["id"]]),
        "conduct_inspection": dict(inspection_id=ins["id"], conducted_on="2026-03-06", team=["a"], findings="f"),
        "conclude_inspection": dict(inspection_id=ins["id"], summary="s"),
        "cancel_inspection": dict(inspection_id=ins["id"], reason="r"),
        "get_inspection": dict(inspection_id=ins["id"]),
        "sanction_catalogue": dict(),
        "record_violation": dict(establishment_id=firm_id, catalogue_code=entry["code"], description="x",
                                 offender_type="organisation", fine_vnd=fine),
        "decide_sanction": dict(violation_id=violation["id"], decision_number="QĐ 1", decided_on="2026-03-06",
                                fine_vnd=fine, authority="commune_chair"),
        "submit_evidence": dict(violation_id=violation["id"], text="done"),
        "review_evidence": dict(violation_id=violation["id"], accepted=True, note="ok"),
        "get_violation": dict(violation_id=violation["id"]),
        "list_violations": dict(),
        "plan_quarter": dict(year=2026, quarter=1), "list_inspections": dict(year=2026, quarter=1),
        "evaluate_samples": dict(site_id=site_id, on="2026-03-06",
                                 samples=[{"parameter": "COD", "value": 300, "unit": "mg/L"}]),
        "inspection_violations": dict(inspection_id=ins["id"]), "overdue_measures": dict(on="2026-03-06"),
        "events_since": dict(position=0, limit=10), "audit_trail": dict(actor="officer-1", limit=10),
        # the reports establishments owe (services/inspections/report_rpc.py)
        "store_report_document": dict(data_b64=base64.b64encode(b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
                                                                ).decode()),
        "file_annual_report": dict(establishment_id=firm_id, year=2025, document=photo),
        "file_monitoring_results": dict(establishment_id=firm_id, sampled_on="2026-03-06",
                                        samples=[{"parameter": "COD", "value": 30, "unit": "mg/L"}]),
        "set_infrastructure_owner": dict(establishment_id=firm_id, owner=True),
        "reporting_year": dict(establishment_id=firm_id, year=2025), "owed_reports": dict(year=2025),
    }
    cases = badinput.assert_every_bad_input_refused(inspections, InspectionsService, valid, INSPECTOR,
                                                    judged_as={"store_report_document": {"data_b64": "document"}})
    assert cases > 200
