"""deploy/k8s: every object validates against the Kubernetes OpenAPI schemas bundled in the pinned
kubernetes-validate wheel (offline, strict: an unknown or misspelt field fails), at the oldest and
the newest Kubernetes version it bundles; and what the schemas cannot see — the objects refer to
each other correctly (selectors, names, ports), replicas and probes are as designed."""
from __future__ import annotations

import copy

import kubernetes_validate
import pytest

from shared.catalog import SERVICES
from tests.deploy.files import IMAGE, K8S_DIR, container_env, k8s_documents, k8s_objects, pod_specs, probe_commands

# Pinned: 1.25 is the oldest schema set kubernetes-validate 1.37.0 bundles, 1.37 the newest.
KUBERNETES_VERSIONS = ("1.25.0", "1.37.0")
PART_OF = {"app.kubernetes.io/part-of": "langxanh"}
DOCUMENTS = k8s_documents()


def _id(path_doc) -> str:
    path, doc = path_doc
    return f"{path.name}:{doc['kind']}/{doc['metadata']['name']}"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path_doc", DOCUMENTS, ids=[_id(d) for d in DOCUMENTS])
def test_validates_strictly(path_doc, version: str) -> None:
    _, doc = path_doc
    # SchemaNotFoundError (an unknown kind or apiVersion) fails too: the CLI would only warn
    assert kubernetes_validate.validate(doc, version, strict=True) == version.rsplit(".", 1)[0]


def test_the_validator_bites() -> None:
    gateway = k8s_objects("Deployment")["gateway"]
    misspelt = copy.deepcopy(gateway)
    misspelt["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {"httpGet": {"path": "/", "port": 80}}
    wrong_type = copy.deepcopy(gateway)
    wrong_type["spec"]["replicas"] = "2"
    for bad in (misspelt, wrong_type):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)


def test_every_file_is_yaml_of_objects() -> None:
    names = {path.name for path, _ in DOCUMENTS}
    assert names == {p.name for p in K8S_DIR.glob("*.yaml")}, "a file without any object"
    seen = set()
    for _, doc in DOCUMENTS:
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in seen, f"{key} twice"
        seen.add(key)


def test_one_namespace_and_the_labels_apply_by() -> None:
    namespaces = k8s_objects("Namespace")
    assert list(namespaces) == ["langxanh"]
    for path, doc in DOCUMENTS:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "langxanh", _id((path, doc))
        labels = doc["metadata"].get("labels", {})
        if path.name == "secret.example.yaml":
            # placeholders: `kubectl apply -f deploy/k8s/ -l app.kubernetes.io/part-of=langxanh` skips it
            assert "app.kubernetes.io/part-of" not in labels
        else:
            assert PART_OF.items() <= labels.items(), _id((path, doc))


def test_workloads() -> None:
    deployments = k8s_objects("Deployment")
    assert set(deployments) == set(SERVICES) | {"gateway", "bot"}
    for name in SERVICES:
        assert deployments[name]["spec"]["replicas"] == 2, name
    assert deployments["gateway"]["spec"]["replicas"] == 2
    bot = deployments["bot"]["spec"]
    # replicas share the database; one poller at a time by its lease (bot/runtime/intake.py)
    assert bot["replicas"] == 2 and bot["strategy"]["type"] == "RollingUpdate"
    assert set(k8s_objects("Job")) == {"langxanh-seed"}


def test_selectors_match_their_pods() -> None:
    deployments = k8s_objects("Deployment")
    for name, d in deployments.items():
        selector = d["spec"]["selector"]["matchLabels"]
        labels = d["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name  # the API server refuses it otherwise
        others = [o for o, od in deployments.items()
                  if o != name and selector.items() <= od["spec"]["template"]["metadata"]["labels"].items()]
        assert not others, f"{name}'s selector also takes the pods of {others}"
    for name, service in k8s_objects("Service").items():
        if service["spec"].get("type") == "ExternalName":
            continue
        selected = [d for d, dd in deployments.items()
                    if service["spec"]["selector"].items() <= dd["spec"]["template"]["metadata"]["labels"].items()]
        assert selected == [name], f"Service {name} selects {selected}"
        ports = {p["name"]: p["containerPort"]
                 for c in deployments[name]["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports or port["targetPort"] in ports.values(), port


def test_rabbitmq_and_postgresql_are_external() -> None:
    services = k8s_objects("Service")
    for name in ("rabbitmq", "postgres"):
        assert services[name]["spec"]["type"] == "ExternalName"
    secrets = k8s_objects("Secret")
    assert "@postgres:5432/" in secrets["langxanh-secrets"]["stringData"]["LANGXANH_DATABASE_URL"]
    assert "AMQP_URI" not in secrets["langxanh-secrets"]["stringData"]  # one broker user per component:
    for component in ("sites", "inspections", "manifests", "indicators", "gateway", "bot", "cli"):
        uri = secrets[f"langxanh-amqp-{component}"]["stringData"]["AMQP_URI"]
        assert uri.startswith(f"amqp://langxanh-{component}:") and "@rabbitmq:5672/" in uri, component


def test_pods_use_the_image_config_secrets_and_volume() -> None:
    claims = set(k8s_objects("PersistentVolumeClaim"))
    for workload, pod in pod_specs():
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for volume in volumes.values():
            assert volume["persistentVolumeClaim"]["claimName"] in claims, workload
        assert pod["securityContext"]["runAsNonRoot"] is True, workload
        for c in pod["containers"]:
            assert c["image"] == IMAGE, f"{workload}: {c['image']} (the project's version is {IMAGE})"
            for mount in c.get("volumeMounts", []):
                assert mount["name"] in volumes, workload
            env = container_env(c)  # every ConfigMap and Secret key it names exists
            assert env["AMQP_URI"].startswith("amqp://"), workload
            if workload != "langxanh-seed":  # the seed talks to sites over RPC only
                assert env["LANGXANH_DATABASE_URL"].startswith("postgresql://"), workload
                assert any(m["mountPath"] == env["LANGXANH_DATA_DIR"] for m in c["volumeMounts"]), workload


def test_probes() -> None:
    deployments = k8s_objects("Deployment")
    for name in SERVICES:
        (c,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert c["command"] == ["python", "-m", "shared.runner", name]
        assert len(probe_commands(c)) == 3, f"{name}: startup, readiness and liveness probes"
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            command = c[probe]["exec"]["command"]
            assert command[:4] == ["langxanh", "health", "--service", name], command
            timeout = float(command[command.index("--timeout") + 1])
            # `langxanh health` may also wait up to 10 s to reach the broker
            assert c[probe]["timeoutSeconds"] >= timeout + 10, f"{name} {probe}: timeoutSeconds too short"
    (gateway,) = deployments["gateway"]["spec"]["template"]["spec"]["containers"]
    port = gateway["command"][gateway["command"].index("--port") + 1]
    assert [p["containerPort"] for p in gateway["ports"]] == [int(port)]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        http = gateway[probe]["httpGet"]
        assert http["path"] == "/healthz" and http["port"] in ("http", int(port)), probe
    (bot,) = deployments["bot"]["spec"]["template"]["spec"]["containers"]
    assert bot["command"] == ["python", "-m", "bot"]
    assert "TELEGRAM_BOT_TOKEN" in container_env(bot)
