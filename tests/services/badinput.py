"""Bad input for every RPC of a service, generated from its contracts."""
import typing

import pytest
from nameko.testing.services import entrypoint_hook

from shared.kit.errors import InvalidInput

BIG = "x" * 10_000_000


def rpc_methods(service_cls):
    for name in dir(service_cls):
        contract = getattr(getattr(service_cls, name), "contract", None)
        if contract is not None:
            yield name, contract


def literal_fields(contract):
    for field, info in contract.model_fields.items():
        args = [a for a in typing.get_args(info.annotation) if typing.get_origin(a) is typing.Literal] or \
               ([info.annotation] if typing.get_origin(info.annotation) is typing.Literal else [])
        if args:
            yield field


def call(container, method, payload, context):
    with entrypoint_hook(container, method, context_data=context) as hook:
        return hook(**payload)


def log_head(container):
    with entrypoint_hook(container, "ping", context_data={"actor": {"id": "health", "role": "system"}}) as ping:
        return ping()["log_head"]


def assert_every_bad_input_refused(container, service_cls, valid, context, judged_as=None):
    """Missing fields, wrong types, 10 MB values, unknown enum values and unknown fields on
    every RPC → InvalidInput naming the field; the log does not move. Returns the case count.
    `judged_as` {method: {field: name}}: a field whose content the service judges as a thing of its
    own (the bytes of `data_b64` are the report `document`) may be refused under that name."""
    methods = dict(rpc_methods(service_cls))
    assert set(methods) == set(valid), f"a valid payload is needed for {set(methods) ^ set(valid)}"
    head = log_head(container)
    cases = 0
    for method, contract in methods.items():
        good = valid[method]
        bad = []
        required = [f for f, info in contract.model_fields.items() if info.is_required()]
        if required:
            bad.append(("missing", {k: v for k, v in good.items() if k != required[0]}, required[0]))
        for field in contract.model_fields:
            if field == "command_id":
                continue
            bad.append(("wrong type", {**good, field: {"nested": ["junk"]}}, field))
            bad.append(("10 MB", {**good, field: BIG}, field))
        for field in literal_fields(contract):
            bad.append(("unknown enum", {**good, field: "no_such_value"}, field))
        bad.append(("unknown field", {**good, "is_admin": True}, "is_admin"))
        for label, payload, field in bad:
            with pytest.raises(InvalidInput) as e:
                call(container, method, payload, context)
            named = {field, (judged_as or {}).get(method, {}).get(field, field)}
            assert e.value.field and e.value.field.split(".")[0] in named, (method, label, e.value.field)
            assert len(str(e.value)) < 2000, "the error never echoes the input back"
            cases += 1
    assert log_head(container) == head
    return cases
