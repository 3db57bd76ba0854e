"""The place of each inspections event (its public `communecode`): the commune the sites directory
gives the event's site when the event is written, stored with it (shared/kit/places.py), so a
later reform of the site does not move it; `place_of` looks it up for an event stored before."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.inspections.domainmodel import InspectionPlan


class EventPlaces:
    """Mixed into InspectionsApplication (its `directory` and `repository`)."""

    directory: Any
    repository: Any

    def places_for(self, events: list, aggregates: dict) -> dict[int, str | None]:
        """Each event's place, stored with it (shared/kit/places.py): the commune the sites
        directory gives its site when it is written (a site's later reform does not move it)."""
        communes: dict[str, str | None] = {}
        out: dict[int, str | None] = {}
        for i, e in enumerate(events):
            site_id = self._site_of(e, lambda e=e: aggregates.get(e.originator_id))
            if site_id is not None and str(site_id) not in communes:
                communes[str(site_id)] = self._commune_of(site_id)
            out[i] = None if site_id is None else communes[str(site_id)]
        return out

    def place_of(self, domain_event: Any) -> str | None:
        """The place of an event stored without it (an older log), looked up now."""
        site_id = self._site_of(domain_event, lambda: self.repository.get(
            domain_event.originator_id, version=domain_event.originator_version))
        return None if site_id is None else self._commune_of(site_id)

    @staticmethod
    def _site_of(domain_event: Any, aggregate: Callable[[], Any]) -> Any:
        """The site an event concerns: its own `site_id`, else its aggregate's (a plan's item's)."""
        site_id = getattr(domain_event, "site_id", None)
        if site_id is None:
            agg = aggregate()
            site_id = getattr(agg, "site_id", None)
            if site_id is None and isinstance(agg, InspectionPlan):
                ref = getattr(domain_event, "ref", None)
                site_id = agg.items.get(ref, {}).get("site_id") if ref else None
        return site_id

    def _commune_of(self, site_id: Any) -> str | None:
        site = self.directory.site(str(site_id))
        return site.get("commune") if site else None
