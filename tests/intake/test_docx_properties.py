"""Property tests (Hypothesis) over the draft door: small random mutations of a valid draft's zip members and
XML parts. Whatever comes out, reading it either gives a Draft whose python-docx Document builds, or raises
Refused (recorded as 未采用 with its reason); never another exception, never a hang.

Small budget in the suite; `FUZZ_EXAMPLES=5000 bash tools/fuzz.sh` runs them longer.
"""

from __future__ import annotations

import io
import os
import signal
import zipfile
from contextlib import contextmanager
from functools import lru_cache

import draft_factory as f
import hostile_parts_kit as h
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.intake.docxfile import Refused, open_document
from bulletin.intake.drafts import read_draft
from bulletin.intake.roster import Roster

BUDGET = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                         HealthCheck.function_scoped_fixture])
HANG_SECONDS = 30  # one small draft reads in well under a second

# What an attacker or a broken producer puts into a part: markup, entities, references, odd bytes.
TOKENS = [
    b"<!DOCTYPE x [<!ENTITY e \"x\">]>", b"&e;", b"&amp;", b"<w:p>", b"</w:p>", b"</w:body>", b"<w:t>",
    b'r:id="rId999"', b'r:embed="rId1"', b"<w:sectPr/>", b"<w:object><o:OLEObject r:id=\"rId1\"/></w:object>",
    b'<w:fldSimple w:instr="INCLUDEPICTURE http://127.0.0.1:9/x">', b"\x00", b"\xff\xfe", b"]]>", b"<![CDATA[",
    b'TargetMode="External"', b'Target="../../../etc/passwd"', b'<a:blip r:embed="rId1"/>', b"\xe4\xb8\xad",
]


@lru_cache(maxsize=1)
def _good_parts() -> dict[str, bytes]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        good = f.make_draft(Path(folder) / "good.docx", title="可用的稿件", unit_line="区人社局",
                            paragraphs=["第一段。", "第二段。"], image=True, footnote="脚注", table=True)
        parts = h.members(good)
        h.with_ole_objects(good, Path(folder) / "ole.docx")
        parts_ole = h.members(Path(folder) / "ole.docx")
    return {**parts_ole, **{k: v for k, v in parts.items() if k not in parts_ole}}


ACTIONS = ("insert", "delete", "flip", "truncate", "drop", "replace")
# One mutation: (action, member, position as a fraction of its length, an amount, a token); shown as is when a
# property fails, so the failing draft can be rebuilt by `build`.
mutation = st.tuples(
    st.sampled_from(ACTIONS), st.integers(0, 10_000), st.floats(0, 1), st.integers(1, 255),
    st.sampled_from(TOKENS) | st.binary(max_size=8),
)


def build(mutations) -> bytes:
    """The good draft (with OLE objects, a picture, a table, a footnote) with `mutations` applied in order."""
    parts = dict(_good_parts())
    for action, which, where, amount, token in mutations:
        if not parts:
            break
        name = sorted(parts)[which % len(parts)]
        data = parts[name]
        at = int(where * max(len(data) - 1, 0))
        if action == "insert":
            data = data[:at] + token + data[at:]
        elif action == "delete":
            data = data[:at] + data[at + amount:]
        elif action == "flip" and data:
            data = data[:at] + bytes([data[at] ^ amount]) + data[at + 1:]
        elif action == "truncate":
            data = data[:at]
        elif action == "drop":
            parts.pop(name)
            continue
        elif action == "replace":
            old = (b"rId", b"w:p", b"word/", b"xml", b'"', b"<", b"=")[amount % 7]
            data = data.replace(old, token, 1 + amount % 3)
        parts[name] = data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@contextmanager
def _no_hang(seconds: int):
    def stop(*_):
        raise TimeoutError(f"reading one draft took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@BUDGET
@given(mutations=st.lists(mutation, min_size=1, max_size=3))
def test_a_mutated_draft_is_read_or_refused_never_anything_else(tmp_path, mutations):
    path = tmp_path / "稿件.docx"
    path.write_bytes(build(mutations))
    with _no_hang(HANG_SECONDS):
        try:
            draft = read_draft(path, Roster())
        except Refused as refusal:
            assert str(refusal).strip()  # a reason the report can print
            return
        open_document(draft.content)  # what the composer builds from what intake accepted
