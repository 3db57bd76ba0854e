"""Shared pieces of the reports tests (issue 16): a sites directory that knows permits and site
kinds, the documents a business files (real PDF, DOCX and XLSX shapes, built here), and the
inspections application on every store."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

import pytest

from services.inspections.application import InspectionsApplication
from shared import reference
from shared.kit.actor import Actor
from shared.kit.blobs import BlobStore
from shared.kit.store import popo_env
from tests.history import Clock
from tests.ports import inspections_ports, on_store

VILLAGE = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
CLUSTER = "2b4e28ba-2fa1-11d2-883f-0016d3cca427"
FIRM = "4b4e28ba-2fa1-11d2-883f-0016d3cca427"       # GPMT, in a craft village
OWNER = "5b4e28ba-2fa1-11d2-883f-0016d3cca427"      # ĐKMT, in a cluster (may own its infrastructure)
HOUSEHOLD = "6b4e28ba-2fa1-11d2-883f-0016d3cca427"  # no permit: owes nothing
AMENDED = "7b4e28ba-2fa1-11d2-883f-0016d3cca427"    # its permit was amended: unknown
FIRM_USER = Actor("tg:firm", "business", establishment=FIRM)
OWNER_USER = Actor("tg:owner", "business", establishment=OWNER)
INSPECTOR = Actor("insp-1", "inspector")
AGENCY = Actor("agency-1", "agency")
RESIDENT = Actor("tg:resident", "resident")


class PermitDirectory:
    sites = {VILLAGE: {"id": VILLAGE, "name": "Bát Tràng", "kind": "craft_village", "commune": "x", "active": True},
             CLUSTER: {"id": CLUSTER, "name": "CCN Ngọc Liệp", "kind": "industrial_cluster", "commune": "y",
                       "active": True}}
    establishments = {
        FIRM: {"id": FIRM, "site_id": VILLAGE, "name": "Gốm Minh Long", "form": "enterprise", "active": True,
               "permit_type": "GPMT"},
        OWNER: {"id": OWNER, "site_id": CLUSTER, "name": "Hạ tầng CCN", "form": "enterprise", "active": True,
                "permit_type": "DKMT"},
        HOUSEHOLD: {"id": HOUSEHOLD, "site_id": VILLAGE, "name": None, "form": "household", "active": True,
                    "permit_type": None},
        AMENDED: {"id": AMENDED, "site_id": VILLAGE, "name": "Dệt Vạn Phúc", "form": "enterprise", "active": True,
                  "permit_type": None, "permit_amended": True},
    }

    def site(self, site_id):
        return self.sites.get(site_id)

    def establishment(self, establishment_id):
        return self.establishments.get(establishment_id)

    def reporting_establishments(self):
        return [dict(e, site_kind=self.sites[e["site_id"]]["kind"]) for e in self.establishments.values()]


def pdf(body: bytes = b"1 0 obj << >> endobj\n") -> bytes:
    return b"%PDF-1.7\n" + body + b"trailer << >>\n%%EOF\n"


def office(kind: str = "docx", extra: dict | None = None, content_types: bytes | None = None) -> bytes:
    """A minimal DOCX or XLSX archive (its parts as Word and Excel write them)."""
    part = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types or b'<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", b"<Relationships/>")
        z.writestr(part, b"<document>B\xc3\xa1o c\xc3\xa1o c\xc3\xb4ng t\xc3\xa1c BVMT</document>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def clock_at(y, m, d, h=3):
    return Clock(datetime(y, m, d, h, 0, tzinfo=timezone.utc))


@pytest.fixture
def clock():
    return clock_at(2027, 1, 10)  # 10:00 in Hanoi, 10 January 2027: reports for 2026 not yet due


@pytest.fixture
def app(store, clock, tmp_path):
    ports = inspections_ports(directory=PermitDirectory(), blobs=BlobStore(tmp_path / "blobs"),
                              limits=reference.limit_tables())
    if store is None:
        app = InspectionsApplication(env=popo_env(), ports=ports, clock=clock)
    else:
        app = on_store(InspectionsApplication, "inspections", store, lambda _: ports, clock=clock)
    yield app
    app.close()
