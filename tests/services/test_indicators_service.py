"""The indicators service on real RabbitMQ: it follows the sites stream (cold and live) with the
kit's follower, answers figures and status cards, issues reports; bad input on every RPC."""
import pytest

from services.indicators.service import IndicatorsService
from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.errors import NotFound
from tests.services import badinput, helpers

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}


def call(container, rpc_name, context=AGENCY, **payload):
    return badinput.call(container, rpc_name, payload, context)


@pytest.fixture
def world(make_container, store_env, exchange_name, tap):
    sites = make_container(SitesService)
    sites.start()
    cluster = call(sites, "register_site", kind="industrial_cluster", name="CCN Phú Thị", old_district="gia-lam")
    call(sites, "set_wwtp", site_id=cluster["id"], status="operating", since="2024-06-01")
    indicators = make_container(IndicatorsService)
    indicators.start()
    return sites, indicators, cluster["id"]


def clusters(indicators, denominator=1):
    """The city's cluster figure once it counts `denominator` clusters (the follower may lag)."""
    figures = call(indicators, "figures", period="2025Q4")
    fig = figures.get("city:hanoi", {}).get("clusters_with_wwtp")
    if not fig or fig["denominator"] < denominator:
        raise NotFound("the indicators have not seen it yet", "period", "exists")
    return fig


def test_indicators_follow_sites_and_issue_a_report(world):
    sites, indicators, cluster = world
    assert helpers.until(lambda: clusters(indicators))["numerator"] == 1     # cold start: pulled
    idle = call(sites, "register_site", kind="industrial_cluster", name="CCN Mới", old_district="dong-anh")
    assert helpers.until(lambda: clusters(indicators, denominator=2)) == {  # live: pushed
        "numerator": 1, "denominator": 2, "ratio": 0.5}
    card = call(indicators, "status_card", site_id=idle["id"])
    assert card["name"] == "CCN Mới" and len(card["compliance_grid"]) == 12
    report = call(indicators, "issue_report", period="2025Q4", command_id="r-1")
    issued = call(indicators, "get_report", report_id=report["id"])
    assert issued["period"] == "2025Q4" and call(indicators, "diff_report", report_id=report["id"])["changes"] == []
    drill = call(indicators, "figures", period="2025Q4", unit="district:gia-lam", drill_down=True)
    assert drill["district:gia-lam"]["clusters_with_wwtp"]["sites"][0]["events"][0].startswith("sites-")
    # the staff's targets page, wired as the service wires it
    assert call(indicators, "targets", period="2025Q4")["units"]["city:hanoi"]["clusters_with_wwtp"]["numerator"] == 1
    sites_of = call(indicators, "drill_down", period="2025Q4", unit="city:hanoi", target="clusters_with_wwtp")["sites"]
    events = call(indicators, "site_events", period="2025Q4", unit="city:hanoi", target="clusters_with_wwtp",
                  site_id=sites_of[0]["site_id"])["events"]
    assert {"registered", "wwtp"} <= {e["fact"] for e in events}
    again = call(indicators, "issue_report", period="2025Q4", command_id="r-2")
    assert [r["id"] for r in call(indicators, "list_reports")["items"]] == [again["id"], report["id"]]
    assert call(indicators, "compare_reports", report_id=again["id"], earlier_id=report["id"])["changes"] == []


def test_every_kind_of_bad_input_on_every_indicators_rpc(world):
    sites, indicators, cluster = world
    report = call(indicators, "issue_report", period="2025Q4")
    valid = {"figures": dict(period="2025Q4"), "roadmap": dict(period="2025Q4"),
             "status_card": dict(site_id=cluster), "issue_report": dict(period="2025Q4"),
             "get_report": dict(report_id=report["id"]), "diff_report": dict(report_id=report["id"]),
             "targets": dict(period="2025Q4", units=["city:hanoi"]),
             "drill_down": dict(period="2025Q4", unit="city:hanoi", target="hw_treated"),
             "site_events": dict(period="2025Q4", unit="city:hanoi", target="hw_treated", site_id=cluster),
             "list_reports": dict(period="2025Q4"),
             "compare_reports": dict(report_id=report["id"], earlier_id=report["id"]),
             "events_since": dict(position=0, limit=10), "audit_trail": dict(actor="officer-1", limit=10)}
    assert badinput.assert_every_bad_input_refused(indicators, IndicatorsService, valid, AGENCY) > 35
