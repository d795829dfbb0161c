"""One benchmark case per invocation, meant to run in a fresh child process (see run.py).

    python bench/cases.py compile N        # compile_month over N generated drafts
    python bench/cases.py bare N           # docxcompose Composer.append of the same N drafts into an empty doc
    python bench/cases.py cli-compile      # `bulletin compile` of the 4-draft example (whole process)
    python bench/cases.py send N           # send_bulletin to N recipients through aiosmtpd on 127.0.0.1
    python bench/cases.py flow N           # the Prefect flow, embedded mode, N drafts, approved at once

Each prints one line "BENCH-RESULT {json}" with wall seconds and the child's peak RSS (VmHWM).
Add --profile FILE to write a pyinstrument HTML/text profile of the measured part (compile and bare only).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MONTH, WORK, Timer, compile_workspace, emit, generated_drafts  # noqa: E402


def _profiled(profile: str | None):
    if not profile:
        import contextlib

        return contextlib.nullcontext()
    from pyinstrument import Profiler

    class _Ctx:
        def __enter__(self):
            self.p = Profiler(interval=0.001)
            self.p.start()

        def __exit__(self, *exc):
            self.p.stop()
            Path(profile).write_text(self.p.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")

    return _Ctx()


def case_compile(n: int, profile: str | None = None) -> dict:
    from bulletin.pipeline import compile_month
    from bulletin.workspace import Workspace

    ws = Workspace.at(compile_workspace(n))
    with _profiled(profile), Timer() as t:
        result = compile_month(ws, MONTH, issue_date=date(2026, 10, 28))
    assert len(result.intake.accepted) == n, (len(result.intake.accepted), result.intake.refused)
    return {"case": "compile", "n": n, "seconds": round(t.seconds, 3), "cpu": round(t.cpu, 3),
            "size_mb": round(result.path.stat().st_size / 2**20, 2)}


def case_bare(n: int, profile: str | None = None) -> dict:
    """The reference: docxcompose appending every draft, whole, into an empty python-docx document."""
    import io

    from docx import Document
    from docxcompose.composer import Composer

    paths = generated_drafts(n)
    with _profiled(profile), Timer() as t:
        composer = Composer(Document())
        for path in paths:
            composer.append(Document(str(path)))
        buffer = io.BytesIO()
        composer.save(buffer)
    return {"case": "bare", "n": n, "seconds": round(t.seconds, 3), "cpu": round(t.cpu, 3), "size_mb": round(len(buffer.getvalue()) / 2**20, 2)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("n", type=int, nargs="?", default=0)
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    if args.case == "prepare":
        generated_drafts(max(args.n, 1000))
        return
    handler = {"compile": case_compile, "bare": case_bare}[args.case]
    emit(handler(args.n, args.profile) if args.profile else handler(args.n))


if __name__ == "__main__":
    main()
