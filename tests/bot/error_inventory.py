"""Every error code a service can raise, read from the source (AST), for the bot's error-text tests.

A raise of a kit error (or of a subclass, found by its bases) gives (kind, field, rule, message).
Constants, module-level string constants and `a if c else b` of constants are read as they are;
a code computed at run time must be listed in DYNAMIC (where it is and what it can be), so a new
computed code fails the inventory until someone says what it can be.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASES = {"NotFound": "not_found", "Forbidden": "forbidden", "InvalidInput": "invalid_input", "Conflict": "conflict"}
# subclasses that fix their rule in __init__ (checked: every subclass with an __init__ is here)
FIXED_RULE = {"TooMany": "rate_limit"}
# (file, source of the argument) -> what it can be at run time; None for a rule passed through from
# an error already in the inventory (re-raised with its own codes)
DYNAMIC: dict[tuple[str, str], frozenset[str] | None] = {
    ("services/manifests/application.py", "need"): frozenset({"hw_generator", "transporter", "treatment_facility"}),
    ("shared/contracts/open311.py", "rule"): frozenset({"unsupported", "required_one_of"}),
    ("shared/kit/assertion.py", "rule"): frozenset({"required", "malformed", "unknown_component", "signature",
                                                     "expired", "role_not_allowed_for_component"}),
    ("shared/kit/nameko_glue.py", "str(first['type'])"): None,  # pydantic's types: the kit's table, tested apart
    ("services/gateway/service.py", "str(first['type'])"): None,
    ("shared/contracts/open311.py", "str(first['type'])"): None,
    # a report document's refusals (documents.refuse(message, rule)), field "document"
    ("services/inspections/documents.py", "rule"): frozenset({"required", "max_size", "file_type", "macros",
                                                              "zip_entries", "encrypted", "zip_bomb"}),
    ("services/inspections/limits.py", "e['rule']"): None,  # evaluate_sample's own codes, passed through
}
PASS_THROUGH = {"e.rule", "exc.rule", "error.rule", "err.rule"}


@dataclass(frozen=True)
class Code:
    kind: str
    field: str | None  # None: no field, or one computed at run time (the rule's own text must do)
    rule: str | None
    message: str  # the constant parts of the service's message
    where: str


def _files() -> list[Path]:
    return sorted(p for top in ("services", "shared") for p in (ROOT / top).rglob("*.py"))


def _kinds(trees: dict[Path, ast.Module]) -> dict[str, str]:
    kinds = dict(BASES)
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in kinds:
                    for base in node.bases:
                        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
                        if name in kinds:
                            kinds[node.name] = kinds[name]
                            grew = True
    return kinds


def subclasses_with_init(trees: dict[Path, ast.Module], kinds: dict[str, str]) -> set[str]:
    out = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in kinds and node.name not in BASES:
                if any(isinstance(b, ast.FunctionDef) and b.name == "__init__" for b in node.body):
                    out.add(node.name)
    return out


def _constants(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node.value.value
    return out


def _values(node: ast.expr | None, consts: dict[str, str], where: str) -> set[str | None] | None:
    """What an argument can be; None when it is computed at run time and not listed."""
    if node is None:
        return {None}
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
        return {node.value}
    if isinstance(node, ast.Name) and node.id in consts:
        return {consts[node.id]}
    if isinstance(node, ast.IfExp):
        a, b = _values(node.body, consts, where), _values(node.orelse, consts, where)
        return None if a is None or b is None else a | b
    return None


def _message(node: ast.expr | None) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):
        return _message(node.left) + " " + _message(node.right)
    return ""


def _arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def inventory() -> tuple[list[Code], list[str]]:
    """(every code, every raise whose codes could not be read: must stay empty)."""
    trees = {p: ast.parse(p.read_text("utf-8")) for p in _files()}
    kinds = _kinds(trees)
    codes, unread = [], []
    for path, tree in trees.items():
        rel, consts = path.relative_to(ROOT).as_posix(), _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in kinds:
                continue
            where = f"{rel}:{node.lineno}"
            field_node, rule_node = _arg(node, 1, "field"), _arg(node, 2, "rule")
            fields = _values(field_node, consts, where)
            if name in FIXED_RULE:
                rules: set[str | None] | None = {FIXED_RULE[name]}
            elif rule_node is not None and ast.unparse(rule_node) in PASS_THROUGH:
                continue  # re-raised with the codes of an error in the inventory
            else:
                rules = _values(rule_node, consts, where)
                if rules is None:
                    key = (rel, ast.unparse(rule_node))
                    if key not in DYNAMIC:
                        unread.append(f"{where}: rule {key[1]}")
                        continue
                    if DYNAMIC[key] is None:
                        continue
                    rules = set(DYNAMIC[key])
            for field in fields if fields is not None else {None}:
                for rule in rules:
                    codes.append(Code(kinds[name], field, rule, _message(_arg(node, 0, "message")), where))
    return codes, unread
