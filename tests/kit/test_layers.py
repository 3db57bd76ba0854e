"""The layers, read from the source: shared/ (the kit, the contracts) imports nothing from
services/, bot/ or langxanh/ (the command, which wires everything, stands above them), and a
service's domain model imports no transport (nameko, kombu, eventlet, pydantic, fastapi, telegram)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ABOVE_THE_KIT = ("services", "bot", "langxanh")
TRANSPORTS = ("nameko", "kombu", "amqp", "eventlet", "pydantic", "fastapi", "starlette", "telegram", "psycopg")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending(paths: list[Path], roots: tuple[str, ...]) -> dict[str, list[str]]:
    out = {}
    for path in paths:
        bad = sorted(m for m in imported(path) if m.split(".")[0] in roots)
        if bad:
            out[str(path.relative_to(ROOT))] = bad
    return out


def test_the_kit_and_the_contracts_import_nothing_above_them() -> None:
    assert offending(sorted((ROOT / "shared").rglob("*.py")), ABOVE_THE_KIT) == {}


@pytest.mark.parametrize("service", ["sites", "inspections", "manifests", "indicators", "gateway"])
def test_a_domain_model_imports_no_transport(service: str) -> None:
    assert offending([ROOT / "services" / service / "domainmodel.py"], TRANSPORTS) == {}


def test_the_scan_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from services.sites.domainmodel import site_id_for\n", encoding="utf-8")
    assert imported(probe) == {"services.sites.domainmodel"}
