"""Agency accounts on the broker: the read-only class of RabbitMQ users that subscribe to the
public stream (design.md §4; deploy/rabbitmq/definitions.json shows the class as `agency-demo`).

An agency NAME gets the user `agency-NAME` on the vhost of AMQP_URI with permissions that let it
declare, bind and consume only its own queues, named `agency.NAME.…`, bound to the public
exchange — and nothing else (RabbitMQ access control, AMQP 0-9-1):

- configure `^agency\\.NAME\\..*$`  queue.declare / queue.delete of its own queues only;
- write     `^agency\\.NAME\\..*$`  queue.bind needs write on the *queue*; basic.publish needs write
                                   on the *exchange*, so no exchange of ours can be published to;
- read      `^(EXCHANGE|agency\\.NAME\\..*)$`  queue.bind needs read on the *exchange*;
                                   basic.consume / basic.get need read on the queue;
- topic permissions on the exchange: write `^$` (no routing key may be published), read `.*`
  (any binding pattern).

The user is made with `rabbitmqctl` on the broker's host, or through the management API when it
answers (the AMQP_URI's credentials must then be an administrator's).
"""
from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
USER_PREFIX = "agency-"
QUEUE_PREFIX = "agency."
DEFAULT_EXCHANGE = "langxanh.events"


class AgencyError(RuntimeError):
    pass


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    vhost: str
    user: str
    password: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def parse_amqp_uri(uri: str) -> Broker:
    """Host, port, vhost and credentials of an AMQP URI, with kombu's defaults: no path or "/"
    means the vhost "/" (write it %2F to be explicit); guest/guest when no credentials."""
    parts = urllib.parse.urlsplit(uri)
    path = parts.path[1:] if parts.path.startswith("/") else parts.path
    vhost = urllib.parse.unquote(path) or "/"
    return Broker(host=parts.hostname or "localhost", port=parts.port or 5672, vhost=vhost,
                  user=urllib.parse.unquote(parts.username or "guest"),
                  password=urllib.parse.unquote(parts.password or "guest"))


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise AgencyError(f"agency name {name!r}: lower-case letters, digits and inner hyphens, at most 40")
    return name


def username(name: str) -> str:
    return USER_PREFIX + check_name(name)


def queue_prefix(name: str) -> str:
    return f"{QUEUE_PREFIX}{check_name(name)}."


def permissions(name: str, exchange: str = DEFAULT_EXCHANGE) -> dict[str, str]:
    """The vhost permissions of the agency class (as in deploy/rabbitmq/definitions.json)."""
    own = "^" + re.escape(queue_prefix(name)) + ".*$"
    return {"configure": own, "write": own, "read": f"^({re.escape(exchange)}|{re.escape(queue_prefix(name))}.*)$"}


def topic_permissions(exchange: str = DEFAULT_EXCHANGE) -> dict[str, str]:
    """Topic permissions on the public exchange: publish no routing key, bind any pattern."""
    return {"exchange": exchange, "write": "^$", "read": ".*"}


# -- the broker's admin interfaces ---------------------------------------------------------------
class Management:
    """The RabbitMQ management HTTP API (port 15672), when the plugin is enabled."""

    def __init__(self, broker: Broker, port: int = 15672, timeout: float = 5.0) -> None:
        self.base = f"http://{broker.host}:{port}/api"
        self.auth = "Basic " + base64.b64encode(f"{broker.user}:{broker.password}".encode()).decode()
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict | None = None) -> int:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, method=method, data=data,
                                     headers={"content-type": "application/json", "authorization": self.auth})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as answer:
                return answer.status
        except urllib.error.HTTPError as e:
            return e.code

    def answers(self) -> bool:
        try:
            return self._call("GET", "/overview") == 200
        except (urllib.error.URLError, OSError):
            return False

    def _ok(self, status: int, what: str) -> None:
        if status not in (200, 201, 204):
            raise AgencyError(f"management API: {what} answered HTTP {status}")

    def user_exists(self, user: str) -> bool:
        return self._call("GET", f"/users/{_q(user)}") == 200

    def put_user(self, user: str, password: str) -> None:
        self._ok(self._call("PUT", f"/users/{_q(user)}", {"password": password, "tags": ""}), f"user {user}")

    def set_permissions(self, vhost: str, user: str, perms: dict[str, str]) -> None:
        self._ok(self._call("PUT", f"/permissions/{_q(vhost)}/{_q(user)}", perms), f"permissions of {user}")

    def set_topic_permissions(self, vhost: str, user: str, perms: dict[str, str]) -> None:
        self._ok(self._call("PUT", f"/topic-permissions/{_q(vhost)}/{_q(user)}", perms),
                 f"topic permissions of {user}")

    def delete_user(self, user: str) -> bool:
        status = self._call("DELETE", f"/users/{_q(user)}")
        if status == 404:
            return False
        self._ok(status, f"deleting {user}")
        return True

    def list_users(self) -> set[str]:
        status, body = self._get("/users?columns=name")
        self._ok(status, "listing users")
        return {u["name"] for u in body}

    def import_definitions(self, doc: dict) -> None:
        self._ok(self._call("POST", "/definitions", doc), "importing definitions")

    def set_operator_policy(self, vhost: str, name: str, pattern: str, definition: dict,
                            apply_to: str = "queues") -> None:
        self._ok(self._call("PUT", f"/operator-policies/{_q(vhost)}/{_q(name)}",
                            {"pattern": pattern, "definition": definition, "apply-to": apply_to, "priority": 0}),
                 f"policy {name}")

    def list_queues(self, vhost: str) -> list[str]:
        status, body = self._get(f"/queues/{_q(vhost)}?columns=name")
        self._ok(status, "listing queues")
        return [q["name"] for q in body]

    def delete_queue(self, vhost: str, queue: str) -> None:
        status = self._call("DELETE", f"/queues/{_q(vhost)}/{_q(queue)}")
        if status != 404:
            self._ok(status, f"deleting queue {queue}")

    def close_user_connections(self, user: str) -> None:
        status, body = self._get("/connections?columns=name,user")
        self._ok(status, "listing connections")
        for c in body:
            if c.get("user") == user:
                self._call("DELETE", f"/connections/{_q(c['name'])}")

    def _get(self, path: str) -> tuple[int, list]:
        req = urllib.request.Request(self.base + path, headers={"authorization": self.auth})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as answer:
                return answer.status, json.loads(answer.read() or b"[]")
        except urllib.error.HTTPError as e:
            return e.code, []


class Rabbitmqctl:
    """`rabbitmqctl` on the broker's host (the management plugin may be off)."""

    def __init__(self) -> None:
        exe = shutil.which("rabbitmqctl")
        if not exe:
            raise AgencyError("neither the management API answers nor is rabbitmqctl installed here: "
                              "run this on the broker's host, or enable rabbitmq_management")
        self.exe = exe

    def _run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([self.exe, "--quiet", *args], input=stdin, capture_output=True, text=True, timeout=60)

    def _ok(self, done: subprocess.CompletedProcess, what: str) -> None:
        if done.returncode != 0:
            raise AgencyError(f"rabbitmqctl {what}: {(done.stderr or done.stdout).strip()}")

    def user_exists(self, user: str) -> bool:
        done = self._run("list_users", "--formatter", "json")
        self._ok(done, "list_users")
        return any(u.get("user") == user for u in json.loads(done.stdout or "[]"))

    def put_user(self, user: str, password: str) -> None:
        # the password goes through standard input, never on a command line (`ps` shows those)
        command = "change_password" if self.user_exists(user) else "add_user"
        self._ok(self._run(command, user, stdin=password), f"{command} {user}")

    def set_permissions(self, vhost: str, user: str, perms: dict[str, str]) -> None:
        self._ok(self._run("set_permissions", "-p", vhost, user, perms["configure"], perms["write"], perms["read"]),
                 f"set_permissions {user}")

    def set_topic_permissions(self, vhost: str, user: str, perms: dict[str, str]) -> None:
        self._ok(self._run("set_topic_permissions", "-p", vhost, user, perms["exchange"], perms["write"],
                           perms["read"]), f"set_topic_permissions {user}")

    def delete_user(self, user: str) -> bool:
        if not self.user_exists(user):
            return False
        self._ok(self._run("delete_user", user), f"delete_user {user}")
        return True

    def list_users(self) -> set[str]:
        done = self._run("list_users", "--formatter", "json")
        self._ok(done, "list_users")
        return {u.get("user") for u in json.loads(done.stdout or "[]")}

    def import_definitions(self, doc: dict) -> None:
        """One call for everything. The CLI reads the file as the broker's user (Debian's wrapper),
        so it is readable by all while it exists: it holds salted hashes, never a password."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="langxanh-defs-") as f:
            f.write(json.dumps(doc))
            f.flush()
            os.chmod(f.name, 0o644)
            self._ok(self._run("import_definitions", f.name), "import_definitions")

    def set_operator_policy(self, vhost: str, name: str, pattern: str, definition: dict,
                            apply_to: str = "queues") -> None:
        self._ok(self._run("set_operator_policy", "-p", vhost, "--apply-to", apply_to, name, pattern,
                           json.dumps(definition)), f"set_operator_policy {name}")

    def list_queues(self, vhost: str) -> list[str]:
        done = self._run("list_queues", "-p", vhost, "name", "--formatter", "json")
        self._ok(done, "list_queues")
        return [q["name"] for q in json.loads(done.stdout or "[]")]

    def delete_queue(self, vhost: str, queue: str) -> None:
        done = self._run("delete_queue", "-p", vhost, queue)
        if done.returncode != 0 and "not found" not in (done.stderr + done.stdout).lower():
            self._ok(done, f"delete_queue {queue}")

    def close_user_connections(self, user: str) -> None:
        self._run("close_all_user_connections", user, "account removed")


def _q(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def admin_for(broker: Broker):  # type: ignore[no-untyped-def]
    management = Management(broker)
    return management if management.answers() else Rabbitmqctl()


@dataclass(frozen=True)
class Account:
    user: str
    password: str | None  # None: unchanged (the account existed and no password was given)
    vhost: str
    queue_prefix: str
    permissions: dict[str, str]
    created: bool


def add(name: str, amqp_uri: str, exchange: str = DEFAULT_EXCHANGE, password: str | None = None,
        admin=None, policy: dict | None = None) -> Account:  # type: ignore[no-untyped-def]
    """Create (or re-apply) the agency's account on the vhost of `amqp_uri`, and the vhost's
    policy on agency queues (`policy`: shared.broker_setup.agency_policy; by default from the
    settings). A new account with no password given gets a random one, returned once; an
    existing one keeps its password unless one is given."""
    broker = parse_amqp_uri(amqp_uri)
    user = username(name)
    admin = admin or admin_for(broker)
    existed = admin.user_exists(user)
    if password is None and not existed:
        password = secrets.token_urlsafe(18)
    if password is not None:
        admin.put_user(user, password)
    perms = permissions(name, exchange)
    admin.set_permissions(broker.vhost, user, perms)
    admin.set_topic_permissions(broker.vhost, user, topic_permissions(exchange))
    from shared import broker_setup

    broker_setup.apply_agency_policy(admin, broker.vhost, policy or broker_setup.agency_policy_from_settings())
    return Account(user, password, broker.vhost, queue_prefix(name), perms, created=not existed)


def remove(name: str, amqp_uri: str, admin=None) -> bool:  # type: ignore[no-untyped-def]
    """Delete the agency's user, close its connections (so that it cannot declare again), and
    delete its queues `agency.NAME.…` on the vhost of `amqp_uri`. False: there was no such user
    (its queues are deleted all the same)."""
    broker = parse_amqp_uri(amqp_uri)
    admin = admin or admin_for(broker)
    user = username(name)
    removed = admin.delete_user(user)
    admin.close_user_connections(user)
    for queue in admin.list_queues(broker.vhost):
        if queue.startswith(queue_prefix(name)):
            admin.delete_queue(broker.vhost, queue)
    return removed
