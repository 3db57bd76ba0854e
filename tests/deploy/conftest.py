"""deploy/compose.yaml as Docker Compose resolves it, once per run (no Docker engine needed:
`config` only reads and resolves the file)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.files import compose_model

BOT_TOKEN = "123456:test-token-not-real"


@pytest.fixture(scope="session")
def compose_home(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("compose-home")


@pytest.fixture(scope="session")
def compose_default(compose_home) -> dict[str, Any]:
    """`docker compose config` with nothing set: the defaults, no profile."""
    return compose_model(compose_home)


@pytest.fixture(scope="session")
def compose_with_bot(compose_home) -> dict[str, Any]:
    """`TELEGRAM_BOT_TOKEN=… docker compose --profile bot config`: everything, the bot included."""
    return compose_model(compose_home, "--profile", "bot", env={"TELEGRAM_BOT_TOKEN": BOT_TOKEN})
