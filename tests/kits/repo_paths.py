"""Where things are in the checkout, in one place: a test or kit that moves never has to count parents again.

    from repo_paths import DATA, REPO     # tests/kits is on sys.path (pyproject: pythonpath)
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # tests/kits/repo_paths.py -> the checkout
TESTS = REPO / "tests"
DATA = TESTS / "data"  # files the tests read as they are (an old ledger, the 督查 seed's copy)
DOCS = REPO / "docs"
