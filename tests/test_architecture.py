"""The structure the README's Architecture section promises: every module imports, imports never
form a cycle (not even through an import inside a function), each layer imports only the layers
below it, and the code names no role of phases.yml (it asks for a role's kind)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import yaml

from ctcflow.core.config import PROJECT_ROOT

PACKAGES = ("ctcflow", "db", "flows", "tasks", "demo")
# What each part of ctcflow may import (besides itself). Lower layers never import higher ones.
ALLOWED = {
    "ctcflow.core": set(),
    "ctcflow.locale": {"ctcflow.core"},  # the tooling of the catalogues
    "ctcflow.definition": {"ctcflow.core"},
    "ctcflow.access": {"ctcflow.core", "ctcflow.definition"},
    "ctcflow.engine": {"ctcflow.core", "ctcflow.definition", "ctcflow.access"},
    "ctcflow.records": {"ctcflow.core", "ctcflow.definition", "ctcflow.access", "ctcflow.engine", "ctcflow.survey"},
    "ctcflow.survey": {"ctcflow.core", "ctcflow.definition", "ctcflow.access", "ctcflow.engine"},
    "ctcflow.notices": {"ctcflow.core", "ctcflow.definition", "ctcflow.access", "ctcflow.engine",
                        "ctcflow.delivery"},
    "ctcflow.delivery": {"ctcflow.core", "ctcflow.definition"},
    "ctcflow.report": {"ctcflow.core", "ctcflow.definition", "ctcflow.access", "ctcflow.engine",
                       "ctcflow.notices", "ctcflow.delivery", "ctcflow.survey", "ctcflow.records"},
    "ctcflow.app": {"ctcflow.core", "ctcflow.definition", "ctcflow.access", "ctcflow.engine", "ctcflow.records",
                    "ctcflow.survey", "ctcflow.notices", "ctcflow.delivery", "ctcflow.report"},
    "ctcflow.web": {"ctcflow.core", "ctcflow.definition", "ctcflow.access", "ctcflow.engine", "ctcflow.app",
                    "ctcflow.report"},
    "ctcflow.cli": {"ctcflow.core", "ctcflow.definition", "ctcflow.access", "ctcflow.app", "ctcflow.delivery",
                    "ctcflow.engine",
                    "ctcflow.records", "ctcflow.report", "ctcflow.web"},
}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every project module this file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, set(known)) - {name} for name, path in known.items()}


def test_every_module_imports() -> None:
    for name in sorted(modules()):
        if not name.endswith("__main__"):  # a __main__ runs its program when imported
            importlib.import_module(name)


def test_no_import_cycles_not_even_inside_functions() -> None:
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for child in sorted(edges[node]):
            if state.get(child) == 1:
                cycle = path[path.index(child):] + [child]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if child not in state:
                visit(child)
        path.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)


def layer(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "ctcflow" and len(parts) > 2 else None


def test_each_layer_imports_only_the_layers_below_it() -> None:
    wrong = []
    for module, targets in graph().items():
        own = layer(module)
        if module.startswith("db."):
            wrong += [f"{module} → {t}" for t in targets if not t.startswith(("db.", "ctcflow.core."))]
        if module.startswith("ctcflow."):
            wrong += [f"{module} → {t}" for t in targets if t.split(".")[0] in ("demo", "tests", "flows", "tasks")]
        if own is None:
            continue
        allowed = ALLOWED[own] | {own}
        wrong += [f"{module} → {t}" for t in targets if layer(t) is not None and layer(t) not in allowed]
    assert wrong == []


def test_the_code_names_no_role_of_phases_yml() -> None:
    """Role ids are the municipality's words; code asks phases.yml for the role of a kind."""
    roles = {r["id"] for r in yaml.safe_load((PROJECT_ROOT / "phases.yml").read_text(encoding="utf-8"))["roles"]}
    named = []
    for module, path in modules().items():
        if not module.startswith("ctcflow."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in roles:
                named.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.value!r}")
    assert named == []


def _constants_in(names: set[str], packages: tuple[str, ...]) -> list[str]:
    named = []
    for module, path in modules().items():
        if not module.startswith(packages):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                named.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.value!r}")
    return named


def test_the_code_names_no_phase_or_milestone_of_phases_yml() -> None:
    """Phase and milestone ids are the process's words: renaming one in phases.yml must not break
    the code. The code asks phases.yml (a phase's kind, a milestone's purpose, the order)."""
    process = yaml.safe_load((PROJECT_ROOT / "phases.yml").read_text(encoding="utf-8"))
    ids = {p["id"] for p in process["phases"]} | {m["id"] for p in process["phases"] for m in p["milestones"]}
    assert _constants_in(ids, ("ctcflow.", "flows.", "tasks.", "db.")) == []


def test_the_web_asks_the_application_layer_and_runs_no_query_of_its_own() -> None:
    """A page's data comes from ctcflow.app (ctcflow.app.pages, area_page, …) over the request's
    one session (web.deps.DbSession): no module of the web builds a query or names a table —
    but the history's wording, which reads the Event it is given."""
    querying = []
    for module, path in modules().items():
        if not module.startswith("ctcflow.web.") or module == "ctcflow.web.history":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.split(".")[0] == "sqlalchemy" or node.module == "db.models"):
                querying.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.module}")
    assert querying == []
