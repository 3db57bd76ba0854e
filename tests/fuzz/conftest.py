"""Fuzzing: hypothesis against every RPC contract of every service, and against the bot's flows.

Profiles: LANGXANH_FUZZ_EXAMPLES examples per RPC (CI default 25, about 2 000 cases; the nightly
profile sets 150 or more: 12 000+ cases) — the same knob as the gateway's schemathesis run."""
from __future__ import annotations

import shared  # noqa: F401  (silences eventlet's deprecation notice before nameko imports it)

import os

import pytest

from shared.kit.actor import SYSTEM
from tests.bot.cluster import LocalCluster, seeded_cluster  # noqa: E402

EXAMPLES = int(os.environ.get("LANGXANH_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """One in-process cluster for the session, seeded with Hanoi's reference sites."""
    yield from seeded_cluster(tmp_path_factory, "fuzz-services")
