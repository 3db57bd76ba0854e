"""A small world for the authorisation and free-text tests (issue 13, part "authz"): the four
service applications on one store, wired as their services wire them, a site with a generator,
another generator, a transporter and two facilities, an incident, an inspection, a violation, a
manifest and a report — and each service class instantiated over a fake kit that carries them, so
an RPC entrypoint runs exactly as nameko runs it (contract, role table, application)."""
from __future__ import annotations

import base64
import io
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

from PIL import Image

from services.indicators.application import IndicatorsApplication
from services.indicators.drill import ReportsIndex
from services.indicators.service import IndicatorsService
from services.indicators.views import IndicatorFacts
from services.inspections.application import InspectionsApplication
from services.inspections.service import InspectionsService
from services.inspections.views import InspectionsViews
from services.manifests.application import ManifestsApplication
from services.manifests.listing import ManifestsListing
from services.manifests.service import ManifestsService
from services.manifests.views import ManifestsViews
from services.sites.application import SitesApplication, local_today
from services.sites.service import SitesService
from services.sites.evidence import EvidenceShelf
from services.sites.views import SitesViews
from shared import reference
from shared.kit.actor import Actor, Role
from shared.kit.audit import AuditTrail
from shared.kit.blobs import BlobStore
from services.inspections.photos import PhotoShelf
from shared.kit.public import PublicMapper
from shared.kit.sql import Db
from tests.history import History
from tests.ports import indicators_ports, on_store, sites_ports

SERVICES = {"sites": SitesService, "inspections": InspectionsService, "manifests": ManifestsService,
            "indicators": IndicatorsService}
LINE = {"line": 1, "code": "16 01 06", "name": "Bóng đèn huỳnh quang thải", "state": "solid", "packaging": "thùng",
        "quantity_kg": 100.0, "method": "thiêu đốt"}
ADMIN = Actor("adm", Role.ADMIN)
AGENCY = Actor("agency-1", Role.AGENCY)
INSPECTOR = Actor("insp-1", Role.INSPECTOR)
RESIDENT = Actor("tg:resident-1", Role.RESIDENT)
STAFF_NOTE = "ghi chú nội bộ của cán bộ"  # staff's own words in the registry
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_b64() -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 10)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


class FakeKit:
    """What the kit answers an entrypoint (shared/kit/nameko_glue.Kit: backfill, health, the audit
    trail), over the world's application and read models."""

    def __init__(self, service: str, app: Any, views: Any, settings: Any, actor: Actor) -> None:
        self.app, self.views, self.settings, self.actor = app, views, settings, actor
        self.provider = self
        self.mapper = PublicMapper(service, app, SERVICES[service].kit.contracts, place=getattr(app, "place_of", None))
        self.audit = AuditTrail(Db.of(app), app, service)  # as ServiceKit builds it

    def events_since(self, position: int, limit: int) -> list[dict]:
        return self.mapper.events_since(position, limit)

    def health(self) -> dict:
        return {"log_head": self.app.log_head()}


class World:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.clock = lambda: datetime.now(timezone.utc)  # the indicators date facts by the log's own time
        self.sites = on_store(SitesApplication, "sites", settings, lambda _: sites_ports(
            evidence=EvidenceShelf.of(settings)), clock=self.clock)  # its evidence shelf, as the service builds it
        inspections, manifests = History.ports(self.sites)  # directory, catalogue, limits
        blobs = BlobStore(settings.data_dir / "blobs")
        self.inspections = on_store(InspectionsApplication, "inspections", settings, lambda store: replace(
            inspections, views=InspectionsViews(store.db, store), blobs=blobs,
            photos=PhotoShelf.of(store, blobs, settings)), clock=self.clock)  # as its bootstrap builds them
        self.manifests = on_store(ManifestsApplication, "manifests", settings, lambda store: replace(
            manifests, views=ManifestsViews(store.db, store), listing=ManifestsListing(store.db, store)),
            clock=self.clock)
        self.indicators = on_store(IndicatorsApplication, "indicators", settings, lambda store: indicators_ports(
            facts=IndicatorFacts(store.db), reports=ReportsIndex(store.db, store)), clock=self.clock)
        self.history = History(self.sites, self.inspections, self.manifests)
        self.views = {"sites": SitesViews(Db.of(self.sites), self.sites), "inspections": self.inspections.views,
                      "manifests": self.manifests.views, "indicators": self.indicators.drill.reports}
        self.apps = {"sites": self.sites, "inspections": self.inspections, "manifests": self.manifests,
                     "indicators": self.indicators}
        self._populate()

    def close(self) -> None:
        for app in self.apps.values():
            app.close()

    # -- the story every test starts from ---------------------------------------------------------
    def _populate(self) -> None:
        s = self.sites
        self.site = s.register_site(AGENCY, None, kind="industrial_cluster", name="CCN Phú Thị",
                                    old_district="gia-lam")["id"]
        s.record_reform(AGENCY, None, [{"site_id": self.site, "commune": "xa-phu-thi"}], date(2025, 7, 1), "NQ 1656")
        s.set_wwtp(AGENCY, None, self.site, "planned", note=STAFF_NOTE)
        self.evidence_file = s.evidence.store(EVIDENCE_PDF)["evidence_file"]
        est = lambda name, code, **kw: s.register_establishment(  # noqa: E731
            AGENCY, None, site_id=self.site, name=name, form="enterprise", registration_code=code, trades=[], **kw)["id"]
        licence = {"number": "XL-01", "waste_codes": ["16 01 06"]}
        self.g = est("Công ty Mạ kẽm", "G-1", hw_generator=True)
        self.g2 = est("Công ty Sơn", "G-2", hw_generator=True)
        self.t = est("Vận tải Xanh", "T-1", transporter=True, licence={"number": "VC-01", "waste_codes": []})
        self.t2 = est("Vận tải Đỏ", "T-2", transporter=True, licence={"number": "VC-02", "waste_codes": []})
        self.f1 = est("Xử lý Một", "F-1", treatment_facility=True, licence=licence)
        self.f2 = est("Xử lý Hai", "F-2", treatment_facility=True, licence=licence)
        i = self.inspections
        i.add_plan_item(AGENCY, None, year=2026, ref="KH-0", site_id=self.site, establishment_id=self.g)
        self.photo = i.blobs.put_photo(base64.b64decode(png_b64()))  # the report's photo (staff-only reads)
        self.report_document = i.blobs.put(EVIDENCE_PDF)  # an annual report's document (issue 16)
        self.incident = i.report_incident(RESIDENT, None, category="dust", description="Bụi mù mịt",
                                          location={"lat": 21.012345, "lon": 105.923456}, site_id=self.site,
                                          photos=[self.photo])["id"]
        self.inspection = i.schedule_inspection(INSPECTOR, None, kind="unannounced", scheduled_for=date(2026, 3, 6),
                                                site_id=self.site, establishment_id=self.g,
                                                incident_ids=[self.incident])["id"]
        entry = next(e for e in reference.load("sanctions_decree45.json")["entries"] if e["article"] == 15)
        self.catalogue_code, self.fine = entry["code"], 2 * entry["band_individual_vnd"]["min"]
        self.violation = i.record_violation(INSPECTOR, None, establishment_id=self.g, catalogue_code=self.catalogue_code,
                                            description="Xả thải", offender_type="organisation",
                                            fine_vnd=self.fine)["id"]
        self.manifest = self.draft("CT-1")
        self.other_manifest = self.draft("CT-O", generator=self.g2, transporter=self.t2, facility=self.f2)
        facts = self.indicators.facts  # the indicators follow the three streams, as their service does
        for source in ("sites", "inspections", "manifests"):
            mapper = PublicMapper(source, self.apps[source], SERVICES[source].kit.contracts,
                                  place=getattr(self.apps[source], "place_of", None))
            facts.apply_many(source, mapper.events_since(0, 1000))
        self.report = self.indicators.issue_report(ADMIN, None, "2025Q4", None)["id"]
        self.report2 = self.indicators.issue_report(ADMIN, None, "2025Q4", "district:gia-lam")["id"]

    def actor(self, role: Role, establishment: str | None = None) -> Actor:
        default = {Role.BUSINESS: self.g, Role.TRANSPORTER: self.t, Role.TREATMENT_FACILITY: self.f1}.get(role)
        return Actor(f"tg:{role.value}" if role != Role.RESIDENT else RESIDENT.id, role,
                     establishment=establishment or default)

    def draft(self, number: str, generator: str | None = None, transporter: str | None = None,
              facility_2: str | None = None, kg: float = 100.0, facility: str | None = None) -> str:
        generator = generator or self.g
        return self.manifests.create_manifest(
            Actor("tg:gen", Role.BUSINESS, establishment=generator), None, generator_id=generator, number=number,
            transporters=[transporter or self.t], facility_1=facility or self.f1, facility_2=facility_2, vehicle_plate="29C-123.45",
            lines=[dict(LINE, quantity_kg=kg)], planned_date=date(2026, 3, 3))["id"]

    # -- service classes over the fake kit ------------------------------------------------------------
    def service(self, name: str, actor: Actor) -> Any:
        svc = SERVICES[name]()
        svc.kit = FakeKit(name, self.apps[name], self.views[name], self.settings, actor)
        svc.app, svc.views, svc.actor = svc.kit.app, svc.kit.views, actor  # the providers (shared/kit/providers.py)
        return svc

    def payloads(self) -> dict[str, dict[str, dict]]:
        """A valid payload for every RPC of every service (entrypoint name → keyword arguments)."""
        m, ins, inc, v = self.manifest, self.inspection, self.incident, self.violation
        kit = {"events_since": dict(position=0, limit=10), "ping": {}, "audit_trail": dict(actor=AGENCY.id)}
        sites = dict(kit, **{
            "register_site": dict(kind="craft_village", name="Làng mới", old_district="gia-lam"),
            "amend_site": dict(site_id=self.site, changes={"households": 10}),
            "recognise_site": dict(site_id=self.site, decision="QĐ 1", recognised_on="2020-01-01", legal_basis="NĐ 52"),
            "withdraw_recognition": dict(site_id=self.site, decision="2546/QĐ-UBND", effective="2023-04-28",
                                         legal_basis="QĐ 2546"),
            "classify_site": dict(site_id=self.site, classified_on="2024-01-01", water="severe", air="polluted",
                                  soil="not_polluted", assessor="Sở", legal_basis="QĐ 2546"),
            "set_condition": dict(site_id=self.site, item="drainage", state="met", checked_on="2025-01-01",
                                  evidence_file=self.evidence_file),
            "set_wwtp": dict(site_id=self.site, status="planned"),
            "record_reform": dict(entries=[{"site_id": self.site, "commune": "xa-phu-thi"}]),
            "deactivate_site": dict(site_id=self.site, reason="trùng"),
            "register_establishment": dict(site_id=self.site, name="Cơ sở B", form="enterprise",
                                           registration_code="B-2"),
            "amend_establishment": dict(establishment_id=self.g, changes={"name": "Cơ sở A2"}),
            "issue_link_code": dict(role="business", establishment_id=self.g),
            "redeem_link_code": dict(code="ABCDEFGH", account="tg:1"),
            "get_site": dict(site_id=self.site), "search_sites": dict(query="phu"),
            "search_establishments": dict(query="van tai", role="transporter"), "list_sites": {},
            "site_establishments": dict(site_id=self.site), "site_history": dict(site_id=self.site),
            "get_establishment": dict(establishment_id=self.g),
            "staff_sites": dict(query="phu thi", communes=["xa-phu-thi"], wwtp="planned"),
            "staff_establishments": dict(site_id=self.site, role="transporter", query="van tai"),
            "site_as_of": dict(site_id=self.site, at=local_today(datetime.now(timezone.utc)).isoformat()),  # Hanoi's date
            "store_evidence": dict(data_b64=base64.b64encode(EVIDENCE_PDF).decode()),
            "get_evidence": dict(evidence_file=self.evidence_file),
        })
        inspections = dict(kit, **{
            "store_photo": dict(data_b64=png_b64()),
            "report_incident": dict(category="dust", description="Bụi", site_id=self.site),
            "add_information": dict(incident_id=inc, text="thêm"),
            "reopen_incident": dict(incident_id=inc, reason="lại", photo="a" * 64),
            "triage_incident": dict(incident_id=inc, category="noise", priority="low"),
            "reject_incident": dict(incident_id=inc, reason="không"),
            "merge_incident": dict(incident_id=inc, into=self.incident),
            "assign_incident": dict(incident_id=inc, unit="Đội 1"),
            "verify_incident": dict(incident_id=inc, finding="ok"),
            "resolve_incident": dict(incident_id=inc), "close_incident": dict(incident_id=inc, reason="xong"),
            "get_incident": dict(incident_id=inc), "suggest_duplicates": dict(incident_id=inc),
            "staff_inbox": dict(states=["reported"]), "incident_history": dict(incident_id=inc),
            "incident_photo": dict(incident_id=inc, photo=self.photo),
            "my_incidents": {}, "my_tasks": {}, "incident_assignee": dict(incident_id=inc), "list_incidents": {}, "site_incident_counts": dict(site_id=self.site),
            "add_plan_item": dict(year=2026, ref="KH-1", site_id=self.site), "get_plan": dict(year=2026),
            "schedule_inspection": dict(kind="unannounced", scheduled_for="2026-03-06", site_id=self.site,
                                        incident_ids=[inc]),
            "conduct_inspection": dict(inspection_id=ins, conducted_on="2026-03-02", team=["a"], findings="f"),
            "conclude_inspection": dict(inspection_id=ins, summary="s"),
            "cancel_inspection": dict(inspection_id=ins, reason="r"), "get_inspection": dict(inspection_id=ins),
            "sanction_catalogue": {},
            "record_violation": dict(establishment_id=self.g, catalogue_code=self.catalogue_code, description="x",
                                     offender_type="organisation", fine_vnd=self.fine),
            "decide_sanction": dict(violation_id=v, decision_number="QĐ 1", decided_on="2026-03-02", fine_vnd=self.fine,
                                   authority="commune_chair"),
            "submit_evidence": dict(violation_id=v, text="done"),
            "review_evidence": dict(violation_id=v, accepted=True, note="ok"),
            "get_violation": dict(violation_id=v), "list_violations": {},
            "audit_trail": dict(aggregate_id=inc),  # the resident's report: the pseudonym's row
            "plan_quarter": dict(year=2026, quarter=1), "list_inspections": dict(year=2026),
            "evaluate_samples": dict(site_id=self.site, on="2026-03-02",
                                     samples=[{"parameter": "COD", "value": 200, "unit": "mg/L"}]),
            "inspection_violations": dict(inspection_id=ins), "overdue_measures": {},
            # the reports establishments owe (issue 16)
            "store_report_document": dict(data_b64=base64.b64encode(EVIDENCE_PDF).decode()),
            "file_annual_report": dict(establishment_id=self.g, year=2025, document=self.report_document),
            "file_monitoring_results": dict(establishment_id=self.g, sampled_on="2026-03-02",
                                            samples=[{"parameter": "COD", "value": 20, "unit": "mg/L"}]),
            "reporting_year": dict(establishment_id=self.g, year=2025),
            "set_infrastructure_owner": dict(establishment_id=self.g, owner=True), "owed_reports": dict(year=2025),
        })
        manifests = dict(kit, **manifest_payloads(self.g, self.t, self.f1, m))
        indicators = dict(kit, **{
            "figures": dict(period="2025Q4"), "roadmap": dict(period="2025Q4"), "status_card": dict(site_id=self.site),
            "issue_report": dict(period="2025Q4"), "get_report": dict(report_id=self.report),
            "diff_report": dict(report_id=self.report), "audit_trail": dict(actor=ADMIN.id),
            "targets": dict(period="2025Q4"),
            "drill_down": dict(period="2025Q4", unit="city:hanoi", target="clusters_with_wwtp"),
            "site_events": dict(period="2025Q4", unit="city:hanoi", target="clusters_with_wwtp", site_id=self.site),
            "list_reports": {}, "compare_reports": dict(report_id=self.report, earlier_id=self.report2),
        })
        return {"sites": sites, "inspections": inspections, "manifests": manifests, "indicators": indicators}


def manifest_payloads(g: str, t: str, f: str, m: str) -> dict[str, dict]:
    """A valid payload for every RPC of manifests (generator, transporter, facility, a manifest)."""
    return {
        "create_manifest": dict(generator_id=g, number="CT-2", transporters=[t], facility_1=f, vehicle_plate="29C-1",
                                lines=[LINE], planned_date="2026-03-03"),
        "sign_handover": dict(manifest_id=m), "sign_pickup": dict(manifest_id=m),
        "receive": dict(manifest_id=m, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 100}]),
        "resolve_discrepancy": dict(manifest_id=m, outcome="agreed", note="ok"),
        "reject": dict(manifest_id=m, reason="x", number="CT-R"),
        "treat": dict(manifest_id=m, method="x", treated_on="2026-03-01"),
        "return_copy4": dict(manifest_id=m), "close_manifest": dict(manifest_id=m),
        "cancel_manifest": dict(manifest_id=m, reason="x"),
        "correct": dict(manifest_id=m, changes={"vehicle_plate": "29C-2"}, reason="x"),
        "sign_again": dict(manifest_id=m), "bulk_sign": dict(manifest_ids=[m], step="pickup"),
        "declare_stock": dict(generator_id=g, year=2026, code="16 01 06", quantity_kg=1, stored_since="2026-01-01"),
        "load_catalogue": dict(version="v2", title="t", source="s", codes=[{"code": "16 01 06", "name_vi": "x"}]),
        "get_manifest": dict(manifest_id=m), "my_manifests": {},
        "mass_balance": dict(generator_id=g, year=2026), "waste_catalogue": {},
        "staff_manifests": dict(state="draft", communes=["xa-phu-thi"]), "staff_flag_counts": {},
        "staff_stock_overdue": {}, "staff_mass_balances": dict(year=2026),
        "events_since": dict(position=0, limit=10), "ping": {},
        "audit_trail": dict(aggregate_id=m),  # filed by a business's pseudonym
    }


def rpc_entrypoints(service_cls: type) -> set[str]:
    """The names of a nameko service class's RPC entrypoints (nameko's own registry of them)."""
    from nameko.rpc import Rpc

    return {name for name in dir(service_cls)
            if any(isinstance(ep, Rpc) for ep in getattr(getattr(service_cls, name, None), "nameko_entrypoints", ()))}
