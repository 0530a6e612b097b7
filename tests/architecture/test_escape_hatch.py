"""One way to read across regions on a request path: ``across_regions("reason")``.

Any other spelling — the plain base manager (``._base``, ``_base_manager``), raw SQL (``cursor()``, ``.raw(``,
``.extra(``), or ``unscoped()`` — fails outside management commands, migrations, tests and the few modules below
that are themselves the mechanism, each with its reason.
"""

from __future__ import annotations

import ast
import pathlib
import re

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "shegong"

ALLOWED = {
    "core/scoping.py": "defines the scope, the base manager and both ways out",
    "core/tasks.py": "a task enqueued by a command runs as the system, like the command (unscoped)",
    "core/bulk.py": "COPY of rows already validated and scoped by the caller; it writes, never reads",
    "core/partitioning.py": "creates, lists and detaches partitions (DDL and the catalogue, no region-owned reads)",
    "core/management/base.py": "management commands run unscoped",
    "audit/guard.py": "installs and opens the audit log's append-only triggers (the log is not region-owned)",
    "core/health.py": "/readyz reads the migration table and runs SELECT 1; it reads no region-owned row",
    "core/dbrouting.py": "the replica probe reads WAL positions on both servers; it reads no region-owned row",
    "audit/services.py": "prune deletes old audit entries under the trigger guard (the log is not region-owned)",
}
FORBIDDEN = re.compile(r"\._base\b|_base_manager|\bcursor\(\)|\.raw\(|\.extra\(|\bunscoped\(\)")


def exempt(relative: pathlib.PurePath) -> bool:
    return (
        "management" in relative.parts
        or "migrations" in relative.parts
        or relative.name.startswith("test")
        or relative.as_posix() in ALLOWED
    )


def other_spellings(root: pathlib.Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if exempt(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if FORBIDDEN.search(code):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def calls_without_reason(root: pathlib.Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "across_regions" or relative.as_posix() == "core/scoping.py":
                continue
            reason = node.args[0] if node.args else None
            if not (
                isinstance(reason, ast.Constant) and isinstance(reason.value, str) and reason.value.strip()
            ):
                found.append(f"{relative}:{node.lineno}")
    return found


def test_request_paths_leave_the_scope_only_through_across_regions():
    assert other_spellings(SRC) == []


def test_every_across_regions_says_why():
    assert calls_without_reason(SRC) == []


def test_a_base_manager_read_is_caught(tmp_path):
    (tmp_path / "people").mkdir()
    (tmp_path / "people" / "selectors.py").write_text(
        "def f(model):\n    return model._base.filter(x=1)\n\ndef g(model):\n    return model._base_manager.all()\n"
    )
    assert other_spellings(tmp_path) == [
        "people/selectors.py:2: return model._base.filter(x=1)",
        "people/selectors.py:5: return model._base_manager.all()",
    ]


def test_raw_sql_and_unscoped_are_caught_but_commands_may_use_them(tmp_path):
    (tmp_path / "orgs" / "management" / "commands").mkdir(parents=True)
    (tmp_path / "orgs" / "management" / "commands" / "x.py").write_text("with unscoped():\n    pass\n")
    (tmp_path / "orgs" / "views.py").write_text(
        "with connection.cursor() as c:\n    pass\nwith unscoped():\n    pass\n"
    )
    assert other_spellings(tmp_path) == [
        "orgs/views.py:1: with connection.cursor() as c:",
        "orgs/views.py:3: with unscoped():",
    ]


def test_a_reasonless_across_regions_is_caught(tmp_path):
    (tmp_path / "orgs").mkdir()
    (tmp_path / "orgs" / "x.py").write_text(
        "with across_regions(''):\n    pass\nwith across_regions(why):\n    pass\n"
    )
    assert calls_without_reason(tmp_path) == ["orgs/x.py:1", "orgs/x.py:3"]
