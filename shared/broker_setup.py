"""`langxanh broker setup`: the components' RabbitMQ users (shared/brokeracl.py) made on a broker,
and the same as a definitions document (deploy/rabbitmq/definitions.json).

Made with the broker's admin interfaces of shared/agency.py (the management API when it answers,
else `rabbitmqctl` on the broker's host); the AMQP_URI's credentials must be an administrator's.
A user that exists keeps its password unless one is given; a new one gets a random password,
returned once (the command writes them to a file of mode 0600 or prints them).
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import agency, brokeracl

AGENCY_POLICY = "langxanh-agency-queues"
AGENCY_PATTERN = r"^agency\."


def agency_policy(max_length: int, max_bytes: int, expires_seconds: float) -> dict[str, Any]:
    """The operator policy on every `agency.` queue. An operator policy, so that an agency's own
    queue arguments can only lower the limits (the smaller value wins); the overflow stays
    RabbitMQ's drop-head (the oldest messages go): `reject-publish` would nack the relay's
    publishes — every follower's — while one agency's queue is full."""
    return {"max-length": max_length, "max-length-bytes": max_bytes, "expires": int(expires_seconds * 1000)}


def agency_policy_from_settings(settings=None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from shared.kit.config import get_settings

    s = settings or get_settings()
    return agency_policy(s.agency_queue_max_length, s.agency_queue_max_bytes, s.agency_queue_expires)


def apply_agency_policy(admin, vhost: str, definition: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    admin.set_operator_policy(vhost, AGENCY_POLICY, AGENCY_PATTERN, definition, "queues")


@dataclass(frozen=True)
class Credential:
    component: str
    user: str
    password: str | None  # None: unchanged (the user existed and no password was given)
    created: bool

    def uri(self, host: str, port: int, vhost: str) -> str:
        password = urllib.parse.quote(self.password or "PASSWORD", safe="")
        return (f"amqp://{urllib.parse.quote(self.user, safe='')}:{password}@{host}:{port}/"
                f"{urllib.parse.quote(vhost, safe='')}")


def password_hash(password: str) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password)), 4-byte salt."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def setup(amqp_uri: str, exchange: str, policy: dict[str, Any], vhost: str | None = None,
          passwords: dict[str, str] | None = None, prefix: str = brokeracl.USER_PREFIX,
          admin=None) -> list[Credential]:  # type: ignore[no-untyped-def]
    """Make (or re-apply) every component's user on `vhost` (default: the AMQP_URI's, made if
    missing), its permissions and the agency queues' policy, as one definitions import."""
    broker = agency.parse_amqp_uri(amqp_uri)
    vhost = vhost or broker.vhost
    admin = admin or agency.admin_for(broker)
    passwords = dict(passwords or {})
    unknown = set(passwords) - set(brokeracl.COMPONENTS)
    if unknown:
        raise agency.AgencyError(f"passwords for unknown components {sorted(unknown)}")
    existing = admin.list_users()
    out = []
    for component in brokeracl.COMPONENTS:
        user = prefix + component
        if component not in passwords and user not in existing:
            passwords[component] = secrets.token_urlsafe(24)
        out.append(Credential(component, user, passwords.get(component), created=user not in existing))
    admin.import_definitions(definitions(vhost, exchange, policy, prefix, passwords, demo=False))
    apply_agency_policy(admin, vhost, policy)  # RabbitMQ 3.10 does not import operator policies
    return out


def write_credentials(path: Path, credentials: list[Credential], host: str, port: int, vhost: str) -> None:
    """`COMPONENT=AMQP_URI` lines in a file only its owner may read (mode 0600 from its creation)."""
    lines = [f"{c.component}={c.uri(host, port, vhost)}\n" for c in credentials if c.password is not None]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode otherwise
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.writelines(lines)


def definitions(vhost: str, exchange: str, policy: dict[str, Any], prefix: str = brokeracl.USER_PREFIX,
                passwords: dict[str, str] | None = None, demo: bool = True) -> dict[str, Any]:
    """The users, permissions and agency policy as a RabbitMQ definitions document. Without
    `passwords` no password is held: every password_hash is empty, so password login is off until
    an operator sets one; with them, only the users given a password are listed (salted hashes),
    the others keep theirs. `demo`: with the example agency `agency-demo`."""
    names = {c: prefix + c for c in brokeracl.COMPONENTS}

    def user(name: str, password: str | None) -> dict[str, Any]:
        return {"name": name, "password_hash": password_hash(password) if password else "",
                "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}

    if passwords is None:
        users = [user(names[c], None) for c in brokeracl.COMPONENTS]
    else:
        users = [user(names[c], passwords[c]) for c in brokeracl.COMPONENTS if c in passwords]
    permissions = [{"user": names[c], "vhost": vhost, **brokeracl.permissions(c, exchange)}
                   for c in brokeracl.COMPONENTS]
    topics = [{"user": names[c], "vhost": vhost, **t}
              for c in brokeracl.COMPONENTS for t in brokeracl.topic_permissions(c, exchange)]
    if demo:
        users.append(user(agency.username("demo"), None))
        permissions.append({"user": agency.username("demo"), "vhost": vhost, **agency.permissions("demo", exchange)})
        topics.append({"user": agency.username("demo"), "vhost": vhost, **agency.topic_permissions(exchange)})

    def topic_exchange(name: str) -> dict[str, Any]:
        return {"name": name, "vhost": vhost, "type": "topic", "durable": True, "auto_delete": False,
                "internal": False, "arguments": {}}

    return {
        "_comment": "Làng Xanh broker definitions, made by `langxanh broker setup --print-definitions` "
                    "(shared/brokeracl.py): one user per component; agency-demo shows the agency class "
                    "(`langxanh agency add NAME` makes real ones). No password is held here: every "
                    "password_hash is empty (password login off) until an operator sets one "
                    "(`langxanh broker setup` does, or rabbitmqctl change_password USER).",
        "vhosts": [{"name": vhost, "description": "Làng Xanh services and the public stream", "tags": []}],
        "users": users,
        "permissions": permissions,
        "topic_permissions": topics,
        "exchanges": [topic_exchange(exchange), topic_exchange(brokeracl.RPC_EXCHANGE),
                      topic_exchange(brokeracl.PARKED_EXCHANGE)],
        "queues": [], "bindings": [], "policies": [], "parameters": [],
        "operator_policies": [{"vhost": vhost, "name": AGENCY_POLICY, "pattern": AGENCY_PATTERN,
                               "apply-to": "queues", "definition": policy, "priority": 0}],
    }
