"""The indicators' public contract: complete, and a report's event carries no site lists."""
from datetime import datetime, timezone

from services.indicators import domainmodel as dm
from services.indicators.application import IndicatorsApplication
from shared.contracts import indicators as c
from shared.kit.actor import Actor
from shared.kit.public import PublicMapper
from shared.kit.store import popo_env
from tests.contracts.test_sites_contracts import domain_event_names
from tests.ports import indicators_ports


class NoFacts:
    def sites(self):
        return []

    def facts(self, valid_by, recorded_by):
        return []

    def establishments(self):
        return {}

    def manifests(self):
        return []


def test_every_domain_event_has_exactly_one_public_contract():
    assert sorted(domain_event_names(dm.AGGREGATES)) == sorted(x.source_event for x in c.PUBLIC_EVENTS)


def test_an_issued_report_is_published_without_the_sites_behind_it():
    app = IndicatorsApplication(env=popo_env(), ports=indicators_ports(facts=NoFacts()),
                                clock=lambda: datetime(2026, 1, 15, tzinfo=timezone.utc))
    app.issue_report(Actor("a", "agency"), None, "2025Q4", None)
    events = PublicMapper("indicators", app, c.PUBLIC_EVENTS).events_since(0, 10)
    assert [e["type"] for e in events] == ["vn.langxanh.indicators.report_issued.v1"]
    assert "sites" not in str(events[0]["data"])
