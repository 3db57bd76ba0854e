"""Every RPC of every service, fed by hypothesis. Inputs are generated from each contract's own
JSON schema by schemathesis' generator (the contracts become one OpenAPI operation each): positive
cases (valid, so many reach the application) and negative ones (a field of the wrong type,
missing, out of range, an unknown field). Each call is made as some kind of actor. Whatever
happens: no uncaught exception — a rejection is one of the kit's typed errors with a message; a
rejected command changes nothing (the service's log does not move); a query never changes anything."""
from __future__ import annotations

import json
import uuid
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from shared.contracts.base import Command
from shared.kit.actor import Actor, Role
from shared.kit.errors import KINDS, LangXanhError
from tests.bot.cluster import CLASSES
from tests.fuzz.conftest import EXAMPLES

SEEN: Counter = Counter()


def rpcs() -> list[tuple[str, str, type]]:
    out = []
    for service, cls in CLASSES.items():
        for name in dir(cls):
            contract = getattr(getattr(cls, name, None), "contract", None)
            if contract is not None:
                out.append((service, name, contract))
    return sorted(out, key=lambda r: (r[0], r[1]))


RPCS = rpcs()


def operations() -> dict[str, object]:
    """One OpenAPI operation per RPC, its request body the contract's JSON schema."""
    paths, components = {}, {}
    for service, rpc, contract in RPCS:
        name = f"{service}.{rpc}"
        schema = contract.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[f"{service}__{rpc}"] = schema
        paths[f"/{name}"] = {"post": {"operationId": name, "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{service}__{rpc}"}}}},
            "responses": {"200": {"description": "answered"}}}}
    doc = {"openapi": "3.1.0", "info": {"title": "Làng Xanh RPC contracts", "version": "1"}, "paths": paths,
           "components": {"schemas": components}}
    return {r.ok().path.lstrip("/"): r.ok() for r in schemathesis.openapi.from_dict(doc).get_all_operations()}


OPERATIONS = operations()
ACTORS = st.sampled_from([
    Actor("fuzz-resident", Role.RESIDENT), Actor("fuzz-business", Role.BUSINESS, establishment=str(uuid.uuid4())),
    Actor("fuzz-transporter", Role.TRANSPORTER, establishment=str(uuid.uuid4())),
    Actor("fuzz-facility", Role.TREATMENT_FACILITY, establishment=str(uuid.uuid4())),
    Actor("fuzz-inspector", Role.INSPECTOR), Actor("fuzz-agency", Role.AGENCY), Actor("fuzz-admin", Role.ADMIN),
])


def public_moves(app, head: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Events stored after `head`, but those of private aggregates: a wrong link code counts
    against its account (sites' RedeemGuard, issue 13) and changes nothing else."""
    private = set(getattr(app, "private_aggregates", ()))
    return [n.topic for n in app.select_notifications(head + 1, 100)
            if n.topic.rsplit(":", 1)[-1].split(".", 1)[0] not in private]


@pytest.mark.parametrize("service,rpc,contract", RPCS, ids=[f"{s}.{r}" for s, r, _ in RPCS])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_an_rpc_never_fails_untyped_and_a_rejection_changes_nothing(cluster, service, rpc, contract, mode):
    app = cluster.kits[service].app
    operation = OPERATIONS[f"{service}.{rpc}"]

    @given(case=operation.as_strategy(generation_mode=mode), actor=ACTORS)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def one(case, actor: Actor) -> None:  # type: ignore[no-untyped-def]
        assume(isinstance(case.body, dict))  # the wire carries a JSON object of keyword arguments
        payload = json.loads(json.dumps(case.body))
        head = app.log_head()
        try:
            cluster.call_sync(actor, service, rpc, **payload)
        except LangXanhError as e:
            assert type(e) in KINDS, f"{type(e).__name__} is not a kit kind"
            assert e.message and isinstance(e.message, str)
            assert public_moves(app, head) == [], f"rejected {rpc} moved the log: {e}"
            SEEN[f"rejected-{mode.value}"] += 1
            return
        SEEN[f"accepted-{mode.value}"] += 1
        if not issubclass(contract, Command):
            assert app.log_head() == head, f"query {rpc} moved the log"

    one()


def test_the_fuzzing_reached_both_sides():
    """Valid cases were accepted and invalid ones rejected (a fuzzer that only bounces is blind)."""
    assert SEEN["accepted-positive"] > 0 and SEEN["rejected-negative"] > 0, SEEN
    print(dict(SEEN))
