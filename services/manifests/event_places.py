"""The place of each manifests event (its public `communecode`): the commune of the generator's
site as the sites directory gives it when the event is written, stored with it
(shared/kit/places.py), so a later reform of the site does not move it; `place_of` looks it up for
an event stored before."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


class EventPlaces:
    """Mixed into ManifestsApplication (its `directory`, `repository` and `_generator_of`)."""

    directory: Any
    repository: Any
    _generator_of: dict[Any, Any]

    def places_for(self, events: list, aggregates: dict) -> dict[int, str | None]:
        """Each event's place, stored with it: its generator's commune now."""
        communes: dict[str, str | None] = {}
        out: dict[int, str | None] = {}
        for i, e in enumerate(events):
            generator_id = self._generator(e, lambda e=e: aggregates.get(e.originator_id))
            if generator_id is not None and str(generator_id) not in communes:
                communes[str(generator_id)] = self._commune_of(generator_id)
            out[i] = None if generator_id is None else communes[str(generator_id)]
        return out

    def place_of(self, domain_event: Any) -> str | None:
        """The generator's commune, looked up now, for an event stored without its place (an older
        log). A manifest's or declaration's generator never changes, so it is looked up once per
        aggregate (the relay and events_since map every event)."""
        generator_id = self._generator(domain_event, lambda: self.repository.get(
            domain_event.originator_id, version=domain_event.originator_version))
        return None if generator_id is None else self._commune_of(generator_id)

    def _generator(self, domain_event: Any, aggregate: Callable[[], Any]) -> Any:
        generator_id = getattr(domain_event, "generator_id", None)
        if generator_id is None:
            generator_id = self._generator_of.get(domain_event.originator_id)
        if generator_id is None:
            generator_id = getattr(aggregate(), "generator_id", None)
        if generator_id is not None:
            if len(self._generator_of) > 100_000:
                self._generator_of.clear()
            self._generator_of[domain_event.originator_id] = generator_id
        return generator_id

    def _commune_of(self, generator_id: Any) -> str | None:
        est = self.directory.establishment(str(generator_id))
        site = self.directory.site(est["site_id"]) if est else None
        return site.get("commune") if site else None
