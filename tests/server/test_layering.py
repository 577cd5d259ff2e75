# SPDX-License-Identifier: Apache-2.0
"""The server's import structure: ``app.py`` is imported only by the process entry points above
it (``main.py``, ``workers.py``, the package's ``__init__``), and imports neither of them."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "mxserve" / "server"
ENTRY_POINTS = {"main.py", "workers.py", "__init__.py"}


def imported_modules(path: Path) -> set[str]:
    """The server modules ``path`` imports (relative imports resolved to a file name)."""
    out = set()
    pkg = path.parent.relative_to(SERVER).parts
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(pkg[: len(pkg) - (node.level - 1)]) if node.level > 1 else list(pkg)
            target = [*base, *(node.module or "").split(".")] if node.module else base
            out.add("/".join(p for p in target if p))
            for alias in node.names:
                out.add("/".join([*(p for p in target if p), alias.name]))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mxserve.server"):
            out.add(node.module.removeprefix("mxserve.server").lstrip(".").replace(".", "/"))
    return out


def test_no_server_module_below_the_entry_points_imports_app() -> None:
    offenders = [
        str(p.relative_to(SERVER))
        for p in sorted(SERVER.rglob("*.py"))
        if str(p.relative_to(SERVER)) not in ENTRY_POINTS and "app" in imported_modules(p)
    ]
    assert offenders == []


def test_app_imports_no_entry_point() -> None:
    assert not imported_modules(SERVER / "app.py") & {"main", "workers"}
