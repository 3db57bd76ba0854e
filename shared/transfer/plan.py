"""What applying a file would do, row by row, and applying it.

A site is the one whose id is derived from its reference key (site_id_for, as the seed does); an
establishment the one derived from its site and registration code. A row naming none is created; a
row that differs in an amendable field becomes an amendment of those fields only; a row equal to
the registry is unchanged. Fields the service never amends (a site's kind and jurisdiction, an
establishment's form) that differ are problems. Command ids are derived from the key and the
content (and, for an amendment, the version amended), so applying the same file again — or again
after a crash half way — acts on nothing new: the service answers a repeated id with its stored answer.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from shared.contracts.site_rules import establishment_id_for
from shared.contracts.sites import EstablishmentChanges, RegisterSite, SiteChanges
from shared.kit.values import coarse
from shared.transfer.problems import Problem, short
from shared.transfer.rows import Parsed, Row, site_id_of

SITE_FIXED = ("kind", "old_district", "old_commune", "commune")
ESTABLISHMENT_FIXED = ("form",)


class Registry(Protocol):
    def site(self, site_id: str) -> dict | None: ...
    def establishment(self, establishment_id: str) -> dict | None: ...


@dataclass
class Action:
    row: int
    key: str
    verb: str            # create | amend | unchanged
    rpc: str | None = None
    arguments: dict = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"row": self.row, "key": self.key, "verb": self.verb, "changed": self.changed}


@dataclass
class Plan:
    sheet: str
    actions: list[Action]
    problems: list[Problem]

    @property
    def valid(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        count = {v: sum(1 for a in self.actions if a.verb == v) for v in ("create", "amend", "unchanged")}
        return {"create": count["create"], "amend": count["amend"], "unchanged": count["unchanged"],
                "errors": len(self.problems), "error_rows": len({p.row for p in self.problems})}


def rpc_name(service: str, rpc: str) -> str:
    """An RPC named where it is chosen, written as a call so the broker ACL's scan of the CLI's code
    (tests/security/test_broker_acl.py) sees `service.rpc` (as services/gateway/staff/registry_kit.py)."""
    return rpc


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()[:20]


def _site_action(row: Row, registry: Registry) -> tuple[Action | None, list[Problem]]:
    cmd = row.command
    assert isinstance(cmd, RegisterSite)
    key = cmd.reference_key or ""
    site_id = site_id_of(key)
    current = registry.site(site_id)
    payload = cmd.model_dump(mode="json", exclude={"command_id"})
    if current is None and site_id == key:
        return None, [Problem(row.number, "reference_key", short(key), "unknown_site",
                              "no site has this id; a new site is named by a reference key, not an id")]
    if current is not None and site_id == key:
        payload["reference_key"] = current.get("reference_key")  # a site without a key, named by its id
    if current is None:
        return Action(row.number, key, "create", rpc_name("sites", "register_site"),
                      {"command_id": f"import:site:{key}:{digest(payload)}", **payload}), []
    problems = _fixed(row, SITE_FIXED, payload, current)
    wanted = {k: payload[k] for k in SiteChanges.model_fields if k in row.present}
    if "location" in wanted:
        wanted["location"] = coarse(wanted["location"])
    now = SiteChanges.model_validate({k: current.get(k) for k in wanted}).model_dump(mode="json")
    changes = {k: v for k, v in wanted.items() if v != now.get(k)}
    target = {"site_id": site_id, "source": payload["source"]}
    return _amend_or_same(row, key, rpc_name("sites", "amend_site"), target, changes, current), problems


def _establishment_action(row: Row, registry: Registry) -> tuple[Action | None, list[Problem]]:
    cmd = row.command
    payload = cmd.model_dump(mode="json", exclude={"command_id"})
    site = registry.site(payload["site_id"])
    if site is None:
        return None, [Problem(row.number, "site_key", short(payload["site_id"]), "unknown_site",
                              "no site with this reference key or id (import the sites first)")]
    if not site.get("active", True):
        return None, [Problem(row.number, "site_key", short(payload["site_id"]), "inactive_site",
                              f"site {site.get('name')} is deactivated")]
    est_id = str(establishment_id_for(UUID(str(site["id"])), payload["registration_code"]))
    current = registry.establishment(est_id)
    key = f"{site.get('reference_key') or site['id']}:{payload['registration_code']}"
    if current is None:
        return Action(row.number, key, "create", rpc_name("sites", "register_establishment"),
                      {"command_id": f"import:establishment:{key}:{digest(payload)}", **payload}), []
    problems = _fixed(row, ESTABLISHMENT_FIXED, payload, current)
    wanted = {k: payload[k] for k in EstablishmentChanges.model_fields if k in row.present}
    now = EstablishmentChanges.model_validate({k: current.get(k) for k in wanted}).model_dump(mode="json")
    changes = {k: v for k, v in wanted.items() if v != now.get(k)}
    target = {"establishment_id": est_id, "source": payload["source"]}
    return _amend_or_same(row, key, rpc_name("sites", "amend_establishment"), target, changes, current), problems


def _fixed(row: Row, names: tuple[str, ...], payload: dict, current: dict) -> list[Problem]:
    return [Problem(row.number, name, short(payload.get(name)), "not_amendable",
                    f"{name} is {current.get(name)!r} in the registry and is not changed by an import")
            for name in names if name in row.present and payload.get(name) and payload.get(name) != current.get(name)]


def _amend_or_same(row: Row, key: str, rpc: str, target: dict, changes: dict, current: dict) -> Action:
    if not changes:
        return Action(row.number, key, "unchanged")
    kind = rpc.split("_", 1)[1]
    command_id = f"import:{kind}:{key}:v{current.get('version')}:{digest(changes)}"
    return Action(row.number, key, "amend", rpc, {"command_id": command_id, **target, "changes": changes},
                  sorted(changes))


def make_plan(sheet: str, parsed: Parsed, registry: Registry) -> Plan:
    actions: list[Action] = []
    problems = list(parsed.problems)
    build = _site_action if sheet == "sites" else _establishment_action
    for row in parsed.rows:
        action, found = build(row, registry)
        problems += found
        if action is not None and not found:
            actions.append(action)
    return Plan(sheet, actions, problems)


def apply(plan: Plan, call: Callable[[str, dict], Any],
          progress: Callable[[Action], None] | None = None) -> int:
    """Send every create and amend of a valid plan; the number sent. An invalid plan sends nothing."""
    if not plan.valid:
        raise ValueError("the file has problems: nothing is applied")
    sent = 0
    for action in plan.actions:
        if action.rpc:
            call(action.rpc, action.arguments)
            sent += 1
        if progress:
            progress(action)
    return sent
