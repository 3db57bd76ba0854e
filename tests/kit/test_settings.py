"""The settings: grouped by reader, read once per environment, every one in the README."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.kit.config import (BotSettings, GatewaySettings, ServiceSettings, Settings, StaffSettings,
                               WebhookSettings, env_names, get_settings, with_values)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_each_group_reads_its_own_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"LANGXANH_BOT_RPC_TIMEOUT": "3", "TELEGRAM_BOT_TOKEN": "123:abc",
                        "LANGXANH_GATEWAY_PORT": "9090", "LANGXANH_OPEN311_REPORTS_PER_DAY": "4",
                        "LANGXANH_WEBHOOK_MAX_ATTEMPTS": "2", "LANGXANH_GATEWAY_ALLOW_HTTP_WEBHOOKS": "true",
                        "LANGXANH_STAFF_IDLE_MINUTES": "5", "LANGXANH_DEADLINE_CHECK_INTERVAL": "7",
                        "LANGXANH_FOLLOW_CATCH_UP_INTERVAL": "2"}.items():
        monkeypatch.setenv(name, value)
    s = Settings()
    assert (s.bot.rpc_timeout, s.bot.token, s.gateway.port, s.gateway.open311_reports_per_day) == (3, "123:abc", 9090, 4)
    assert (s.webhooks.max_attempts, s.webhooks.allow_http, s.staff.idle_minutes) == (2, True, 5)
    assert (s.services.deadline_check_interval, s.follow_catch_up_interval) == (7, 2)
    assert isinstance(s.bot, BotSettings) and isinstance(s.gateway, GatewaySettings)
    assert isinstance(s.webhooks, WebhookSettings) and isinstance(s.staff, StaffSettings)
    assert isinstance(s.services, ServiceSettings)


def test_a_bad_value_in_a_group_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGXANH_BOT_RPC_POOL", "0")
    with pytest.raises(ValidationError, match="rpc_pool"):
        Settings()


def test_settings_are_read_once_until_the_environment_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANGXANH_BOT_WORKERS", raising=False)
    first = get_settings()
    assert get_settings() is first  # read once: the same object
    monkeypatch.setenv("LANGXANH_BOT_WORKERS", "3")
    changed = get_settings()
    assert changed is not first and changed.bot.workers == 3  # a test that sets a variable is never served stale
    monkeypatch.setenv("UNRELATED_VARIABLE", "x")
    assert get_settings() is changed


def test_with_values_names_a_setting_as_its_variable_and_validates_it(tmp_path: Path) -> None:
    base = Settings(data_dir=tmp_path)
    s = with_values(base, bot_rpc_timeout=2.5, webhook_max_attempts=3, gateway_allow_private_webhooks=True,
                    follow_catch_up_interval=1.0, photo_quota_count=2)
    assert (s.bot.rpc_timeout, s.webhooks.max_attempts, s.webhooks.allow_private) == (2.5, 3, True)
    assert (s.follow_catch_up_interval, s.services.photo_quota_count, s.data_dir) == (1.0, 2, tmp_path)
    assert base.bot.rpc_timeout == 10.0  # a copy: the original is unchanged
    with pytest.raises(TypeError, match="no setting"):
        with_values(base, bot_rpc_timout=1)
    with pytest.raises(ValidationError):
        with_values(base, bot_rpc_pool=0)


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Settings"):]
    section = section[:section.index("\n## ", 5)]
    listed = set(re.findall(r"`((?:LANGXANH|AMQP|TELEGRAM)_[A-Z0-9_]+)`", section))
    names = set(env_names())
    missing = {n for n in names if n not in listed and not n.startswith("LANGXANH_TELEGRAM_")
               and n != "LANGXANH_AMQP_URI"}
    assert missing == set()
    assert listed - names == set()  # and nothing the settings do not read
