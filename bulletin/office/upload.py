"""Files the clerk uploads on the workbench (issue 24): drafts (.docx, or a .zip of them) and the month's notice
sheet, through the same doors as the folder and the mailbox, into the month folder and nowhere else.

Each uploaded file is an `attachments.Item` (its name made safe: no folder, no control or Windows-forbidden
characters, cut to length); a .zip is unpacked with the mailbox's limits (entry count, sizes, ratio, no paths,
no archive in an archive); `attachments.place` decides, as for mail (the clerk is a known sender: drafts go to
the month folder, not to 待核实/); a .docx is then screened as compile screens it (intake/docxfile.screen: zip
bombs, parts, DOCTYPE...), so a bad file is refused on the spot, with the same reason compile would give. A
file whose bytes are already in the month folder is not saved twice; a name in use gets 名称（2）.docx. Writes
are atomic. Every outcome is on the receipt (`Receipt.lines`), and the upload is one row of the audit table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.atomic import sha256_bytes, sha256_file, write_atomic
from ..core.errors import BulletinError
from ..core.month import Month
from ..core.sheetsafety import SheetRefused, read_sheet
from ..core.workspace import Workspace
from ..intake.attachments import Item, is_archive, place, safe_name, unique_name, unpack_zip
from ..intake.docxfile import Refused, screen
from ..intake.intake import is_notice_sheet
from .accounts import record, role_of

MAX_FILE_BYTES = 30 * 1024 * 1024  # one uploaded file (a mailbox message's default limit)
MAX_FILES = 50  # files in one upload, .zip entries included


@dataclass
class Receipt:
    """What became of each uploaded file: saved (shown name, name in the month folder) or refused (why)."""

    month: str
    saved: list[tuple[str, str]] = field(default_factory=list)
    same: list[tuple[str, str]] = field(default_factory=list)  # already there (the file it equals)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"已保存 {len(self.saved)} 份，未保存 {len(self.refused)} 份" +
                 (f"，已有相同文件 {len(self.same)} 份" if self.same else "") + "。"]
        lines += [f"✓ {shown} → {name}" for shown, name in self.saved]
        lines += [f"＝ {shown}：与已有的《{name}》相同，未重复保存" for shown, name in self.same]
        lines += [f"✗ {shown}：{reason}" for shown, reason in self.refused]
        return lines


def _uploaded(reason: str) -> str:
    return reason.replace("重新发送", "重新上传").replace("作为附件发送", "上传").replace("请发送", "请上传")


def _items(files: list[tuple[str, bytes]], receipt: Receipt) -> list[Item]:
    items: list[Item] = []
    for original, data in files:
        item = Item(original, safe_name(original, fallback="上传文件"), data)
        if len(data) > MAX_FILE_BYTES:
            receipt.refused.append((item.label, f"文件 {len(data) // (1024 * 1024)} MB，超过上限 "
                                                f"{MAX_FILE_BYTES // (1024 * 1024)} MB，未保存"))
        elif is_archive(item):
            inner, bad = unpack_zip(data, item.original or item.name, MAX_FILES)
            receipt.refused += [(label, _uploaded(reason)) for label, reason in bad]
            for entry in inner:
                if is_archive(entry) or entry.suffix in (".rar", ".7z"):
                    receipt.refused.append((entry.label, "压缩包中的压缩包不予解压，请直接上传 .docx"))
                else:
                    items.append(entry)
        else:
            items.append(item)
    if len(items) > MAX_FILES:
        receipt.refused += [(i.label, f"一次最多上传 {MAX_FILES} 个文件，此文件未保存：请分几次上传")
                            for i in items[MAX_FILES:]]
        items = items[:MAX_FILES]
    return items


def _existing(folder: Path) -> dict[str, str]:
    """sha256 -> name of the files already in the month folder (not its sub-folders)."""
    if not folder.is_dir():
        return {}
    return {sha256_file(p): p.name for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()}


def upload_drafts(ws: Workspace, month: Month, files: list[tuple[str, bytes]], *, actor: str) -> Receipt:
    """Drafts (and .zip archives of drafts) -> inputs/<month>/; see the module docstring."""
    receipt = Receipt(str(month))
    folder = ws.month_inputs(month)
    items = _items(files, receipt)
    existing = _existing(folder)
    taken = set(existing.values()) | ({p.name for p in folder.iterdir()} if folder.is_dir() else set())
    for item in items:
        placement = place(item, sender_known=True)
        if placement.kind == "refused":  # the mailbox's reasons, in the words of an upload
            receipt.refused.append((item.label, _uploaded(placement.reason)))
            continue
        try:
            screen(item.data)
        except Refused as exc:
            receipt.refused.append((item.label, str(exc)))
            continue
        sha = sha256_bytes(item.data)
        if sha in existing:
            receipt.same.append((item.label, existing[sha]))
            continue
        name = unique_name(item.name, taken)
        write_atomic(folder / name, item.data)
        taken.add(name)
        existing[sha] = name
        receipt.saved.append((item.label, name))
    record(ws, actor, role_of(ws, actor), "上传稿件", month,
           "；".join([f"保存《{n}》" for _, n in receipt.saved] + [f"未保存《{s}》：{r}" for s, r in receipt.refused]
                    + [f"相同《{s}》" for s, _ in receipt.same]) or "没有文件")
    return receipt


NOTICE_NAME = "情况通报.xlsx"


def upload_notices(ws: Workspace, month: Month, name: str, data: bytes, *, actor: str) -> Receipt:
    """The month's notice sheet (.xlsx): checked by the spreadsheet door (core/sheetsafety) before it is kept, then
    it replaces the month's notice sheet(s) as 情况通报.xlsx; a replaced sheet is kept in the state folder
    (.bulletin/replaced-notices/<month>/), never left in the month folder where compile would find two.
    An Excel 97-2003 sheet (.xls: many offices' Excel/WPS still save it) is converted to .xlsx by LibreOffice
    headless (layout/render.convert: a plain file name on its command line, a timeout) and then checked the
    same way; only the converted .xlsx is kept. A file named .xls that is not one, or that LibreOffice cannot
    convert, is refused with the reason."""
    receipt = Receipt(str(month))
    shown = Item(name, safe_name(name, fallback=NOTICE_NAME), data).label
    converted = False
    if name.lower().endswith(".xls") and len(data) <= MAX_FILE_BYTES:
        try:
            data, converted = _xls_to_xlsx(data), True
        except BulletinError as exc:
            receipt.refused.append((shown, str(exc)))
    if receipt.refused:
        pass
    elif not converted and not name.lower().endswith(".xlsx"):
        receipt.refused.append((shown, "情况通报表请上传 .xlsx 或 .xls 文件"))
    elif len(data) > MAX_FILE_BYTES:
        receipt.refused.append((shown, "文件过大，未保存"))
    else:
        try:
            read_sheet(data, name=name, max_rows=2000)
        except SheetRefused as exc:
            receipt.refused.append((shown, str(exc)))
        else:
            unusable = _not_a_notice_sheet(ws, data)
            if unusable:  # kept, it would replace a good sheet with one compile cannot use
                receipt.refused.append((shown, f"不能作为情况通报表（{unusable}），未保存；本月原有的通报表不变"))
    if not receipt.refused:
        folder = ws.month_inputs(month)
        old = [p for p in folder.iterdir() if p.is_file() and is_notice_sheet(p)] if folder.is_dir() else []
        keep = ws.state_dir / "replaced-notices" / str(month)
        for path in old:  # one notice sheet per month: the previous one is kept out of the month folder
            write_atomic(keep / f"{sha256_file(path)[:12]}-{path.name}", path.read_bytes())
            path.unlink()
        write_atomic(folder / NOTICE_NAME, data)
        receipt.saved.append((shown + "（由 .xls 转换）" if converted else shown, NOTICE_NAME))
    record(ws, actor, role_of(ws, actor), "上传情况通报表", month,
           f"保存为《{NOTICE_NAME}》" + ("（由 .xls 转换）" if converted else "") if receipt.saved
           else f"未保存：{receipt.refused[0][1]}")
    return receipt


def _not_a_notice_sheet(ws: Workspace, data: bytes) -> str:
    """Why compile could not use these bytes as the month's notice sheet ("" when it could): read as compile
    reads it (intake/notices), from a temporary folder."""
    import tempfile

    from ..intake.notices import read_notices
    from ..intake.roster import Roster

    with tempfile.TemporaryDirectory(prefix="bulletin-notices-") as work:
        (Path(work) / NOTICE_NAME).write_bytes(data)
        roster = Roster.load(ws.roster_path) if ws.roster_path.is_file() else None
        return read_notices(Path(work), roster).unusable


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # every Excel 97-2003 file starts so


def _xls_to_xlsx(data: bytes) -> bytes:
    """An uploaded .xls as .xlsx bytes (LibreOffice); BulletinError (Chinese) when it is not an .xls or cannot be
    converted. The bytes LibreOffice wrote still go through the spreadsheet door after this."""
    import tempfile

    from ..layout.render import convert, soffice

    if not data.startswith(OLE2_MAGIC):
        raise BulletinError("不是 Excel 97-2003（.xls）文件，未保存")
    try:
        soffice()
    except BulletinError:
        raise BulletinError("服务器上没有 LibreOffice，无法转换 .xls：请在 Excel/WPS 中另存为 .xlsx 后重新上传") from None
    with tempfile.TemporaryDirectory(prefix="bulletin-xls-") as work:
        source = Path(work) / "notices.xls"
        source.write_bytes(data)
        try:
            return convert(source, "xlsx", ".xlsx")
        except BulletinError:
            raise BulletinError("这份 .xls 未能转换（可能已损坏或加了密码）：请在 Excel/WPS 中另存为 .xlsx 后重新上传") from None


def write_issue_note(ws: Workspace, month: Month, text: str, *, actor: str) -> Path:
    """The issue's 编者按 (inputs/<month>/编者按.txt, read by layout/issuenote.py); empty text removes it."""
    from ..intake.intake import ISSUE_NOTE_FILE

    folder = ws.month_inputs(month)
    path = folder / ISSUE_NOTE_FILE
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > 5000:
        raise BulletinError("编者按最多 5000 字。")
    if text:
        write_atomic(path, (text + "\n").encode("utf-8"))
    elif path.exists():
        path.unlink()
    record(ws, actor, role_of(ws, actor), "修改编者按" if text else "删除编者按", month, text[:200])
    return path


__all__ = ["MAX_FILE_BYTES", "MAX_FILES", "Receipt", "upload_drafts", "upload_notices", "write_issue_note", "write_notice_rows"]


NOTICE_HEADERS = ("单位名称", "通报事项", "通报类别", "备注")


def write_notice_rows(ws: Workspace, month: Month, rows: list[dict], *, actor: str) -> int:
    """The notice rows edited in the workbench's table -> the month's 情况通报.xlsx (rows with no unit and no matter
    are dropped; an empty table removes the sheet). Cells are text, never formulas. Returns the rows kept."""
    import io

    from openpyxl import Workbook

    kept = [r for r in rows if (r.get("unit") or "").strip() or (r.get("matter") or "").strip()]
    folder = ws.month_inputs(month)
    old = [p for p in folder.iterdir() if p.is_file() and is_notice_sheet(p)] if folder.is_dir() else []
    keep = ws.state_dir / "replaced-notices" / str(month)
    for path in old:
        write_atomic(keep / f"{sha256_file(path)[:12]}-{path.name}", path.read_bytes())
        path.unlink()
    if kept:
        book = Workbook()
        sheet = book.active
        sheet.append(list(NOTICE_HEADERS))
        for r in kept:
            values = [" ".join(str(r.get(k) or "").split()) for k in ("unit", "matter", "category", "remark")]
            sheet.append(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in values])
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"
        data = io.BytesIO()
        book.save(data)
        write_atomic(folder / NOTICE_NAME, data.getvalue())
    record(ws, actor, role_of(ws, actor), "修改情况通报", month, f"{len(kept)} 条")
    return len(kept)
