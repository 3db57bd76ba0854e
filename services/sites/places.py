"""The place of each sites event, worked out when it is written (shared/kit/places.py).

The rules of `SitesApplication.place_of` (kept for events stored before): a site's Registered
event is in its commune, else its old district; a JurisdictionChanged one in its new commune; any
other event of a site where the site is after it (`place_code`); an establishment's events where
its site is now. The link codes' events (private, never published) get none.
"""
from __future__ import annotations

from typing import Any

from shared.kit.places import by_aggregate
from services.sites.domainmodel import Establishment, Site

MOVES = ("Registered", "JurisdictionChanged")  # the only Site events that change its place_code


def written_places(app: Any, events: list, aggregates: dict) -> dict[int, str | None]:
    """{index of a pending event: its place} (`aggregates` as the command left them)."""
    out: dict[int, str | None] = {}
    for originator, indices in by_aggregate(events).items():
        aggregate = aggregates.get(originator)
        if isinstance(aggregate, Site):
            out.update(zip(indices, site_places(app, aggregate, [events[i] for i in indices])))
        elif isinstance(aggregate, Establishment):
            site = aggregates.get(aggregate.site_id)
            site = site if isinstance(site, Site) else app.repository.get(aggregate.site_id)
            out.update((i, site.place_code) for i in indices)
    return out


def moved_to(event: Any) -> str | None:
    """The place a Registered or JurisdictionChanged event names."""
    if type(event).__name__ == "Registered":
        return event.commune or event.old_district
    return event.commune


def site_places(app: Any, site: Site, events: list) -> list[str | None]:
    """The place of each of one site's pending events, in order. Usually no event but the first
    moves the site, and every other one is where the site is now; else the site is replayed from
    the version before the first of them (a rare save: a move after other events of the site)."""
    if not any(type(e).__name__ in MOVES for e in events[1:]):
        return [moved_to(e) if type(e).__name__ in MOVES else site.place_code for e in events]
    before = events[0].originator_version - 1
    aggregate = app.repository.get(site.id, version=before) if before >= 1 else None
    out = []
    for e in events:
        aggregate = e.mutate(aggregate)
        out.append(moved_to(e) if type(e).__name__ in MOVES else aggregate.place_code)
    return out
