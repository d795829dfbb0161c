"""inputs/recipients.csv -> validated, de-duplicated recipients plus Chinese notes on the rows left out.

Offices edit this file in Excel, so it may be UTF-8 (with or without BOM) or GB18030, with English
(`list,name,email`) or Chinese (`名单,名称,邮箱`) headers. Bad rows are reported and skipped, never fatal.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.addresses import EmailNotValidError, check_address

from ..core.errors import BulletinError
from ..core.textio import read_office_text

_COLUMNS = {
    "list": ("list", "名单"),
    "name": ("name", "名称"),
    "email": ("email", "邮箱"),
}
# One cell may hold several addresses typed the way people type them in Excel.
_SEPARATORS = re.compile(r"[;；,，、\s]+")


@dataclass(frozen=True)
class Recipient:
    list_name: str
    name: str
    email: str  # normalised, ASCII, lower case: also the ledger key

    @property
    def label(self) -> str:
        who = f"{self.name} <{self.email}>" if self.name else self.email
        return f"[{self.list_name}] {who}" if self.list_name else who

    def as_row(self) -> tuple[str, str, str]:
        return (self.email, self.list_name, self.name)


def normalise_email(raw: str) -> str:
    """The address as it is sent and keyed (lower case); raises EmailNotValidError. Syntax only, intranet
    addresses valid: the one rule of core/addresses.py, shared with bulletin.toml's addresses."""
    return check_address(raw).lower()


def _find_columns(header: list[str], path: Path) -> dict[str, int]:
    cleaned = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    found: dict[str, int] = {}
    for key, names in _COLUMNS.items():
        for name in names:
            if name in cleaned:
                found[key] = cleaned.index(name)
                break
    if "email" not in found:
        raise BulletinError(
            f"收件人名单 {path} 的第1行应为表头 list,name,email（或 名单,名称,邮箱），"
            f"现为：{','.join(header) or '（空）'}。"
        )
    return found


def read_recipients(path: Path, lists: list[str] | tuple[str, ...] = ()) -> tuple[list[Recipient], list[str]]:
    """(recipients in file order, problems): problems name the file and the row, in Chinese. `lists`: only the
    rows of those lists (a series' [series.<name>] recipients), chosen BEFORE duplicates are dropped, so an
    address on two lists is kept under the one asked for."""
    path = Path(path)
    if not path.is_file():
        raise BulletinError(f"找不到收件人名单 {path}：请按 list,name,email 三列（名单,名称,邮箱）准备该文件。")
    text = read_office_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise BulletinError(f"收件人名单 {path} 是空的。")
    columns = _find_columns(rows[0], path)

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    recipients: list[Recipient] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        list_name, name, raw = cell(row, "list"), cell(row, "name"), cell(row, "email")
        if lists and list_name not in lists:
            continue
        where = f"{path.name} 第{number}行" + (f"（{name}）" if name else "")
        if not raw:
            problems.append(f"{where}：没有填写邮箱，已跳过。")
            continue
        for part in (p for p in _SEPARATORS.split(raw) if p):
            try:
                email = normalise_email(part)
            except EmailNotValidError:
                problems.append(f"{where}：邮箱“{part}”格式不正确，已跳过。")
                continue
            if email in seen:
                problems.append(f"{where}：邮箱 {email} 与第{seen[email]}行重复，只发送一次。")
                continue
            seen[email] = number
            recipients.append(Recipient(list_name, name, email))
    return recipients, problems
