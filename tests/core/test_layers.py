"""The package's layers, read from the source: every import of every module of bulletin/ and flows/ (top level,
inside functions, relative or absolute) is held to the allowed directions, and no import cycle exists between
the packages. A move that breaks the layering fails here, naming the module and the import.

    core < intake < layout < delivery < stats < supervision < archive < office < {cli, web}      flows on top

- A feature package imports only core and the packages before it (data flows one way).
- office/ (the application layer) may import every feature package.
- The doors (cli.py, web/, flows/) import only office/ and core/ (types: Workspace, Month, errors, vocabulary)
  — and flows/ their own helpers; cli.py starts the other doors (`serve` the web app; run, deploy and resume
  import flows/ lazily, Prefect only then).
- bulletin/ never imports Prefect.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["core", "intake", "layout", "delivery", "stats", "supervision", "archive", "office"]
DOORS = {"cli", "web"}


def layer_of(module: str) -> str:
    """'bulletin.intake.collect' -> 'intake'; 'bulletin.cli' -> 'cli'; 'flows.common' -> 'flows'."""
    parts = module.split(".")
    if parts[0] == "flows":
        return "flows"
    if parts[0] != "bulletin" or len(parts) == 1 or parts[1].startswith("__"):
        return ""  # the package itself (bulletin.__version__)
    return parts[1]


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            if node.module is None or node.level:  # "from . import tokens": each name may be a module
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def sources() -> list[Path]:
    return sorted((ROOT / "bulletin").rglob("*.py")) + sorted((ROOT / "flows").rglob("*.py"))


def allowed(source: str, target: str) -> bool:
    if not target or target == source or target == "bulletin":
        return True
    if source in ORDER:
        return target in ORDER and ORDER.index(target) <= ORDER.index(source)
    if source in DOORS:
        return target in ("core", "office", source) or (source == "cli" and target in ("flows", "web"))
    if source == "flows":
        return target in ("core", "office", "flows")
    return True  # bulletin/__init__.py


def test_every_import_goes_down_the_layers():
    wrong = []
    for path in sources():
        source = layer_of(module_name(path))
        for line, target in imports_of(path):
            if target.split(".")[0] not in ("bulletin", "flows"):
                continue
            if not allowed(source, layer_of(target)):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert wrong == []


def test_bulletin_never_imports_prefect():
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {target}"
             for path in (ROOT / "bulletin").rglob("*.py") for line, target in imports_of(path)
             if target.split(".")[0] == "prefect"]
    assert wrong == []


def test_no_import_cycle_between_modules_of_flows_or_between_packages():
    """flows/ modules do not import each other in a ring, and no two layers import each other."""
    edges: dict[str, set[str]] = {}
    for path in sources():
        name = module_name(path)
        for _, target in imports_of(path):
            if target.split(".")[0] in ("bulletin", "flows"):
                edges.setdefault(name, set()).add(target)
    flows = {n for n in edges if n.startswith("flows.")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt in flows and nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert sorted(n for n in flows if reaches(n, n, {n})) == []
    layers = {(layer_of(a), layer_of(b)) for a, targets in edges.items() for b in targets}
    assert sorted((a, b) for a, b in layers if a != b and a and b and (b, a) in layers) == []


def test_the_checker_sees_what_it_must():
    """The rules themselves, on hand-made cases (a checker that allowed everything would pass the tests above)."""
    assert not allowed("intake", "supervision") and not allowed("layout", "stats") and not allowed("delivery", "web")
    assert not allowed("web", "delivery") and not allowed("flows", "intake") and not allowed("core", "intake")
    assert allowed("office", "supervision") and allowed("web", "office") and allowed("cli", "flows")
    assert allowed("stats", "intake") and allowed("supervision", "delivery")
    fake = ROOT / "bulletin" / "intake" / "collect.py"
    assert (1, "bulletin.core.ledger") in [(1, t) for _, t in imports_of(fake)]
