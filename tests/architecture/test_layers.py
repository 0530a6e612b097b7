"""The layering rule of docs/development.md, read from the code: every import, including those inside functions.

An app imports only apps of its own layer or below, and no two apps import each other. The project's wiring
modules (settings, urls, api, cli, wsgi) sit above every layer and may import anything.
"""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

import pytest

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "shegong"

# Lowest first. Inside the ground layer, core is the floor: it imports no other app.
LAYERS = {
    "ground": ["core", "regions", "audit", "accounts", "notifications"],
    "registries": ["orgs", "network", "people", "workers", "volunteers", "recipients"],
    "service work": ["visits", "cases", "groups", "activities", "demands"],
    "oversight": ["projects", "supervision", "charity", "evaluation", "integrity"],
    "top": ["disclosure", "dashboards", "reports"],
}
LAYER_OF = {app: rank for rank, apps in enumerate(LAYERS.values()) for app in apps}
LAYER_NAMES = list(LAYERS)
WIRING = {"settings", "urls", "api", "cli", "wsgi", "__init__", "__main__"}


def app_dirs(root: pathlib.Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "apps.py").exists())


def imports_of(root: pathlib.Path) -> dict[str, dict[str, list[str]]]:
    """app -> imported app -> the "file:line" of each import (migrations excluded: they are generated)."""
    apps = set(app_dirs(root))
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] not in apps or "migrations" in relative.parts:
            continue
        source = relative.parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
                if node.module == "shegong":  # from shegong import visits
                    modules = [f"shegong.{alias.name}" for alias in node.names]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] == "shegong" and len(parts) > 1 and parts[1] in apps and parts[1] != source:
                    found[source][parts[1]].append(f"{relative}:{node.lineno}")
    return found


def violations(root: pathlib.Path) -> list[str]:
    problems = []
    edges = imports_of(root)
    for app in app_dirs(root):
        if app not in LAYER_OF:
            problems.append(f"{app}: not in any layer — add it to docs/development.md and LAYERS here")
    for source, targets in edges.items():
        for target, places in targets.items():
            if source not in LAYER_OF or target not in LAYER_OF:
                continue
            if LAYER_OF[target] > LAYER_OF[source]:
                problems.append(
                    f"{source} ({LAYER_NAMES[LAYER_OF[source]]}) imports {target} "
                    f"({LAYER_NAMES[LAYER_OF[target]]}), a higher layer: {', '.join(places)}"
                )
            if source == "core":
                problems.append(f"core imports {target}; core imports no other app: {', '.join(places)}")
            if source in edges.get(target, {}) and source < target:
                problems.append(
                    f"{source} and {target} import each other: {', '.join(places)} / "
                    f"{', '.join(edges[target][source])}"
                )
    return problems


def test_apps_import_only_their_layer_or_below_and_never_each_other():
    assert violations(SRC) == []


@pytest.fixture
def fake_tree(tmp_path):
    for app in ("core", "regions", "recipients", "visits", "dashboards"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "apps.py").write_text("")
    return tmp_path


def test_an_upward_import_inside_a_function_fails(fake_tree):
    (fake_tree / "recipients" / "services.py").write_text(
        "def f():\n    from shegong.visits.models import Visit\n    return Visit\n"
    )
    assert violations(fake_tree) == [
        "recipients (registries) imports visits (service work), a higher layer: recipients/services.py:2"
    ]


def test_two_apps_importing_each_other_fails_even_in_one_layer(fake_tree):
    (fake_tree / "core" / "x.py").write_text("import shegong.regions.models\n")
    (fake_tree / "regions" / "y.py").write_text("from shegong.core import scoping\n")
    problems = violations(fake_tree)
    assert "core imports regions; core imports no other app: core/x.py:1" in problems
    assert any("core and regions import each other" in p for p in problems)


def test_downward_imports_pass(fake_tree):
    (fake_tree / "dashboards" / "views.py").write_text("from shegong.visits import selectors\n")
    (fake_tree / "visits" / "views.py").write_text("from shegong.recipients import care\n")
    assert violations(fake_tree) == []
