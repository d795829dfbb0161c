"""The one progress callback type: progress(done, total, label), e.g. (3, 120, "读取稿件：区人社局.docx")."""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[int, int, str], None]
