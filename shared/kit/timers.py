"""Timers of the services, behind the kit (nameko is frozen upstream: its Timer is used here only)."""
from __future__ import annotations

from typing import Any

from nameko.timer import Timer

from shared.kit.config import get_settings


class SettingTimer(Timer):
    """A nameko timer whose interval is a setting, read when the service starts — not when its module
    is imported, so a process started with other settings (a test, a second deployment) ticks at its
    own. `setting` names one of `settings.services` (deadline_check_interval). `fallback` stands for a setting of 0 or unset (the handler then decides to do nothing)."""

    def __init__(self, setting: str, fallback: float | None = None, **kwargs: Any) -> None:
        super().__init__(interval=fallback or 0, **kwargs)
        self.setting, self.fallback = setting, fallback

    def setup(self) -> None:
        value = getattr(get_settings().services, self.setting)
        self.interval = value or self.fallback
        super().setup()


setting_timer = SettingTimer.decorator
