"""Issue 13, "broker": `langxanh broker setup` on a real broker — every component's user with a
generated password written to a file only its owner may read, re-run without changing passwords,
and the definitions printed with none."""
from __future__ import annotations

import json
import stat
import subprocess
import uuid

import pytest
from kombu import Connection
from typer.testing import CliRunner

from shared import brokeracl
from tests.security.broker_users import EXCHANGE, guest_uri, rabbitmqctl, refused, users


@pytest.fixture
def place():
    tag = uuid.uuid4().hex[:8]
    vhost, prefix = f"lx-sec-setup-{tag}", f"lxs{tag}-"
    yield vhost, prefix
    for component in brokeracl.COMPONENTS:
        subprocess.run(["rabbitmqctl", "--quiet", "delete_user", prefix + component], capture_output=True, timeout=60)
    subprocess.run(["rabbitmqctl", "--quiet", "delete_vhost", vhost], capture_output=True, timeout=60)


def test_setup_writes_new_passwords_to_a_private_file_and_keeps_them_on_a_rerun(place, tmp_path, monkeypatch):
    from langxanh.cli import app

    vhost, prefix = place
    monkeypatch.setenv("AMQP_URI", guest_uri("/"))  # an administrator's credentials
    monkeypatch.setenv("LANGXANH_EXCHANGE", EXCHANGE)
    monkeypatch.delenv("LANGXANH_BROKER_PASSWORDS", raising=False)
    creds = tmp_path / "creds.env"
    runner = CliRunner()
    done = runner.invoke(app, ["broker", "setup", "--vhost", vhost, "--user-prefix", prefix, "--credentials", str(creds)])
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    uris = dict(line.split("=", 1) for line in creds.read_text().splitlines())
    assert set(uris) == set(brokeracl.COMPONENTS) and {prefix + c for c in brokeracl.COMPONENTS} <= users()
    for uri in uris.values():
        with Connection(uri, connect_timeout=10) as conn:
            conn.connect()  # each logs in with its own password
    refused(uris["bot"], lambda ch: ch.basic_publish(ch.prepare_message(b"{}"), exchange="amq.topic", routing_key="x"))
    again = runner.invoke(app, ["broker", "setup", "--vhost", vhost, "--user-prefix", prefix])
    assert again.exit_code == 0 and "updated" in again.output and "shown once" not in again.output
    with Connection(uris["sites"], connect_timeout=10) as conn:
        conn.connect()  # the re-run kept the passwords
    policies = json.loads(rabbitmqctl("list_operator_policies", "-p", vhost, "--formatter", "json"))
    assert [p["name"] for p in policies] == ["langxanh-agency-queues"]


def test_print_definitions_holds_no_password(monkeypatch):
    from langxanh.cli import app

    monkeypatch.setenv("LANGXANH_BROKER_PASSWORDS", json.dumps({"sites": "do-not-print-me"}))
    done = CliRunner().invoke(app, ["broker", "setup", "--print-definitions", "--vhost", "langxanh"])
    assert done.exit_code == 0, done.output
    defs = json.loads(done.output)
    assert "do-not-print-me" not in done.output and all(u["password_hash"] == "" for u in defs["users"])
