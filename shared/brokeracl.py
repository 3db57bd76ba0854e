"""One RabbitMQ user per component, and exactly what each may do on the broker (issue 13, "broker").

Plain data and the permissions derived from it; `shared/broker_setup.py` provisions them,
`deploy/rabbitmq/definitions.json` carries them (`langxanh broker setup --print-definitions`), and
tests/security/test_broker_acl.py checks that `RPC_CALLS` is what the code calls.

What nameko 2.14.1 and the kit declare and publish (nameko/rpc.py, nameko/standalone/rpc.py,
shared/kit/amqp.py):

- the RPC exchange `nameko-rpc` (topic, durable), declared by every RPC participant (so each
  needs *configure* on it: RabbitMQ cannot grant declare without delete);
- a service's queue `rpc-<service>` (durable), bound with `<service>.*`; a request is published
  with the routing key `<service>.<method>`, its reply with the routing key `reply_to`, a uuid4;
- a caller's reply queue `rpc.reply-standalone_rpc_proxy-<uuid4>` (every kit client is nameko's
  standalone proxy), bound with that uuid;
- the public exchange `langxanh.events` (topic, durable); a relay publishes `<service>.<event>`;
- follower queues `<owner>.follows.<source>` (durable) bound with `<source>.#`; the gateway's live
  streams and the CLI's `tail` use server-named exclusive queues `amq.gen-…`.

RabbitMQ (access-control guide): queue.declare needs configure on the queue (and on the exchange
it declares); queue.bind write on the queue and read on the exchange, plus the *topic* read
permission on the binding key; basic.publish write on the exchange, plus the topic write
permission on the routing key; basic.consume / basic.get read on the queue. A user with no topic
permission on a topic exchange may use every routing key, so each user gets one on both.
Nobody may write to the default exchange (`amq.default`): publishing there reaches any queue by
name, topic permissions aside.
"""
from __future__ import annotations

import re

from shared.catalog import SERVICES

RPC_EXCHANGE = "nameko-rpc"
PARKED_EXCHANGE = "langxanh.parked"  # shared/kit/poison.py: poison messages, routing key = the parked queue
USER_PREFIX = "langxanh-"
CALLERS = ("bot", "gateway", "cli")
COMPONENTS = (*SERVICES, *CALLERS)
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
REPLY_QUEUE = r"rpc\.reply-standalone_rpc_proxy-" + UUID
SERVER_NAMED = r"amq\.gen-[A-Za-z0-9_-]+"
NOTHING = "(?!)"  # a regex no routing key matches (an empty one would match the empty key)

# whose public streams each component follows (services: ServiceKit(follows=…); bot/feed.py
# SOURCES; the gateway's webhook deliveries follow every service)
FOLLOWS: dict[str, tuple[str, ...]] = {
    "sites": (),
    "inspections": ("sites",),
    "manifests": ("sites",),
    "indicators": ("sites", "inspections", "manifests"),
    "bot": ("sites", "inspections", "manifests"),
    "gateway": tuple(SERVICES),
    "cli": (),
}
# who declares server-named exclusive queues (gateway: SSE live streams; cli: `langxanh tail`)
TEMPORARY_QUEUES = ("gateway", "cli")


def _calls(text: str) -> frozenset[str]:
    return frozenset(text.split())


_BOT = _calls("""
    sites.get_establishment sites.get_site sites.redeem_link_code sites.search_establishments
    sites.search_sites sites.site_establishments
    inspections.add_information inspections.get_incident inspections.my_incidents
    inspections.reopen_incident inspections.report_incident inspections.store_photo
    manifests.bulk_sign manifests.correct manifests.create_manifest manifests.get_manifest manifests.resolve_discrepancy
    manifests.my_manifests manifests.receive manifests.reject manifests.return_copy4 manifests.sign_again
    manifests.sign_handover manifests.sign_pickup manifests.treat manifests.waste_catalogue
    indicators.status_card
""")
# establishments' annual reports and monitoring results (bot/flows/annualreport.py, bot/flows/monitoring.py)
_BOT_REPORTS = _calls("""
    inspections.store_report_document inspections.file_annual_report inspections.reporting_year
    inspections.file_monitoring_results
""")
# inspectors in the field (bot/flows/tasks.py, bot/flows/mine.py's before/after, bot/pushes/tasks.py)
_BOT_FIELD = _calls("""
    inspections.my_tasks inspections.verify_incident inspections.resolve_incident inspections.incident_photo
    inspections.incident_assignee
""")
_GATEWAY = _calls("""
    sites.get_site sites.list_sites sites.search_sites sites.site_establishments
    inspections.get_incident inspections.list_incidents inspections.report_incident
    indicators.figures indicators.get_report indicators.issue_report indicators.roadmap
    indicators.status_card
""")
# the staff inbox (services/gateway/staff/inbox.py): the list, a report page and its actions
_GATEWAY_INBOX = _calls("""
    inspections.assign_incident inspections.close_incident inspections.get_incident
    inspections.incident_history inspections.incident_photo inspections.merge_incident
    inspections.reject_incident inspections.resolve_incident inspections.staff_inbox
    inspections.store_photo inspections.suggest_duplicates inspections.triage_incident
    inspections.verify_incident
    sites.get_site
""")
# the staff workspace's registry (services/gateway/staff/registry*.py), as the signed-in member
_GATEWAY_REGISTRY = _calls("""
    sites.staff_sites sites.staff_establishments sites.site_as_of sites.site_history sites.get_establishment
    sites.amend_site sites.recognise_site sites.classify_site sites.set_condition sites.set_wwtp
    sites.record_reform sites.deactivate_site sites.register_establishment sites.amend_establishment
    sites.issue_link_code sites.store_evidence sites.get_evidence sites.get_site
""")
# the staff workspace's inspections pages (services/gateway/staff/inspections*.py)
_GATEWAY_INSPECTIONS = _calls("""
    sites.get_establishment
    inspections.add_plan_item inspections.cancel_inspection inspections.conclude_inspection
    inspections.conduct_inspection inspections.decide_sanction inspections.evaluate_samples
    inspections.get_inspection inspections.get_violation inspections.inspection_violations
    inspections.list_inspections inspections.overdue_measures inspections.plan_quarter
    inspections.record_violation inspections.review_evidence inspections.sanction_catalogue
    inspections.schedule_inspection
""")
# the staff workspace's Báo cáo BVMT page (services/gateway/staff/reports.py, issue 16)
_GATEWAY_REPORTS = _calls("""
    sites.get_establishment sites.get_site
    inspections.owed_reports inspections.store_report_document inspections.file_annual_report
""")
# the staff workspace's manifests and targets pages (services/gateway/staff/manifests.py, targets.py)
_GATEWAY_OVERSIGHT = _calls("""
    manifests.get_manifest manifests.resolve_discrepancy manifests.staff_flag_counts
    manifests.staff_manifests manifests.staff_mass_balances manifests.staff_stock_overdue
    indicators.compare_reports indicators.diff_report indicators.drill_down indicators.get_report
    indicators.issue_report indicators.list_reports indicators.site_events indicators.targets
    sites.get_establishment sites.get_site
""")
# the operator's tools: langxanh/ (the command), health, seed, reports, and `langxanh demo` / `langxanh chat`
# (bot/demo.py, bot/console.py), which also drive the bot's own handlers
_CLI = _calls("""
    sites.classify_site sites.get_site sites.issue_link_code sites.list_sites sites.recognise_site
    sites.record_reform sites.register_establishment sites.register_site sites.search_sites
    sites.set_condition sites.set_wwtp sites.site_establishments sites.withdraw_recognition
    sites.amend_site sites.amend_establishment sites.get_establishment sites.staff_sites sites.staff_establishments
    inspections.assign_incident inspections.conclude_inspection inspections.conduct_inspection
    inspections.decide_sanction inspections.get_incident inspections.record_violation
    inspections.resolve_incident inspections.review_evidence inspections.sanction_catalogue
    inspections.schedule_inspection inspections.submit_evidence inspections.triage_incident
    inspections.verify_incident
    manifests.get_manifest manifests.load_catalogue manifests.my_manifests manifests.waste_catalogue
    indicators.diff_report indicators.figures indicators.get_report indicators.issue_report
    indicators.status_card
""")
_EVERY_SERVICE = frozenset(f"{s}.{m}" for s in SERVICES for m in ("ping", "events_since"))
_AUDIT = frozenset(f"{s}.audit_trail" for s in SERVICES)  # the staff audit page (services/gateway/staff/audit.py)

# The RPC each component calls (`<service>.<method>`, the routing key on nameko-rpc). A service
# calls `events_since` of the streams it follows and its own `ping` (its health check runs
# `langxanh health --service NAME` in its container, with its credentials).
RPC_CALLS: dict[str, frozenset[str]] = {
    # a service pings itself (its health check) and pulls from what it follows; after a failed
    # catch-up its follower reads the source's log head with the source's ping (shared/kit/source.py)
    **{s: frozenset({f"{s}.ping", *(f"{src}.{rpc}" for src in FOLLOWS[s] for rpc in ("events_since", "ping"))})
       for s in SERVICES},
    "bot": _BOT | _BOT_REPORTS | _BOT_FIELD | {f"{s}.events_since" for s in FOLLOWS["bot"]},
    "gateway": (_GATEWAY | _GATEWAY_INBOX | _GATEWAY_REGISTRY | _GATEWAY_INSPECTIONS | _GATEWAY_REPORTS | _GATEWAY_OVERSIGHT
                | _EVERY_SERVICE | _AUDIT),
    "cli": _CLI | _BOT | _BOT_REPORTS | _BOT_FIELD | _EVERY_SERVICE,
}


def username(component: str) -> str:
    if component not in COMPONENTS:
        raise KeyError(f"unknown component {component!r}; known: {', '.join(COMPONENTS)}")
    return USER_PREFIX + component


def _alternatives(names: list[str]) -> str:
    return "^(" + "|".join(names) + ")$"


def own_queues(component: str) -> list[str]:
    """Regexes of the queues the component declares, binds and consumes."""
    out = [r"rpc-" + re.escape(component)] if component in SERVICES else []
    sources = FOLLOWS[component]
    if sources:
        out.append(re.escape(component) + r"\.follows\.(" + "|".join(map(re.escape, sources)) + ")")
    if component in TEMPORARY_QUEUES:
        out.append(SERVER_NAMED)
    if RPC_CALLS[component]:
        out.append(REPLY_QUEUE)
    return out


def parked_queues(component: str) -> list[str]:
    """Regexes of the component's parked queues (`<queue>.parked`): its RPC queue's and its
    followers' (shared/kit/poison.py parks a poison message there; exclusive queues drop it)."""
    own = [q for q in own_queues(component) if q not in (REPLY_QUEUE, SERVER_NAMED)]
    return [q + r"\.parked" for q in own]


def permissions(component: str, exchange: str) -> dict[str, str]:
    """The vhost permissions (configure, write, read regexes) of the component's user."""
    exchanges = [re.escape(RPC_EXCHANGE), re.escape(exchange)]
    parked = parked_queues(component) + [re.escape(PARKED_EXCHANGE)] if parked_queues(component) else []
    everything = _alternatives(own_queues(component) + exchanges + parked)
    write = own_queues(component) + [re.escape(RPC_EXCHANGE)] + parked
    if component in SERVICES:
        write.append(re.escape(exchange))  # its relay publishes its public events
    return {"configure": everything, "write": _alternatives(write), "read": everything}


def topic_permissions(component: str, exchange: str) -> list[dict[str, str]]:
    """Topic permissions on both topic exchanges: which routing keys it may publish (write) and
    bind with (read)."""
    calls = sorted(re.escape(c) for c in RPC_CALLS[component])
    if component in SERVICES:
        rpc_write = _alternatives(calls + [UUID])          # its calls, and its replies (reply_to)
        rpc_read = _alternatives([re.escape(f"{component}.*"), UUID])
        events_write = "^" + re.escape(component) + r"\.[a-z0-9_]+$"
    else:
        rpc_write = _alternatives(calls) if calls else NOTHING
        rpc_read = _alternatives([UUID])
        events_write = NOTHING
    parked = _alternatives(parked_queues(component)) if parked_queues(component) else NOTHING
    return [{"exchange": RPC_EXCHANGE, "write": rpc_write, "read": rpc_read},
            {"exchange": exchange, "write": events_write, "read": ".*"},
            {"exchange": PARKED_EXCHANGE, "write": parked, "read": parked}]
