"""Establishments for the /manifest stories: a hazardous-waste generator, a licensed transporter
and a licensed treatment facility at a seeded Hanoi site, registered through the sites service
(as the platform), each with a one-time link code (issued by an admin) for a chat to redeem."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from shared.kit.actor import SYSTEM, Actor, Role

ADMIN = Actor(id="admin-manifests", role=Role.ADMIN)
TRANSPORTER_CODES = ["16 01 06", "17 02 03", "16 01 12"]
FACILITY_CODES = ["16 01 06", "17 02 03", "18 02 01"]   # not 16 01 12 (batteries) nor 17 02 04
ROLES = {"generator": "business", "transporter": "transporter", "facility": "treatment_facility", "plain": "business",
         "transporter2": "transporter", "facility2": "treatment_facility", "narrow": "treatment_facility",
         "bare": "treatment_facility"}


@dataclass
class Parties:
    cluster: Any
    sfx: str
    site_id: str
    ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)   # registration codes

    def actor(self, who: str) -> Actor:
        return Actor(id=f"owner-{who}-{self.sfx}", role=Role(ROLES[who]), establishment=self.ids[who])

    def manifests(self, who: str, rpc: str, **kw: Any) -> Any:
        """Call the manifests service as one of the parties (the truth the chat is checked against)."""
        return self.cluster.call_sync(self.actor(who), "manifests", rpc, **kw)

    def mine(self, who: str = "generator", awaiting_only: bool = False) -> list[dict]:
        return self.manifests(who, "my_manifests", awaiting_only=awaiting_only)

    def link_code(self, who: str) -> str:
        return self.cluster.call_sync(ADMIN, "sites", "issue_link_code", role=ROLES[who],
                                      establishment_id=self.ids[who])["code"]

    def file(self, number: str, *kgs: float, codes: list[str] | None = None, transporters: tuple = ("transporter",),
             facility_2: str | None = None, sign: bool = True) -> str:
        """A manifest filed (and signed at hand-over) by the generator, outside the chat."""
        codes = codes or ["16 01 06", "17 02 03"]
        lines = [{"line": i + 1, "code": codes[i % len(codes)], "name": "chất thải", "state": "solid",
                  "packaging": "thùng phuy", "quantity_kg": kg, "method": "hoá rắn"} for i, kg in enumerate(kgs)]
        made = self.manifests("generator", "create_manifest", generator_id=self.ids["generator"], number=number,
                              transporters=[self.ids[x] for x in transporters], facility_1=self.ids["facility"],
                              facility_2=self.ids[facility_2] if facility_2 else None,
                              vehicle_plate="29C-123.45", lines=lines, planned_date="2025-01-01")
        if sign:
            self.manifests("generator", "sign_handover", manifest_id=made["id"])
        return made["id"]


def register_parties(cluster) -> Parties:  # type: ignore[no-untyped-def]
    sfx = uuid.uuid4().hex[:6].upper()
    site = cluster.call_sync(SYSTEM, "sites", "search_sites", query="bat trang", limit=1)[0]
    p = Parties(cluster, sfx, site["id"])

    def register(who: str, name: str, code: str, **flags: Any) -> None:
        answer = cluster.call_sync(SYSTEM, "sites", "register_establishment", site_id=site["id"], name=name,
                                   form="enterprise", registration_code=code, **flags)
        p.ids[who], p.names[who], p.codes[who] = answer["id"], name, code

    register("generator", f"Xưởng gốm Men Lam {sfx}", f"GEN{sfx}", hw_generator=True)
    register("transporter", f"Công ty Vận tải Môi trường Sông Hồng {sfx}", f"VT{sfx}", transporter=True,
             licence={"number": f"1-2-3.{sfx}.VX", "waste_codes": TRANSPORTER_CODES})
    register("facility", f"Công ty Xử lý Chất thải Nam Sơn {sfx}", f"XL{sfx}", treatment_facility=True,
             licence={"number": f"1-2-3.{sfx}.XL", "waste_codes": FACILITY_CODES})
    register("plain", f"Hộ làm gốm Đất Việt {sfx}", f"HG{sfx}")   # generates no hazardous waste
    register("transporter2", f"Công ty Vận tải Đường Sông {sfx}", f"VS{sfx}", transporter=True,
             licence={"number": f"4-5-6.{sfx}.VX", "waste_codes": TRANSPORTER_CODES})
    register("facility2", f"Công ty Tái chế Phú Minh {sfx}", f"TC{sfx}", treatment_facility=True,
             licence={"number": f"4-5-6.{sfx}.XL", "waste_codes": FACILITY_CODES})
    register("narrow", f"Công ty Xử lý Dầu Thải Hà Nội {sfx}", f"XD{sfx}", treatment_facility=True,
             licence={"number": f"7-8-9.{sfx}.XL", "waste_codes": ["17 02 03"]})
    register("bare", f"Công ty Xử lý Chưa Cấp Phép {sfx}", f"XC{sfx}", treatment_facility=True,
             licence={"number": f"0-0-0.{sfx}.XL", "waste_codes": []})
    return p


@pytest.fixture
def parties(cluster) -> Parties:  # type: ignore[no-untyped-def]
    return register_parties(cluster)
