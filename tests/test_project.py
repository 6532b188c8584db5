"""The project as a Python project declares itself: every package the code imports is a pinned
dependency in pyproject.toml (the demo's and the tests' tools as extras), and requirements.lock —
what ./run installs, hash-checked — holds exactly those pins. A package used but undeclared, or
a pin that drifted from the lock, fails here before it fails on a user's machine."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from ctcflow.core.config import PROJECT_ROOT

RUNTIME = ("ctcflow", "db", "flows", "tasks")
TOOLS = ("demo", "tests", "bench")
OWN = {"ctcflow", "db", "flows", "tasks", "demo", "tests", "bench"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for line in requirements:
        match = re.match(r"\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*==\s*([^\s;#]+)", line)
        assert match, f"pyproject.toml: '{line}' is not pinned with =="
        found[_normal(match.group(1))] = match.group(3)
    return found


def _project() -> tuple[dict[str, str], dict[str, str]]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [line for group in project["optional-dependencies"].values() for line in group]
    return _pins(project["dependencies"]), _pins(extras)


def _imported(packages: tuple[str, ...]) -> dict[str, str]:
    """Top-level module imported → the first file importing it."""
    found: dict[str, str] = {}
    for package in packages:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
                         else [])
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(PROJECT_ROOT)))
    return {m: f for m, f in found.items() if m not in sys.stdlib_module_names and m not in OWN}


def _undeclared(packages: tuple[str, ...], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(_imported(packages).items()):
        owners = {_normal(d) for d in distributions.get(module, [module])}
        if not owners & declared:
            missing.append(f"{where}: imports {module} ({', '.join(sorted(owners))}), not in pyproject.toml")
    return missing


def test_every_package_the_code_imports_is_declared() -> None:
    runtime, extras = _project()
    assert _undeclared(RUNTIME, set(runtime)) == []
    assert _undeclared(TOOLS, set(runtime) | set(extras)) == []


def test_the_lock_holds_every_pin_of_pyproject_with_hashes() -> None:
    runtime, extras = _project()
    text = (PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8")
    locked = {_normal(name): version for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}
    drift = {name: (pin, locked.get(name)) for name, pin in {**runtime, **extras}.items() if locked.get(name) != pin}
    assert drift == {}, "pyproject.toml pin → lock; refresh the lock with ./run lock"
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    unhashed = [e.split()[0] for e in entries if not e.lstrip().startswith("#") and "--hash=sha256:" not in e]
    assert unhashed == []



def test_every_web_address_is_in_the_documentation() -> None:
    """docs/web.md lists every address the server answers, and none it does not."""
    from ctcflow.web.app import ROUTERS

    served = {getattr(route, "path", "") for router in ROUTERS for route in router.routes}
    table = (PROJECT_ROOT / "docs" / "web.md").read_text(encoding="utf-8").split("## Every address", 1)[1]
    documented = set()
    for cell in re.findall(r"^\| [A-Z ]+ \| (.+?) \|", table, re.M):
        prefix = ""
        for path in re.findall(r"`([^`]+)`", cell):
            path = path if path.startswith("/") and not path.startswith("/plan") else prefix + path
            prefix = path.split("/plan")[0] if "/plan" in path else prefix
            documented.add(path)
    assert served - documented == set(), "addresses served but not in docs/web.md"
    assert documented - served == set(), "addresses in docs/web.md the server does not answer"
