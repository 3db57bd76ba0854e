"""The services' timers tick at the interval of the process's own settings, read when the service
starts — not the one the first import of its module happened to see (issue 17: no settings read at
import time)."""
from __future__ import annotations

import pytest
from nameko.containers import ServiceContainer
from nameko.timer import Timer

from services.inspections.service import InspectionsService
from services.manifests.service import ManifestsService


def intervals(service: type) -> dict[str, float]:
    container = ServiceContainer(service, {"AMQP_URI": "memory://"})
    timers = [e for e in container.entrypoints if isinstance(e, Timer)]
    for t in timers:
        t.setup()
    return {t.method_name: t.interval for t in timers}


@pytest.mark.parametrize("seconds", ["7", "9.5"])
def test_a_timer_takes_the_interval_of_the_settings_at_start(monkeypatch, seconds):
    monkeypatch.setenv("LANGXANH_DEADLINE_CHECK_INTERVAL", seconds)
    monkeypatch.setenv("LANGXANH_PHOTO_GC_INTERVAL", "0")
    assert intervals(InspectionsService) == {"check_deadlines": float(seconds), "collect_photo_garbage": 86_400.0}
    assert intervals(ManifestsService) == {"check_timers": float(seconds)}
    monkeypatch.setenv("LANGXANH_PHOTO_GC_INTERVAL", "120")
    assert intervals(InspectionsService)["collect_photo_garbage"] == 120.0
