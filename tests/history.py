"""A generated history across sites, inspections and manifests (for rebuild tests and benchmarks):
real applications, real commands, real public events."""
from __future__ import annotations

import random
from datetime import date, datetime, timezone
from typing import Any

from services.inspections.application import InspectionsApplication, InspectionsPorts
from services.manifests.application import ManifestsApplication, ManifestsPorts
from services.sites.application import SitesApplication
from shared import reference
from shared.contracts import inspections as ci, manifests as cm, sites as cs
from shared.kit.actor import Actor
from shared.kit.errors import NotFound
from shared.kit.public import PublicMapper
from tests.ports import inspections_ports, manifests_ports, sites_ports

AGENCY = Actor("gen", "agency")
DISTRICTS = ["gia-lam", "ha-dong", "hoai-duc", "thach-that", "thanh-tri", "phu-xuyen", "dong-anh", "quoc-oai"]
ITEMS = ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class SitesDirectory:
    """Stands in for the SQL sites directory (a lookup by key), read from the sites application."""

    def __init__(self, sites: SitesApplication) -> None:
        self.sites = sites
        self.cache: dict[str, dict | None] = {}

    def site(self, sid):  # type: ignore[no-untyped-def]
        key = f"site:{sid}"
        if key not in self.cache or self.cache[key]["version"] != self.sites.events.recorder.max_notification_id():
            doc = self.sites.get_site(sid)
            self.cache[key] = {"id": sid, "commune": doc["commune"], "active": doc["active"], "name": doc["name"],
                               "kind": doc.get("kind"), "version": self.sites.events.recorder.max_notification_id()}
        return self.cache[key]

    def establishment(self, eid):  # type: ignore[no-untyped-def]
        if eid not in self.cache:  # establishments do not change in the generated history
            try:
                self.cache[eid] = dict(self.sites.get_establishment(eid), active=True)
            except NotFound:
                return None
        return self.cache[eid]


    def reporting_establishments(self):  # type: ignore[no-untyped-def]
        """Every establishment the sites log registered, with its permit type (as the SQL directory
        of services/inspections/places.py answers; amendments of a permit are read here too)."""
        out = []
        for n in self.sites.events.recorder.select_notifications(0, 100_000):
            if n.topic.endswith("Establishment.Registered"):
                doc = self.sites.get_establishment(str(n.originator_id))
                out.append({"id": doc["id"], "site_id": doc["site_id"], "name": doc["name"], "form": doc["form"],
                            "site_kind": self.site(doc["site_id"])["kind"], "permit_amended": False,
                            "permit_type": (doc.get("permit") or {}).get("type")})
        return out


class History:
    """Over applications built with `History.ports(sites)` (their directory reads `sites`)."""

    def __init__(self, sites: SitesApplication, inspections: InspectionsApplication, manifests: ManifestsApplication):
        self.sites, self.inspections, self.manifests = sites, inspections, manifests
        self.mappers = {"sites": PublicMapper("sites", sites, cs.PUBLIC_EVENTS, sites.place_of),
                        "inspections": PublicMapper("inspections", inspections, ci.PUBLIC_EVENTS, inspections.place_of),
                        "manifests": PublicMapper("manifests", manifests, cm.PUBLIC_EVENTS, manifests.place_of)}

    @staticmethod
    def ports(sites: SitesApplication, **inspections: Any) -> tuple[InspectionsPorts, ManifestsPorts]:
        """The inspections' and the manifests' ports for a history over `sites` (the directory read
        from it, the limit tables, the sanction and waste-code catalogues); `inspections` override."""
        directory = SitesDirectory(sites)
        return (inspections_ports(**{"directory": directory, "limits": reference.limit_tables(),
                                     "sanctions": reference.load("sanctions_decree45.json"), **inspections}),
                manifests_ports(directory=directory, catalogue=reference.load("waste_codes.json")))

    def heads(self) -> dict[str, int]:
        return {s: m.app.log_head() for s, m in self.mappers.items()}

    def generate(self, villages: int, clusters: int, manifests: int, incidents: int, seed: int = 7,
                 progress=None) -> int:  # type: ignore[no-untyped-def]
        rng = random.Random(seed)
        s = self.sites
        village_ids, cluster_ids = [], []
        for i in range(villages):
            v = s.register_site(AGENCY, None, kind="craft_village", name=f"Làng {i}", old_district=DISTRICTS[i % 8])["id"]
            village_ids.append(v)
            if rng.random() < 0.8:
                s.recognise_site(AGENCY, None, v, "QĐ", date(2015, 1, 1), "NĐ 52/2018")
                s.classify_site(AGENCY, None, v, date(2021 + rng.randint(0, 4), rng.randint(1, 12), 1),
                                "polluted", "polluted", "not_polluted", 2, "Sở", "QĐ 2546")
                for item in ITEMS:
                    s.set_condition(AGENCY, None, v, item, rng.choice(["met", "met", "not_met"]) if item != "central_wwtp"
                                    else "not_applicable", date(2024, rng.randint(1, 12), 1), "Điều 56")
            if progress:
                progress()
        for i in range(clusters):
            c = s.register_site(AGENCY, None, kind="industrial_cluster", name=f"CCN {i}", old_district=DISTRICTS[i % 8])["id"]
            cluster_ids.append(c)
            s.set_wwtp(AGENCY, None, c, rng.choice(["operating", "idle", "planned"]), since=date(2022 + rng.randint(0, 3), 6, 1))
        s.record_reform(AGENCY, None, [{"site_id": v, "commune": f"xa-{i % 40}"} for i, v in enumerate(village_ids[:500])])
        est = lambda site, code, **kw: s.register_establishment(AGENCY, None, site_id=site, name=f"Cơ sở {code}",  # noqa: E731
                                                                form="enterprise", registration_code=code, trades=[], **kw)["id"]
        generators = [est(cluster_ids[i % len(cluster_ids)], f"G{i}", hw_generator=True) for i in range(20)]
        transporter = est(cluster_ids[0], "T", transporter=True, licence={"number": "1", "waste_codes": []})
        facility = est(cluster_ids[-1], "F", treatment_facility=True, licence={"number": "2", "waste_codes": ["16 01 06"]})
        clock = self.manifests.clock
        for i in range(manifests):
            g = generators[i % len(generators)]
            gen = Actor("g", "business", establishment=g)
            fac = Actor("f", "treatment_facility", establishment=facility)
            clock.now = datetime(2022 + (i % 4), 1 + (i % 12), 10, tzinfo=timezone.utc)
            kg = float(rng.randint(10, 2000))
            m = self.manifests.create_manifest(gen, None, generator_id=g, number=f"M{i}", transporters=[transporter],
                                               facility_1=facility, vehicle_plate="29C-1", planned_date=clock.now.date(),
                                               lines=[{"line": 1, "code": "16 01 06", "name": "Bóng đèn", "state": "solid",
                                                       "packaging": "thùng", "quantity_kg": kg, "method": "thiêu đốt"}])
            self.manifests.sign_handover(gen, None, m["id"])
            self.manifests.sign_pickup(Actor("t", "transporter", establishment=transporter), None, m["id"])
            self.manifests.receive(fac, None, m["id"], [{"line": 1, "code": "16 01 06", "quantity_kg": kg * rng.uniform(0.95, 1.05)}])
            if rng.random() < 0.85:
                self.manifests.treat(fac, None, m["id"], "thiêu đốt", clock.now.date())
                self.manifests.return_copy4(gen, None, m["id"])
                self.manifests.close_manifest(gen, None, m["id"])
            if progress:
                progress()
        resident = Actor("tg:r", "resident")
        for i in range(incidents):
            r = self.inspections.report_incident(resident, None, category="wastewater", description="Nước thải",
                                                 site_id=village_ids[i % len(village_ids)])
            self.inspections.triage_incident(Actor("i", "inspector"), None, r["id"], "wastewater", "normal")
            if progress:
                progress()
        return sum(self.heads().values())


def popo_history() -> History:
    from shared.kit.store import popo_env

    sites = SitesApplication(env=popo_env(), ports=sites_ports())
    inspections, manifests = History.ports(sites)
    return History(sites, InspectionsApplication(env=popo_env(), ports=inspections),
                   ManifestsApplication(env=popo_env(), ports=manifests,
                                        clock=Clock(datetime(2022, 1, 1, tzinfo=timezone.utc))))
