"""Profile one benchmark case: a pyinstrument call tree and a cProfile table of the hottest functions.

    .venv/bin/python bench/hotspots.py compile 120
    .venv/bin/python bench/hotspots.py compile-docxcompose 120   # compile with docxcompose's Composer
    .venv/bin/python bench/hotspots.py bare 120                  # Composer.append of the same drafts
    .venv/bin/python bench/hotspots.py compile-tabled 120        # also -realistic, bare-tabled, bare-realistic

Writes bench/results/profiles/<case>-<n>.pyinstrument.txt and <case>-<n>.cprofile.txt and prints the
cProfile table (share of the measured time per function, own time and with callees).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases
from common import RESULTS

RUNNERS = {"compile": cases.case_compile, "bare": cases.case_bare,
           "compile-docxcompose": cases.case_bare_reference_composer,
           "compile-realistic": cases.case_compile_realistic, "bare-realistic": cases.case_bare_realistic,
           "compile-tabled": cases.case_compile_tabled, "bare-tabled": cases.case_bare_tabled}


def main() -> None:
    case, n = sys.argv[1], int(sys.argv[2])
    runner = RUNNERS[case]
    folder = RESULTS / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    cases.DRAFT_KINDS[case.split("-")[-1] if case.split("-")[-1] in cases.DRAFT_KINDS else "minimal"](n)

    # pyinstrument: the call tree, library frames shown, short branches folded.
    tree_path = folder / f"{case}-{n}.pyinstrument.txt"
    runner(n, str(tree_path))

    # cProfile: a flat table (cProfile's own overhead inflates many small calls; read shares, not seconds).
    profiler = cProfile.Profile()
    profiler.enable()
    result = runner(n)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    total = sum(row[3] for key, row in stats.stats.items() if key[2] in ("case_compile", "case_bare") and key[0].endswith("cases.py"))
    lines = [f"{case} n={n}: {result['seconds']:.2f} s under cProfile", "",
             "cumulative (with callees)                         share   calls  function"]
    for key, row in sorted(stats.stats.items(), key=lambda kv: -kv[1][3])[:28]:
        lines.append(f"{_name(key):50s} {row[3] / total:6.1%} {row[1]:7d}")
    lines += ["", "own time                                          share   calls  function"]
    for key, row in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:15]:
        lines.append(f"{_name(key):50s} {row[2] / total:6.1%} {row[1]:7d}")
    text = "\n".join(lines) + "\n"
    (folder / f"{case}-{n}.cprofile.txt").write_text(text, encoding="utf-8")
    print(text)
    print(f"call tree: {tree_path}")


def _name(key) -> str:
    filename, line, function = key
    short = filename.split("site-packages/")[-1].split("/main/")[-1]
    return f"{short}:{line}({function})"[-50:]


if __name__ == "__main__":
    main()
