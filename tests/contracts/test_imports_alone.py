"""Every contracts module imports on its own, first, in a fresh interpreter: a cycle between two of
them (sites_links importing sites, which imports sites_links) only shows when the one imported
first is the one the rest of the code imports second (the bot's demo, the chaos run)."""
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(f"shared.contracts.{p.stem}" for p in (ROOT / "shared" / "contracts").glob("*.py") if p.stem != "__init__")


def _alone(module: str) -> tuple[str, int, str]:
    out = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    return module, out.returncode, out.stderr[-600:]


def test_every_contracts_module_imports_first_and_alone():
    with ThreadPoolExecutor(4) as pool:
        failed = [r for r in pool.map(_alone, MODULES) if r[1] != 0]
    assert len(MODULES) > 20
    assert failed == [], "\n".join(f"{m}: {err}" for m, _, err in failed)
