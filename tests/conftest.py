"""Fixtures shared by every test folder. Only the standard library is imported at module level
(tests/services monkey-patches eventlet in its own conftest, which pytest loads after this one).

Isolation: each test run gets its own RabbitMQ vhost and its own PostgreSQL schema prefix,
both removed at the end; SQLite files live in pytest's tmp_path.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest

RUN_ID = uuid.uuid4().hex[:10]

# Actor assertions (issue 13): one keys directory for the whole run, set before any Settings() is
# built, so the test process's clients and the service subprocesses it starts (which inherit the
# environment but get their own LANGXANH_DATA_DIR) sign and verify with the same component keys.
if "LANGXANH_ACTOR_KEYS_DIR" not in os.environ:
    import atexit
    import tempfile

    os.environ["LANGXANH_ACTOR_KEYS_DIR"] = _KEYS_DIR = tempfile.mkdtemp(prefix=f"langxanh-keys-{RUN_ID}-")
    atexit.register(shutil.rmtree, _KEYS_DIR, True)
PG_URL = os.environ.get("LANGXANH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
AMQP_HOST = os.environ.get("LANGXANH_TEST_AMQP_HOST", "127.0.0.1")
AMQP_USER, AMQP_PASSWORD = "guest", "guest"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


# -- RabbitMQ: one vhost per test run ------------------------------------------------------------
def _management(method: str, path: str) -> bool:
    req = urllib.request.Request(f"http://{AMQP_HOST}:15672/api/{path}", method=method, data=b"{}" if method == "PUT" else None,
                                 headers={"content-type": "application/json"})
    token = f"{AMQP_USER}:{AMQP_PASSWORD}".encode()
    import base64

    req.add_header("Authorization", "Basic " + base64.b64encode(token).decode())
    try:
        urllib.request.urlopen(req, timeout=5)
        return True
    except (urllib.error.URLError, OSError):
        return False


def _rabbitmqctl(*args: str) -> bool:
    exe = shutil.which("rabbitmqctl")
    if not exe:
        return False
    return subprocess.run([exe, *args], capture_output=True, timeout=60).returncode == 0


def create_vhost(name: str) -> None:
    if _management("PUT", f"vhosts/{name}"):
        _management("PUT", f"permissions/{name}/{AMQP_USER}")
        return
    if _rabbitmqctl("add_vhost", name) and _rabbitmqctl("set_permissions", "-p", name, AMQP_USER, ".*", ".*", ".*"):
        return
    pytest.fail("cannot create a RabbitMQ vhost: enable the management plugin or run as a user allowed to use rabbitmqctl")


def delete_vhost(name: str) -> None:
    if not _management("DELETE", f"vhosts/{name}"):
        _rabbitmqctl("delete_vhost", name)


# -- pytest-xdist (make test runs two workers, each a test run of its own) ------------------------
def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    """Under `--dist loadgroup` a file's tests stay on one worker (its module fixtures start once),
    and every tests/staff file shares one worker: the two systems of the staff session start once."""
    for item in items:
        path = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group("staff" if path.startswith("tests/staff/") else path))


def pytest_sessionfinish(session):  # type: ignore[no-untyped-def]
    from tests.stream_schema import stories_to_controller

    stories_to_controller(session.config)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # type: ignore[no-untyped-def]
    from tests.stream_schema import stories_from_worker

    stories_from_worker(node)


@pytest.fixture(scope="session")
def amqp_uri() -> str:
    if not _answers(AMQP_HOST, 5672):
        pytest.fail(f"RabbitMQ does not answer on {AMQP_HOST}:5672 (make test starts it when installed)")
    vhost = f"langxanh-test-{RUN_ID}"
    create_vhost(vhost)
    yield f"amqp://{AMQP_USER}:{AMQP_PASSWORD}@{AMQP_HOST}:5672/{vhost}"
    delete_vhost(vhost)


# -- PostgreSQL: one schema prefix per test run ----------------------------------------------------
@pytest.fixture(scope="session")
def pg_url() -> str:
    if not _answers("127.0.0.1", 5432):
        pytest.fail("PostgreSQL does not answer on 127.0.0.1:5432 (make test starts it when installed)")
    yield PG_URL
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        schemas = [r[0] for r in conn.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s", (f"t{RUN_ID}%",))]
        for schema in schemas:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def schema_prefix(request) -> str:  # type: ignore[no-untyped-def]
    """A prefix unique to this test (so even tests of one run never share a schema)."""
    return f"t{RUN_ID}_{uuid.uuid4().hex[:6]}_"


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path, schema_prefix):  # type: ignore[no-untyped-def]
    """Settings for one store kind; application and kit tests run on both."""
    from shared.kit.config import Settings

    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        return Settings(data_dir=tmp_path, database_url=url, schema_prefix=schema_prefix)
    return Settings(data_dir=tmp_path, database_url=None)


def read_json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]
