"""`langxanh seed`: the Hanoi reference data, loaded through the sites service.

Every step has a command id derived from the entry's stable key, so a second run acts on
nothing: the service answers each step with the answer it stored the first time.
Sites are registered as they were known before the 2025 reform (old district and commune); the
reform mapping to the new communes/wards is then recorded as events of its own.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared import reference
from shared.contracts.site_rules import site_id_for

RECOGNITION_BASIS = "Quyết định công nhận làng nghề của UBND TP Hà Nội"


@dataclass(frozen=True)
class Step:
    label: str
    run: Callable[[Any], Any]


def _register(entry: dict) -> Step:
    fields = {k: entry.get(k) for k in ("kind", "name", "trade", "trade_group", "old_district", "old_commune",
                                        "location", "households", "area_ha", "source", "confidence")}
    fields["craft_village_cluster"] = bool(entry.get("craft_village_cluster"))
    if not fields["old_district"]:
        fields["commune"] = entry.get("commune")
    key = entry["key"]
    return Step(f"{entry['name']}", lambda c: c.sites.register_site(
        command_id=f"seed:{key}:register", reference_key=key, **fields))


def _recognise(entry: dict) -> Step:
    rec = entry["recognised"]
    site_id = str(site_id_for(entry["key"]))
    return Step(f"{entry['name']} (công nhận)", lambda c: c.sites.recognise_site(
        command_id=f"seed:{entry['key']}:recognise", site_id=site_id, decision=rec.get("decision"),
        recognised_on=rec.get("date"), legal_basis=RECOGNITION_BASIS))


def _wwtp(entry: dict) -> Step:
    w = entry["wwtp"]
    site_id = str(site_id_for(entry["key"]))
    return Step(f"{entry['name']} (trạm XLNT)", lambda c: c.sites.set_wwtp(
        command_id=f"seed:{entry['key']}:wwtp", site_id=site_id, status=w["status"],
        capacity_m3_day=w.get("capacity_m3_day"), auto_monitoring=w.get("auto_monitoring"),
        note=(w.get("note") or None) and w["note"][:200]))


def _withdrawals() -> list[Step]:
    """QĐ 2546/QĐ-UBND's named villages: their recognition withdrawn from the decision's date."""
    d = reference.delisting()

    def step(v: dict) -> Step:
        site_id = str(site_id_for(v["site_key"]))
        return Step(f"{v['village']} (thu hồi danh hiệu)", lambda c: c.sites.withdraw_recognition(
            command_id=f"seed:{v['site_key']}:withdraw:{d['decision']}", site_id=site_id, decision=d["decision"],
            effective=d["effective"], legal_basis=d["legal_basis"][:200]))
    return [step(v) for v in d["villages"] if v.get("site_key") and v.get("confidence") == "H"]  # M: under review


def _reform(entries: list[dict]) -> Step:
    mapping = [{"site_id": str(site_id_for(e["key"])), "commune": e["commune"]}
               for e in entries if e.get("commune") and e.get("old_district")]
    return Step("sáp nhập 1/7/2025", lambda c: c.sites.record_reform(
        command_id="seed:reform:2025-07-01", entries=mapping))


def seed_steps() -> list[Step]:
    entries = reference.sites()
    steps = [_register(e) for e in entries]
    steps += [_recognise(e) for e in entries if e.get("recognised")]
    steps += [_wwtp(e) for e in entries if e.get("wwtp")]
    steps += _withdrawals()
    steps.append(_reform(entries))
    return steps
