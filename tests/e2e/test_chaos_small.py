"""A small chaos case in CI (make chaos runs the full one): ~300 calls through the demo generator
while each service is killed with SIGKILL once and restarted and the broker is restarted once, on
SQLite and on PostgreSQL. The broker is a private RabbitMQ node of the test's own
(tests/private_broker.py), so its restart disturbs none of the test run's other vhosts."""
from __future__ import annotations

import pytest

from tests.chaos.run import SERVICES, Broker, run
from tests.private_broker import PrivateBroker


@pytest.fixture(scope="module")
def private_broker():
    with PrivateBroker() as broker:
        yield broker


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_small_chaos_kills_and_a_broker_restart_lose_and_double_nothing(private_broker, store, tmp_path):
    result = run(commands=300, store=store, broker_restart=True, workdir=tmp_path / "chaos",
                 broker=Broker(private_broker.port, private_broker.node))
    print(result.figures())
    assert result.ok, result.figures()
    assert [k.split("@")[0] for k in result.kills] == ["sites", "inspections", "manifests",
                                                       "indicators"]
    assert result.broker_restarts == 1 and not result.unplanned_restarts
    assert result.acknowledged >= 300 and not result.not_acknowledged
    assert result.by_call["inspections.report_incident"] > 0 and result.by_call["manifests.treat"] > 0
    for name in SERVICES[:3]:
        assert result.events[name] == result.received[name] > 0
    assert set(result.rebuilt_rows) == {"indicators facts", "inspections sites directory", "manifests sites directory"}
    assert result.pseudonyms_private > 0


def test_private_broker_is_its_own_node(private_broker):
    """The node the chaos restarts is not this machine's broker: another port, another node name."""
    assert private_broker.port != 5672 and private_broker.node.startswith("lxprivate")
    status = private_broker.ctl("status")
    assert status.returncode == 0 and f"port: {private_broker.port}" in status.stdout
