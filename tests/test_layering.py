"""kpi_core is the engine the app and the command line share: it never imports streamlit or the app's ui code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENGINE = REPO / "kpi_core"
FORBIDDEN = ("streamlit", "ui", "pages", "app")


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement in the file names (absolute, or relative resolved to 'kpi_core')."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("kpi_core" if node.level else (node.module or ""))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            names.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return names


def test_engine_sources_do_not_import_the_app() -> None:
    sources = sorted(ENGINE.rglob("*.py"))
    assert len(sources) >= 8  # the scan really sees the package
    offending = {
        f"{path.relative_to(REPO)}: {name}"
        for path in sources
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert not offending


def test_the_scanner_would_notice(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\nfrom ui.theme import x\nimportlib.import_module('pages.a')\n")
    assert {"streamlit", "ui.theme", "pages.a"} <= imported_modules(sample)


def test_importing_every_engine_module_loads_no_streamlit() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import kpi_core\n"
        "names = [m.name for m in pkgutil.walk_packages(kpi_core.__path__, 'kpi_core.')]\n"
        "names = [n for n in names if n != 'kpi_core.__main__']\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'ui', 'pages', 'app'))\n"
        "print(len(names), bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    count, bad = done.stdout.strip().split(" ", 1)
    assert int(count) >= 8
    assert bad == "[]"
