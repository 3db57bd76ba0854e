"""The read-only agency class of deploy/rabbitmq/definitions.json, against the real broker.

deploy/rabbitmq/definitions.json is imported with `rabbitmqctl import_definitions` into this run's
vhost (users renamed for the run: `agency-demo` → `agency-t<run>`, `langxanh-<component>` →
`langxanh-t<run>-<component>`, the agency's regexes with its name substituted). Then, as that agency
with kombu: it declares its own queue, binds it to `langxanh.events` and receives what the
services' users publish (each its own events); it may not
publish, declare or consume any other queue, declare or bind to any other exchange, nor open
another vhost. `langxanh agency add/remove` make the same class of account. Users are deleted at
the end (the vhost goes with the run).
"""
import json
import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange, Queue
from typer.testing import CliRunner

from shared import agency, brokeracl
from shared.kit.amqp import KombuPublisher
from tests.conftest import AMQP_HOST, RUN_ID

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
EXCHANGE = "langxanh.events"
NAME = f"t{RUN_ID}"                       # the agency's short name for this run
AGENCY_USER = agency.username(NAME)       # agency-t<run>
COMPONENT_USERS = {brokeracl.username(c): f"langxanh-t{RUN_ID}-{c}" for c in brokeracl.COMPONENTS}


def rabbitmqctl(*args, stdin=None):
    exe = shutil.which("rabbitmqctl")
    if not exe:
        pytest.fail("rabbitmqctl is not installed: the agency class is tested by importing the definitions with it")
    done = subprocess.run([exe, "--quiet", *args], input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"rabbitmqctl {' '.join(args)}: {done.stderr or done.stdout}"
    return done.stdout


def definitions():
    return json.loads(DEFINITIONS.read_text(encoding="utf-8"))


def for_this_run(defs, vhost):
    """The definitions with this run's vhost, user names and agency name substituted."""
    users = {"agency-demo": AGENCY_USER, **COMPONENT_USERS}
    demo, mine = agency.queue_prefix("demo"), agency.queue_prefix(NAME)

    def regex(value):
        return value.replace(demo.replace(".", "\\."), mine.replace(".", "\\."))

    out = {
        "vhosts": [dict(v, name=vhost) for v in defs["vhosts"]],
        "users": [dict(u, name=users[u["name"]]) for u in defs["users"]],
        "permissions": [dict(p, user=users[p["user"]], vhost=vhost,
                             **{k: regex(p[k]) for k in ("configure", "write", "read")}) for p in defs["permissions"]],
        "topic_permissions": [dict(p, user=users[p["user"]], vhost=vhost) for p in defs["topic_permissions"]],
        "exchanges": [dict(x, vhost=vhost) for x in defs["exchanges"]],
    }
    for key in ("queues", "bindings", "policies", "parameters"):
        out[key] = defs.get(key, [])
    return out


def user_permissions(user):
    rows = json.loads(rabbitmqctl("list_user_permissions", user, "--formatter", "json") or "[]")
    return {r["vhost"]: {k: r[k] for k in ("configure", "write", "read")} for r in rows}


def users():
    return {u["user"] for u in json.loads(rabbitmqctl("list_users", "--formatter", "json") or "[]")}


def uri(user, password, vhost):
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@{AMQP_HOST}:5672/{quote(vhost, safe='')}"


@pytest.fixture(scope="module")
def broker(amqp_uri):
    vhost = agency.parse_amqp_uri(amqp_uri).vhost
    defs = for_this_run(definitions(), vhost)
    made = [AGENCY_USER, *COMPONENT_USERS.values()]
    try:
        # a file the broker's own user can read (Debian's rabbitmqctl runs as `rabbitmq`; "-" for standard
        # input is refused by 3.10's argument check); the definitions hold no secret
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="langxanh-defs-") as f:
            f.write(json.dumps(defs))
            f.flush()
            os.chmod(f.name, 0o644)
            rabbitmqctl("import_definitions", f.name)
        deadline = time.monotonic() + 30  # the import is asynchronous
        while not (AGENCY_USER in users() and vhost in user_permissions(AGENCY_USER)):
            assert time.monotonic() < deadline, "the definitions were not imported within 30 s"
            time.sleep(0.2)
        passwords = {u: secrets.token_urlsafe(16) for u in made}
        for user, password in passwords.items():  # no password in the definitions: set one, as an operator does
            rabbitmqctl("change_password", user, stdin=password)
        yield {
            "vhost": vhost,
            "definitions": defs,
            "agency": uri(AGENCY_USER, passwords[AGENCY_USER], vhost),
            **{f"service:{c}": uri(COMPONENT_USERS[brokeracl.username(c)],
                                   passwords[COMPONENT_USERS[brokeracl.username(c)]], vhost)
               for c in brokeracl.COMPONENTS},
            "guest": amqp_uri,
            "agency_password": passwords[AGENCY_USER],
        }
    finally:
        for user in made:
            if user in users():
                rabbitmqctl("delete_user", user)


def publish_as_service(broker, key, event):
    """Publish as the user of the service whose event it is (no other may), with confirms."""
    publisher = KombuPublisher(broker[f"service:{key.split('.')[0]}"], EXCHANGE)
    try:
        publisher.publish(key, event)
    finally:
        publisher.close()


def refused(amqp_uri, action):
    """Run `action(channel)` on a fresh connection: the broker must refuse it (403 ACCESS_REFUSED)."""
    with Connection(amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=10) as conn:
        channel = conn.channel()
        with pytest.raises(AccessRefused) as info:
            action(channel)
        assert info.value.code == 403
        return str(info.value)


# -- the file itself ------------------------------------------------------------------------------
def test_the_definitions_hold_no_secret_and_show_the_agency_class_of_the_cli():
    defs = definitions()
    assert [v["name"] for v in defs["vhosts"]] == ["langxanh"]
    assert {u["name"]: u["tags"] for u in defs["users"]} == {"agency-demo": [], **{u: [] for u in COMPONENT_USERS}}
    assert all(u["password_hash"] == "" for u in defs["users"])  # blank: password login off until one is set
    perms = {p["user"]: p for p in defs["permissions"]}
    assert {k: perms["agency-demo"][k] for k in ("configure", "write", "read")} == agency.permissions("demo") == {
        "configure": r"^agency\.demo\..*$", "write": r"^agency\.demo\..*$", "read": r"^(langxanh\.events|agency\.demo\..*)$"}
    (topic,) = [t for t in defs["topic_permissions"] if t["user"] == "agency-demo"]
    assert {k: topic[k] for k in ("exchange", "write", "read")} == agency.topic_permissions()
    exchange = {x["name"]: x for x in defs["exchanges"]}[EXCHANGE]
    assert (exchange["name"], exchange["type"], exchange["durable"], exchange["auto_delete"]) == (
        EXCHANGE, "topic", True, False)


# -- the imported class on the real broker ---------------------------------------------------------
def test_the_imported_agency_has_the_class_permissions_with_its_name(broker):
    assert user_permissions(AGENCY_USER) == {broker["vhost"]: agency.permissions(NAME)}
    sites = COMPONENT_USERS[brokeracl.username("sites")]
    assert user_permissions(sites) == {broker["vhost"]: brokeracl.permissions("sites", EXCHANGE)}
    topics = json.loads(rabbitmqctl("list_user_topic_permissions", AGENCY_USER, "--formatter", "json"))
    assert [{k: t[k] for k in ("vhost", "exchange", "write", "read")} for t in topics] == [
        {"vhost": broker["vhost"], **agency.topic_permissions()}]


def test_an_agency_binds_its_own_queue_and_receives_what_the_service_publishes(broker):
    queue_name = f"agency.{NAME}.q"
    exchange = Exchange(EXCHANGE, type="topic", passive=True)  # it may not declare the exchange: it exists
    with Connection(broker["agency"], connect_timeout=10) as conn:
        queue = Queue(queue_name, exchange=exchange, routing_key="inspections.#", durable=True)
        queue(conn.default_channel).declare()
        conn.default_channel.queue_bind(queue_name, EXCHANGE, "#.site_classified")  # a second pattern
    for key, n in (("inspections.incident_reported", 1), ("sites.site_registered", 2),
                   ("sites.site_classified", 3), ("manifests.manifest_closed", 4)):
        publish_as_service(broker, key, {"id": f"test-{n}", "type": key, "data": {}})
    received = []
    with Connection(broker["agency"], connect_timeout=10) as conn:
        channel = conn.default_channel
        first = channel.basic_get(queue_name, no_ack=False)  # basic.get: read on its own queue
        assert first is not None
        received.append((first.delivery_info["routing_key"], json.loads(first.body)["id"]))
        channel.basic_ack(first.delivery_info["delivery_tag"])
        with conn.Consumer(Queue(queue_name, no_declare=True), callbacks=[  # basic.consume
                lambda body, message: (received.append((message.delivery_info["routing_key"], json.loads(body)["id"])),
                                       message.ack())], accept=["application/cloudevents+json", "json"]):
            deadline = time.monotonic() + 10
            while len(received) < 2 and time.monotonic() < deadline:
                try:
                    conn.drain_events(timeout=0.5)
                except TimeoutError:
                    pass
        assert sorted(received) == [("inspections.incident_reported", "test-1"), ("sites.site_classified", "test-3")]
        channel.queue_unbind(queue_name, EXCHANGE, "#.site_classified")  # its own bindings: allowed
        channel.queue_delete(queue_name)  # configure on its own queue


def test_an_agency_cannot_publish(broker):
    event = json.dumps({"id": "forged-1"})
    message = refused(broker["agency"], lambda ch: ch.basic_publish(
        ch.prepare_message(event.encode()), exchange=EXCHANGE, routing_key="sites.site_registered"))
    assert f"exchange '{EXCHANGE}'" in message and "refused" in message
    # nor through the default exchange into a queue, not even its own
    with Connection(broker["agency"]) as conn:
        Queue(f"agency.{NAME}.inbox", exchange=Exchange(EXCHANGE, passive=True), routing_key="none.#",
              auto_delete=True)(conn.default_channel).declare()
        refused(broker["agency"], lambda ch: ch.basic_publish(ch.prepare_message(event.encode()), exchange="",
                                                              routing_key=f"agency.{NAME}.inbox"))
    # a queue bound as the exchange's destination would be publishing too: exchange.bind is refused
    refused(broker["agency"], lambda ch: ch.exchange_bind(destination=EXCHANGE, source="amq.topic", routing_key="#"))


def test_an_agency_cannot_declare_or_read_other_queues(broker):
    rpc = "rpc-sites"
    other = f"agency.other{RUN_ID}.q"
    with Connection(broker["guest"]) as conn:  # queues that exist: a nameko RPC queue, another agency's
        for name in (rpc, other):
            Queue(name, exchange=Exchange(EXCHANGE, type="topic", durable=True), routing_key="#",
                  durable=False, auto_delete=False)(conn.default_channel).declare()
    try:
        for name in (rpc, other, "my-queue", f"agency.{NAME}"):  # the prefix is agency.NAME. with its dot
            assert "refused" in refused(broker["agency"], lambda ch, n=name: ch.queue_declare(n, durable=True))
        for name in (rpc, other):
            refused(broker["agency"], lambda ch, n=name: ch.basic_consume(n, callback=lambda m: None))
            refused(broker["agency"], lambda ch, n=name: ch.basic_get(n))
            refused(broker["agency"], lambda ch, n=name: ch.queue_bind(n, EXCHANGE, "#"))  # write on the queue
            refused(broker["agency"], lambda ch, n=name: ch.queue_purge(n))
            refused(broker["agency"], lambda ch, n=name: ch.queue_delete(n))
        refused(broker["agency"], lambda ch: ch.queue_declare(""))  # a server-named amq.gen-… queue neither
    finally:
        with Connection(broker["guest"]) as conn:
            for name in (rpc, other):
                conn.default_channel.queue_delete(name)


def test_an_agency_cannot_touch_other_exchanges(broker):
    with Connection(broker["guest"]) as conn:  # nameko's RPC exchange, as the services declare it
        Exchange("nameko-rpc", type="topic", durable=True)(conn.default_channel).declare()
    own = f"agency.{NAME}.x"
    with Connection(broker["agency"]) as conn:
        Queue(own, exchange=Exchange(EXCHANGE, passive=True), routing_key="sites.#",
              auto_delete=True)(conn.default_channel).declare()
        for name in ("nameko-rpc", "agency-exchange", "amq.topic"):
            refused(broker["agency"], lambda ch, n=name: ch.queue_bind(own, n, "#"))  # read on the exchange
        for name in ("nameko-rpc", "my.exchange", EXCHANGE + ".copy"):
            refused(broker["agency"], lambda ch, n=name: ch.exchange_declare(n, "topic", durable=True))
        refused(broker["agency"], lambda ch: ch.exchange_declare(EXCHANGE, "topic", durable=True))  # not even ours
        refused(broker["agency"], lambda ch: ch.exchange_delete(EXCHANGE))
        refused(broker["agency"], lambda ch: ch.exchange_delete("nameko-rpc"))


def test_an_agency_cannot_open_another_vhost(broker):
    with pytest.raises(Exception) as info:
        with Connection(uri(AGENCY_USER, broker["agency_password"], "/"), connect_timeout=10) as conn:
            conn.connect()
    assert "refused" in str(info.value).lower() or "access" in str(info.value).lower()


def test_langxanh_agency_add_and_remove_make_the_same_class(broker, monkeypatch):
    from langxanh.cli import app

    name = f"c{RUN_ID}"
    user = agency.username(name)
    monkeypatch.setenv("AMQP_URI", broker["guest"])
    runner = CliRunner()
    try:
        added = runner.invoke(app, ["agency", "add", name, "--password", "first-pass-1"])
        assert added.exit_code == 0, added.output
        assert f"account {user} created on vhost {broker['vhost']}" in added.output
        assert user_permissions(user) == {broker["vhost"]: agency.permissions(name)}
        assert user_permissions(user)[broker["vhost"]] == {
            k: v.replace(r"agency\.demo\.", rf"agency\.{name}\.") for k, v in agency.permissions("demo").items()}
        again = runner.invoke(app, ["agency", "add", name])  # re-applied; the password is kept
        assert again.exit_code == 0 and "updated" in again.output and "shown once" not in again.output
        with Connection(uri(user, "first-pass-1", broker["vhost"]), connect_timeout=10) as conn:
            Queue(f"agency.{name}.events", exchange=Exchange(EXCHANGE, passive=True), routing_key="inspections.#",
                  auto_delete=True)(conn.default_channel).declare()
        refused(uri(user, "first-pass-1", broker["vhost"]), lambda ch: ch.basic_publish(
            ch.prepare_message(b"{}"), exchange=EXCHANGE, routing_key="inspections.incident_reported"))
        assert runner.invoke(app, ["agency", "add", "Bad Name!"]).exit_code == 1
        removed = runner.invoke(app, ["agency", "remove", name])
        assert removed.exit_code == 0 and user not in users()
        assert runner.invoke(app, ["agency", "remove", name]).exit_code == 1
    finally:
        if user in users():
            rabbitmqctl("delete_user", user)


def test_a_new_account_without_a_password_gets_a_random_one_shown_once(broker):
    name = f"r{RUN_ID}"
    try:
        account = agency.add(name, broker["guest"])
        assert account.created and account.password and len(account.password) >= 20
        with Connection(uri(account.user, account.password, broker["vhost"]), connect_timeout=10) as conn:
            conn.connect()
    finally:
        agency.remove(name, broker["guest"])
    assert agency.username(name) not in users()


def readme_consumer():
    """The copy-paste consumer of README.md ("How an agency subscribes" → "Over AMQP")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Over AMQP", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]
    (code,) = [b for b in blocks if "AGENCY = " in b and "drain_events" in b]
    return code


def test_the_readme_consumer_runs_as_an_agency_and_prints_inspections_events(broker):
    code = readme_consumer()
    assert 'AGENCY = "demo"' in code and 'URI = "amqp://agency-demo:PASSWORD@localhost:5672/langxanh"' in code
    code = code.replace('AGENCY = "demo"', f'AGENCY = "{NAME}"').replace(
        'URI = "amqp://agency-demo:PASSWORD@localhost:5672/langxanh"', f'URI = "{broker["agency"]}"')
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    name = f"agency.{NAME}.events"
    try:
        deadline = time.monotonic() + 30
        while True:  # the consumer declared and bound its queue
            assert proc.poll() is None, proc.stderr.read()
            with Connection(broker["guest"]) as conn:
                try:
                    conn.default_channel.queue_declare(name, passive=True)
                    break
                except Exception:  # noqa: BLE001 - not yet declared
                    assert time.monotonic() < deadline, "the README consumer did not declare its queue"
                    time.sleep(0.2)
        publish_as_service(broker, "sites.site_registered", {
            "id": "sites-1", "type": "vn.langxanh.sites.site_registered.v1", "sequence": "1", "subject": "s", "data": {}})
        publish_as_service(broker, "inspections.incident_reported", {
            "id": "inspections-7", "type": "vn.langxanh.inspections.incident_reported.v1", "subject": "i-1",
            "sequence": "00000000000000000007", "communecode": "xa-bat-trang", "data": {"category": "dust"}})
        line = lines.get(timeout=20)
        assert line.split() == ["00000000000000000007", "vn.langxanh.inspections.incident_reported.v1", "i-1",
                                "xa-bat-trang", '{"category":', '"dust"}']
        with pytest.raises(queue.Empty):  # the sites event was not bound
            lines.get(timeout=1)
    finally:
        proc.terminate()
        proc.wait(10)
        with Connection(broker["guest"]) as conn:
            conn.default_channel.queue_delete(name)
