"""A small chaos case in CI (make chaos runs the full one): ~300 calls through the demo generator
while each service is killed with SIGKILL once and restarted. The broker is NOT restarted here:
it is shared by the whole test run (other tests' vhosts would lose their connections)."""
from __future__ import annotations

from tests.chaos.run import SERVICES, run


def test_small_chaos_every_service_killed_once_loses_and_doubles_nothing(amqp_uri, tmp_path):
    result = run(commands=300, store="sqlite", broker_restart=False, workdir=tmp_path / "chaos",
                 amqp_uri=amqp_uri)  # the test run's vhost; the runner's own exchange and queue
    print(result.figures())
    assert result.ok, result.figures()
    assert [k.split("@")[0] for k in result.kills] == ["sites", "inspections", "manifests",
                                                       "indicators"]
    assert result.broker_restarts == 0
    assert result.acknowledged >= 300 and not result.not_acknowledged
    assert result.by_call["inspections.report_incident"] > 0 and result.by_call["manifests.treat"] > 0
    for name in SERVICES[:3]:
        assert result.events[name] == result.received[name] > 0
    assert set(result.rebuilt_rows) == {"indicators facts", "inspections sites directory", "manifests sites directory"}
    assert result.pseudonyms_private > 0
