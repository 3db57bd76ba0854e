"""So the deploy files cannot rot: every command the Dockerfile, compose.yaml and the manifests run
in the image resolves in this code (module importable, `langxanh` subcommand and options parse),
and every environment variable they give the image is a setting (Settings: LANGXANH_<FIELD>, plus
the AMQP_URI and TELEGRAM_BOT_TOKEN aliases) with a value it accepts."""
from __future__ import annotations

from typing import Any

import pytest

from shared.catalog import SERVICES
from tests.deploy.files import (check_command, container_env, dockerfile_cmd, dockerfile_env, image_services,
                                k8s_objects, pod_specs, setting_names, settings_from)

# importing the gateway imports nameko, which imports eventlet (not patched: nothing runs here)
pytestmark = pytest.mark.filterwarnings(r"ignore:\s*Eventlet is deprecated")

NOT_SETTINGS = {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK"}


def compose_commands(model: dict[str, Any]) -> dict[str, list[str]]:
    out = {}
    for name, service in image_services(model).items():
        out[f"compose {name}: command"] = service["command"]
        if "healthcheck" in service:
            test = service["healthcheck"]["test"]
            assert test[0] == "CMD", f"compose {name}: healthcheck in the exec form (no shell in the way)"
            out[f"compose {name}: healthcheck"] = test[1:]
    return out


def k8s_commands() -> dict[str, list[str]]:
    out = {}
    for workload, pod in pod_specs():
        for c in pod["containers"]:
            out[f"k8s {workload}/{c['name']}: command"] = [*c["command"], *c.get("args", [])]
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                if "exec" in c.get(probe, {}):
                    out[f"k8s {workload}/{c['name']}: {probe}"] = c[probe]["exec"]["command"]
    return out


def every_command(compose_with_bot: dict[str, Any]) -> dict[str, list[str]]:
    return {"Dockerfile: CMD": dockerfile_cmd(), **compose_commands(compose_with_bot), **k8s_commands()}


def test_every_command_resolves(compose_with_bot) -> None:
    commands = every_command(compose_with_bot)
    assert len(commands) >= 1 + 2 * (len(SERVICES) + 3) + 3 * len(SERVICES)
    failures = []
    for where, argv in commands.items():
        try:
            check_command(argv)
        except Exception as e:  # noqa: BLE001 - collect them all, then fail once
            failures.append(f"{where}: {argv}: {type(e).__name__}: {e}")
    assert not failures, "\n".join(failures)


def test_every_service_runs_with_its_own_health_check(compose_with_bot) -> None:
    commands = every_command(compose_with_bot)
    for name in SERVICES:
        assert commands[f"compose {name}: command"] == ["python", "-m", "shared.runner", name]
        assert commands[f"k8s {name}/{name}: command"] == ["python", "-m", "shared.runner", name]
        for where in (f"compose {name}: healthcheck", f"k8s {name}/{name}: livenessProbe"):
            assert commands[where][:4] == ["langxanh", "health", "--service", name], where


@pytest.mark.parametrize("argv", [
    ["python", "-m", "shared.runner", "nonexistent"],
    ["python", "-m", "shared.runner"],
    ["python", "-m", "no_such_module_here"],
    ["python", "-m", "uvicorn", "--factory", "services.gateway.service:no_such_factory"],
    ["python", "-c", "import no_such_module_here"],
    ["python", "-c", "def ("],
    ["langxanh", "helth"],
    ["langxanh", "health", "--service", "nonexistent"],
    ["langxanh", "health", "--timeout", "soon"],
    ["langxanh", "seed", "--wiat", "3"],
    ["bash", "-c", "true"],
])
def test_the_command_check_bites(argv: list[str]) -> None:
    with pytest.raises(BaseException) as caught:
        check_command(argv)
    assert not isinstance(caught.value, KeyboardInterrupt)


def environments(compose_with_bot: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every environment the deploy files give a process of the image."""
    out = {"Dockerfile ENV": {k: v for k, v in dockerfile_env().items() if k not in NOT_SETTINGS}}
    for name, service in image_services(compose_with_bot).items():
        out[f"compose {name}"] = {**out["Dockerfile ENV"], **service.get("environment", {})}
    for workload, pod in pod_specs():
        for c in pod["containers"]:
            out[f"k8s {workload}/{c['name']}"] = {**out["Dockerfile ENV"], **container_env(c)}
    return out


def test_every_variable_is_a_setting(compose_with_bot) -> None:
    names = setting_names()
    assert {"AMQP_URI", "TELEGRAM_BOT_TOKEN", "LANGXANH_DATA_DIR", "LANGXANH_DATABASE_URL"} <= names
    unknown = {where: sorted(set(env) - names) for where, env in environments(compose_with_bot).items()}
    assert not any(unknown.values()), {k: v for k, v in unknown.items() if v}
    # what the ConfigMap and the Secret hold, used or not
    for kind in ("ConfigMap", "Secret"):
        for name, obj in k8s_objects(kind).items():
            keys = set(obj.get("data", {})) | set(obj.get("stringData", {}))
            assert keys <= names, f"{kind} {name}: {sorted(keys - names)} are not settings"


def test_every_value_is_accepted(compose_with_bot, monkeypatch) -> None:
    for where, env in environments(compose_with_bot).items():
        with monkeypatch.context() as m:
            settings = settings_from(env, m)  # a pydantic ValidationError fails here
            assert str(settings.data_dir) == "/data", where
            if where not in ("Dockerfile ENV", "k8s langxanh-seed/seed"):
                assert settings.uses_postgres, where


def test_the_variable_check_bites(monkeypatch) -> None:
    assert "LANGXANH_NO_SUCH_SETTING" not in setting_names()
    assert "RABBITMQ_PASSWORD" not in setting_names()
    with pytest.raises(Exception):
        settings_from({"LANGXANH_RPC_TIMEOUT": "soon"}, monkeypatch)
