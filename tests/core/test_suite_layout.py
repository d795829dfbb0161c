"""The test suite's own layout (issue 21), held while many people add tests at once (docs/TESTING.md): test files
live in a folder named after the part of the product they test, what test files share lives in tests/kits/, no
test module imports another one, and every marker a test uses is one pyproject.toml registers."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from repo_paths import REPO, TESTS

# bulletin's packages, plus the doors that are not packages of it (flows/, bulletin/cli.py), the kits and data.
PACKAGES = sorted(p.name for p in (REPO / "bulletin").iterdir() if (p / "__init__.py").is_file())
FOLDERS = {*PACKAGES, "flows", "cli", "kits", "data"}


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module the file imports, at any depth (imports inside functions count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_test_files_are_in_a_folder_named_after_a_part_of_the_product():
    top = [p.name for p in TESTS.glob("*.py") if p.name != "conftest.py"]
    folders = sorted({p.relative_to(TESTS).parts[0] for p in python_files() if p.parent != TESTS} - FOLDERS)
    assert (top, folders) == ([], [])


def test_helpers_live_in_kits_and_kits_hold_no_tests():
    """tests/kits is on sys.path (pyproject pythonpath); a helper next to its tests is not importable by name
    under --import-mode=importlib, and a test file among the kits could be imported by another test."""
    elsewhere = [str(p.relative_to(TESTS)) for p in python_files() if p.parent != TESTS / "kits"
                 and not p.name.startswith("test_") and p.name != "conftest.py"]
    tests_in_kits = [p.name for p in (TESTS / "kits").glob("test_*.py")]
    assert (elsewhere, tests_in_kits) == ([], [])


def test_no_test_module_imports_another():
    test_modules = {p.stem for p in python_files() if p.name.startswith("test_")}
    found = {str(p.relative_to(TESTS)): sorted(imported_modules(p) & test_modules) for p in python_files()}
    assert {path: names for path, names in found.items() if names} == {}


def test_every_marker_used_is_registered():
    """--strict-markers makes an unregistered marker a collection error; this names the file at once."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    registered = {line.split(":")[0] for line in config["tool"]["pytest"]["ini_options"]["markers"]}
    builtin = {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings"}
    used = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # pytest.mark.NAME
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "mark"
                    and isinstance(node.value.value, ast.Name) and node.value.value.id == "pytest"):
                used.setdefault(node.attr, set()).add(str(path.relative_to(TESTS)))
    unknown = {name: sorted(files) for name, files in used.items() if name not in registered | builtin}
    assert unknown == {}
    assert {"libreoffice", "imap", "smtp", "postgres", "prefect", "browser", "slow"} <= registered


def test_the_checks_above_can_fail(tmp_path):
    """The import check sees an import of a test module inside a function, and ignores relative imports."""
    path = tmp_path / "test_x.py"
    path.write_text("import os\n\ndef test_a():\n    from test_flow import FlowThread\n    from . import y\n",
                    encoding="utf-8")
    assert imported_modules(path) == {"os", "test_flow"}
