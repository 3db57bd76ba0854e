"""Issue 13, "broker": the RPC each component may publish (shared/brokeracl.py RPC_CALLS) is what
its code calls — read from the code itself — and what each service follows is what its kit
follows. A call added without its permission fails here, not in production with ACCESS_REFUSED."""
from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

import pytest

from shared import brokeracl
from shared.catalog import SERVICES

pytestmark = pytest.mark.filterwarnings(r"ignore:\s*Eventlet is deprecated")
ROOT = Path(__file__).resolve().parents[2]
# called with the service in a variable: `ping` and `audit_trail` over every service, `events_since`
# over the streams the component follows (its feed's backfill; the CLI's `tail` and `replay` read any stream)
VARIABLE = ("ping", "events_since", "audit_trail")  # audit_trail: the gateway's audit page asks every service
FILES = {
    "bot": [p for p in (ROOT / "bot").rglob("*.py") if p.name not in ("demo.py", "console.py")],
    "gateway": list((ROOT / "services" / "gateway").rglob("*.py")),
    "cli": sorted((ROOT / "langxanh").glob("*.py"))
           + [ROOT / f for f in ("shared/health.py", "shared/seed.py", "shared/reports.py", "bot/demo.py", "bot/console.py")]
           + sorted((ROOT / "shared" / "transfer").glob("*.py")),
}


def rpc_methods() -> dict[str, set[str]]:
    out = {}
    for name, spec in SERVICES.items():
        module, _, attr = spec.partition(":")
        cls = getattr(import_module(module), attr)
        out[name] = {m for m in dir(cls) if hasattr(getattr(cls, m), "nameko_entrypoints")}
    return out


def calls_in(component: str, methods: dict[str, set[str]], paths: list[Path] | None = None) -> set[str]:
    """`…("sites", "get_site", …)`, `c.sites.get_site(…)`, and `…(source, "ping")`."""
    paths = FILES[component] if paths is None else paths
    streams = tuple(SERVICES) if component == "cli" else brokeracl.FOLLOWS[component]  # `tail` reads any
    over = {"ping": tuple(SERVICES), "events_since": streams, "audit_trail": tuple(SERVICES)}
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
            for first, second in zip(texts, texts[1:]):
                if first in SERVICES and second in methods[first]:
                    found.add(f"{first}.{second}")
                if first is None and second in VARIABLE:
                    found.update(f"{s}.{second}" for s in over[second])
            f = node.func
            if isinstance(f, ast.Name) and f.id == "SourceClient":  # a follower's line: its pulls
                found.update(f"{s}.events_since" for s in streams)
            if isinstance(f, ast.Attribute) and f.attr == "backfill":  # the kit clients' events_since pull
                found.update(f"{s}.events_since" for s in streams)
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Attribute) and f.value.attr in SERVICES:
                if f.attr in methods[f.value.attr]:
                    found.add(f"{f.value.attr}.{f.attr}")
    return found


@pytest.fixture(scope="module")
def methods():
    return rpc_methods()


@pytest.mark.parametrize("component", ["bot", "gateway"])
def test_a_callers_rpc_are_exactly_what_its_code_calls(component, methods):
    assert brokeracl.RPC_CALLS[component] == calls_in(component, methods)


def test_the_cli_calls_its_own_and_drives_the_bots_handlers(methods):
    assert brokeracl.RPC_CALLS["cli"] == calls_in("cli", methods) | brokeracl.RPC_CALLS["bot"]


def test_every_permitted_rpc_exists(methods):
    for component, calls in brokeracl.RPC_CALLS.items():
        for call in calls:
            service, _, method = call.partition(".")
            assert method in methods[service], f"{component}: {call}"


def test_a_service_calls_the_backfill_of_what_its_kit_follows_and_its_own_ping():
    for name, spec in SERVICES.items():
        module, _, attr = spec.partition(":")
        kit = getattr(import_module(module), attr).kit
        assert brokeracl.FOLLOWS[name] == tuple(kit.follows), name
        assert brokeracl.RPC_CALLS[name] == {f"{name}.ping", *(f"{s}.events_since" for s in kit.follows),
                                             *(f"{s}.ping" for s in kit.follows)}  # the source's head


def test_the_bot_and_the_gateway_follow_what_their_feeds_follow():
    from bot.feed import SOURCES

    assert brokeracl.FOLLOWS["bot"] == SOURCES
    assert brokeracl.FOLLOWS["gateway"] == tuple(SERVICES)  # services/gateway/views.py: one per service


def test_no_caller_may_publish_an_admin_command_it_never_calls():
    for admin_only in ("sites.issue_link_code", "sites.register_site", "sites.record_reform"):
        assert admin_only not in brokeracl.RPC_CALLS["bot"]
    # the staff workspace (issue 14) issues link codes and records the reform mapping as the signed-in
    # member (the sites service admits agency and admin only); it registers no site
    assert "sites.register_site" not in brokeracl.RPC_CALLS["gateway"]
    assert {"sites.issue_link_code", "sites.record_reform"} <= calls_in(
        "gateway", rpc_methods(), [ROOT / "services/gateway/staff/registry_sites.py",
                                   ROOT / "services/gateway/staff/registry_establishments.py"])
