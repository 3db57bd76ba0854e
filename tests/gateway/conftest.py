"""Gateway tests: the FastAPI app in-process (TestClient) over the four services in-process
(tests/bot/cluster.py), with the gateway's own store on SQLite in tmp_path."""
from __future__ import annotations

import shared  # noqa: F401  (silences eventlet's deprecation notice before nameko imports it)

import warnings

import pytest

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
from fastapi.testclient import TestClient  # noqa: E402  (imported now, under the filter)

from shared.kit.actor import SYSTEM  # noqa: E402
from tests.bot.cluster import LocalCluster, seeded_cluster, LocalServices  # noqa: E402


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One in-process cluster per module, seeded with Hanoi's reference sites."""
    yield from seeded_cluster(tmp_path_factory, "services")


class Gateway:
    def __init__(self, cluster, tmp_path) -> None:  # type: ignore[no-untyped-def]
        from services.gateway.application import GatewayApplication
        from services.gateway.service import create_app
        from shared.kit.config import Settings, with_values
        from shared.kit.store import app_for

        self.settings = with_values(Settings(data_dir=tmp_path, database_url=None), gateway_allow_http_webhooks=True,
                                    gateway_allow_private_webhooks=True)  # loopback receivers
        self.app = app_for(GatewayApplication, "gateway", self.settings)
        self.services = LocalServices(cluster)
        self.api = create_app(self.settings, self.services, self.app)
        self.http = TestClient(self.api)
        self.cluster = cluster

    def key(self, agency: str = "so-nnmt", *scopes: str) -> dict:
        """A key issued by the operator: {'X-API-Key': ...} headers."""
        issued = self.app.issue_key(None, None, agency, list(scopes or ("events:read",)))
        return {"X-API-Key": issued["api_key"]}


@pytest.fixture
def gateway(cluster, tmp_path):
    g = Gateway(cluster, tmp_path)
    yield g
    g.http.close()
    g.app.close()
