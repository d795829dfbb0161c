"""A workspace wired to a real Dovecot (tests/imap_server.py) and a real aiosmtpd (tests/smtp_server.py) for the
submission-mailbox tests, and drafts as bytes (tests/draft_factory.py)."""

from __future__ import annotations

import tempfile
from email import policy
from email.parser import BytesParser
from pathlib import Path

import draft_factory
from workspace_kit import SETTINGS

MONTH = "2026-10"
OFFICE_SENDER = "office@zgq.example.cn"
ROSTER = """\
单位名称,别名,邮箱
区人社局,区人力资源和社会保障局,rsj@zgq.gov.test；RSJ_zgq@163.com
区财政局,,czj_zgq@163.com
区交通局,,jtj@zgq.gov.test
区住建局,区住房和城乡建设局,zjj@zgq.gov.test、zjj_b@zgq.gov.test
区教体局,区教育局,
"""


def write_office(root: Path, imap, smtp=None, *, roster: str = ROSTER, **mailbox) -> Path:
    """bulletin.toml with [mailbox] (plain IMAP unless tls) and [smtp], units.csv with the 邮箱 column."""
    root.mkdir(parents=True, exist_ok=True)
    lines = [SETTINGS.rstrip("\n")]
    if smtp is not None:
        lines += ["[smtp]", 'host = "127.0.0.1"', f"port = {smtp.port}", f'sender = "{OFFICE_SENDER}"', "timeout = 10"]
    settings = {"host": "127.0.0.1", "user": imap.user, "timeout": 20}
    if imap.tls:
        settings.update(port=imap.tls_port, ssl=True)
    else:
        settings.update(port=imap.port, ssl=False, allow_plaintext_login=True)
    settings.update(mailbox)
    lines.append("[mailbox]")
    for key, value in settings.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f'{key} = "{value}"')
    (root / "bulletin.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "inputs").mkdir(exist_ok=True)
    (root / "inputs" / "units.csv").write_text(roster, encoding="utf-8-sig")
    return root


def draft_bytes(title: str, unit: str | None = None, paragraphs: list[str] | None = None) -> bytes:
    """A realistic draft (python-docx, Word-like look) as bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.docx"
        draft_factory.make_draft(
            path, title=title, unit_line=unit,
            paragraphs=paragraphs or [f"{title}。今年以来，我单位围绕中心工作，扎实推进各项任务落实，取得阶段性成效。"],
        )
        return path.read_bytes()


def files_under(folder: Path) -> list[str]:
    """Every file below folder (relative, '/'-separated), hidden ones included: nothing may be left over."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def parsed(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)
