"""The PDF edition ([bulletin] pdf = true): made by LibreOffice from the approved .docx as PDF/A-2b (fonts
embedded, for archives and electronic exchange), recorded in the ledger with both checksums, and mailed as
exactly those bytes ([mail] attach = ["docx", "pdf"])."""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import sha256_bytes, sha256_file, write_atomic
from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.workspace import Workspace
from .render import soffice, to_pdf_a


def wanted(ws: Workspace) -> bool:
    settings = ws.settings
    return settings.bulletin.pdf or "pdf" in settings.mail.attach


def check_pdf_tools(ws: Workspace) -> None:
    """At compile: a PDF edition that could not be made later is said now, with what to install."""
    if wanted(ws):
        try:
            soffice()
        except BulletinError as exc:
            raise BulletinError(f"bulletin.toml 要求 PDF 版（[bulletin] pdf 或 [mail] attach），但{exc}") from None


def pdf_edition(ws: Workspace, month: str, docx: Path, docx_sha256: str) -> tuple[Path, str]:
    """(path, sha256) of the PDF of this approved version, made once: a later call finds it in the ledger and on
    disk unchanged, or makes it again (a PDF edited or removed by hand is never mailed)."""
    target = docx.with_suffix(".pdf")
    with Ledger(ws.ledger_path) as ledger:
        known = ledger.pdf_edition(month, docx_sha256)
    if known and Path(known[0]).is_file() and sha256_file(Path(known[0])) == known[1]:
        return Path(known[0]), known[1]
    if sha256_file(docx) != docx_sha256:
        raise BulletinError(f"{docx.name} 在审核通过后被修改过，未生成 PDF：请重新审核。")
    data = to_pdf_a(docx)
    write_atomic(target, data)
    sha = sha256_bytes(data)
    with Ledger(ws.ledger_path) as ledger:
        ledger.record_pdf(month, docx_sha256, target, sha)
    return target, sha

