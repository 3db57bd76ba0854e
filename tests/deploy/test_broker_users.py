"""The broker users the deploy files use are the ones the code derives (issue 13, "broker"):
deploy/rabbitmq/definitions.json is what `langxanh broker setup --print-definitions` makes from
shared/brokeracl.py, and every AMQP_URI of compose.yaml and the k8s manifests names the user of its
own component, which definitions.json holds with exactly the permissions the code derives."""
from __future__ import annotations

import json

import pytest

from shared import agency, broker_setup, brokeracl
from shared.kit.config import Settings
from tests.deploy.files import ROOT, container_env, image_services, pod_specs

pytestmark = pytest.mark.filterwarnings(r"ignore:\s*Eventlet is deprecated")
DEFINITIONS = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))
VHOST = "langxanh"
COMPOSE = {**{s: s for s in brokeracl.COMPONENTS if s not in brokeracl.CALLERS}, "gateway": "gateway",
           "bot": "bot", "seed": "cli"}
K8S = {**{s: s for s in brokeracl.COMPONENTS if s not in brokeracl.CALLERS}, "gateway": "gateway", "bot": "bot",
       "langxanh-seed": "cli"}


def defined(user: str) -> tuple[dict, list[dict]]:
    (perms,) = [{k: p[k] for k in ("configure", "write", "read")} for p in DEFINITIONS["permissions"]
                if p["user"] == user and p["vhost"] == VHOST]
    topics = [{k: t[k] for k in ("exchange", "write", "read")} for t in DEFINITIONS["topic_permissions"]
              if t["user"] == user and t["vhost"] == VHOST]
    return perms, topics


def check_uri(where: str, uri: str, component: str) -> None:
    user = agency.parse_amqp_uri(uri).user
    assert user == brokeracl.username(component), f"{where}: {user}"
    assert agency.parse_amqp_uri(uri).vhost == VHOST, where
    exchange = Settings().exchange
    assert defined(user) == (brokeracl.permissions(component, exchange),
                             brokeracl.topic_permissions(component, exchange)), where


def test_the_definitions_are_what_the_code_derives() -> None:
    settings = Settings()
    assert DEFINITIONS == broker_setup.definitions(VHOST, settings.exchange,
                                                   broker_setup.agency_policy_from_settings(settings))
    assert all(u["password_hash"] == "" and u["tags"] == [] for u in DEFINITIONS["users"])
    assert {u["name"] for u in DEFINITIONS["users"]} == {*map(brokeracl.username, brokeracl.COMPONENTS),
                                                         "agency-demo"}


def test_every_compose_process_uses_its_own_components_user(compose_with_bot) -> None:
    services = image_services(compose_with_bot)
    assert set(services) == {*COMPOSE, "broker-setup"}
    for name, component in COMPOSE.items():
        check_uri(f"compose {name}", services[name]["environment"]["AMQP_URI"], component)


def test_every_k8s_workload_uses_its_own_components_user() -> None:
    seen = set()
    for workload, pod in pod_specs():
        for c in pod["containers"]:
            check_uri(f"k8s {workload}/{c['name']}", container_env(c)["AMQP_URI"], K8S[workload])
            seen.add(workload)
    assert seen == set(K8S)
