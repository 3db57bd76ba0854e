"""What a story finds or puts in the seeded system through the services (not through a page):
seeded sites, a resident's report filed over RPC, a record's state and history as the services
tell them."""
from __future__ import annotations

import uuid

from shared.kit.actor import Actor, Role

AGENCY = Actor("staff-test-agency", Role.AGENCY)  # the tests' own look at the records


def villages(system) -> list[dict]:  # type: ignore[no-untyped-def]
    sites = system.call_sync(AGENCY, "sites", "list_sites", kind="craft_village", limit=1000)["sites"]
    return [s for s in sites if s.get("commune") and s.get("location")]


def village(system, name: str) -> dict:  # type: ignore[no-untyped-def]
    return next(s for s in villages(system) if s["name"] == name)


def village_elsewhere(system, commune: str) -> dict:  # type: ignore[no-untyped-def]
    """A seeded village in another commune (and another old district)."""
    home = next(s for s in villages(system) if s["commune"] == commune)
    return next(s for s in sorted(villages(system), key=lambda s: s["name"])
                if s["commune"] != commune and s["old_district"] != home["old_district"])


def file_report(system, site: dict, text: str = "Khói đen và mùi khét từ lò nung") -> dict:  # type: ignore[no-untyped-def]
    """A resident's report at a site (the chat's RPC, as a resident of its own)."""
    resident = Actor(f"tg:{uuid.uuid4().int % 10**9}", Role.RESIDENT)
    return system.call_sync(resident, "inspections", "report_incident", category="smoke_odour", description=text,
                            site_id=site["id"])


def incident(system, incident_id: str) -> dict:  # type: ignore[no-untyped-def]
    return system.call_sync(AGENCY, "inspections", "get_incident", incident_id=incident_id)


def incident_events(system, incident_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["event"] for e in system.call_sync(AGENCY, "inspections", "incident_history", incident_id=incident_id)]
