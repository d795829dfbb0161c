"""Unit names: the office's roster (inputs/units.csv) with aliases, and what "looks like a unit"."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import BulletinError
from ..core.textio import read_office_text

# Endings of Chinese government unit names; used when a name is not in the roster.
_UNIT_SUFFIXES = (
    "局", "委", "办", "办公室", "中心", "院", "镇", "乡", "街道", "办事处", "公司", "所", "站", "队", "会",
    "部", "处", "室", "厅", "署", "园区", "管委会", "分局", "集团", "馆", "社", "团",
)
_UNIT_PREFIXES = ("区", "市", "县", "省", "镇", "乡", "中共", "共青团")
_MAX_UNIT_LEN = 24
_ALIAS_SPLIT = re.compile(r"[;；、,，|/]")
_EMAIL_HEADERS = {"邮箱", "电子邮箱", "邮件地址", "投稿邮箱", "email", "e-mail", "mail"}
# The unit's class (issue 26: [scoring.quota."类别"]), e.g. 乡镇街道 / 区直部门: never read as an alias.
_CLASS_HEADERS = {"类别", "单位类别", "分类", "类型", "class", "category"}
# Decoration around a unit line: （区人社局供稿）, ——区人社局, 供稿单位：区人社局, 【区人社局】 ...
_DECORATION = re.compile(r"^[\s（(【\[—\-－–·:：]*(?:供稿单位|来源|供稿|报送单位)?[：:]?\s*|[\s）)】\]]*$")


def normalize(text: str) -> str:
    """NFKC folds full-width letters and digits; whitespace inside a name is never meaningful."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def strip_decoration(line: str) -> str:
    text = normalize(line)
    text = _DECORATION.sub("", text)
    text = text.removesuffix("供稿").removesuffix("报送")
    return _DECORATION.sub("", text)


def looks_like_unit(text: str) -> bool:
    name = normalize(text)
    if not (2 <= len(name) <= _MAX_UNIT_LEN):
        return False
    if re.search(r"[。！？!?，,；;：:“”\"]", name):
        return False
    return name.endswith(_UNIT_SUFFIXES) or (name.startswith(_UNIT_PREFIXES) and len(name) <= 12)


@dataclass
class Roster:
    """Canonical unit names and their aliases; empty when the office keeps no units.csv."""

    canonical: dict[str, str] = field(default_factory=dict)  # normalized name or alias -> canonical name
    problems: list[str] = field(default_factory=list)
    emails: dict[str, str] = field(default_factory=dict)  # registered mailbox (column 邮箱) -> canonical name
    classes: dict[str, str] = field(default_factory=dict)  # canonical name -> its class (column 类别), when given

    @classmethod
    def load(cls, path: Path) -> Roster:
        roster = cls()
        if not path.is_file():
            return roster
        try:  # a broken roster must not stop the bulletin: units are then judged by their look
            rows = list(csv.reader(io.StringIO(read_office_text(path))))
        except (BulletinError, csv.Error) as exc:
            roster.problems.append(f"{path.name} 无法读取（{exc}），本次未使用单位名册。")
            return roster
        email_columns: set[int] = set()
        class_columns: set[int] = set()
        for line_no, row in enumerate(rows, start=1):
            if not row or not any(cell.strip() for cell in row):
                continue
            name = row[0].strip()
            if line_no == 1 and normalize(name) in ("单位名称", "单位", "name", "unit"):
                email_columns = {i for i, cell in enumerate(row) if normalize(cell).lower() in _EMAIL_HEADERS}
                class_columns = {i for i, cell in enumerate(row) if normalize(cell).lower() in _CLASS_HEADERS}
                continue
            if not name:
                roster.problems.append(f"{path.name} 第{line_no}行：缺少单位名称，已跳过。")
                continue
            aliases, emails = [], []
            for column, cell in enumerate(row[1:], start=1):
                if column in class_columns:
                    if normalize(cell):
                        roster.classes[name] = normalize(cell)
                    continue
                for token in _ALIAS_SPLIT.split(cell):
                    (emails if column in email_columns or "@" in token else aliases).append(token)
            clash = roster.add(name, aliases)
            for alias, other in clash:
                roster.problems.append(f"{path.name} 第{line_no}行：“{alias}”已是“{other}”的名称或别名，仍按“{other}”处理。")
            for problem in roster.add_emails(name, emails):
                roster.problems.append(f"{path.name} 第{line_no}行：{problem}")
        return roster

    def add(self, name: str, aliases: list[str] = ()) -> list[tuple[str, str]]:
        """Add a unit; returns (alias, unit) pairs for aliases that already name another unit."""
        self.canonical[normalize(name)] = name
        clashes = []
        for alias in aliases:
            if alias.strip():
                kept = self.canonical.setdefault(normalize(alias), name)
                if kept != name:
                    clashes.append((alias.strip(), kept))
        return clashes

    def __bool__(self) -> bool:
        return bool(self.canonical)

    def resolve(self, text: str) -> str | None:
        """The canonical name for a roster name or alias (decoration such as 供稿 removed), else None."""
        return self.canonical.get(strip_decoration(text)) or self.canonical.get(normalize(text))

    def match(self, text: str) -> tuple[str, bool] | None:
        """(name, in_roster) for text that names a unit, by the roster first, else by its look."""
        known = self.resolve(text)
        if known:
            return known, True
        candidate = strip_decoration(text)
        if looks_like_unit(candidate):
            return candidate, False
        return None


    # -- registered mailboxes (column 邮箱): who a mail sender is --------------------------------------------
    def add_emails(self, name: str, addresses: list[str]) -> list[str]:
        """Register a unit's mailboxes; returns problems (not an address, already another unit's)."""
        problems = []
        for raw in addresses:
            if not raw.strip():
                continue
            key = email_key(raw)
            local, _, domain = key.rpartition("@")
            if not local or not domain or "@" in local:
                problems.append(f"“{raw.strip()}”不是电子邮箱地址，已忽略。")
                continue
            kept = self.emails.setdefault(key, name)
            if kept != name:
                problems.append(f"邮箱 {key} 已登记为“{kept}”的邮箱，仍按“{kept}”处理。")
        return problems

    def unit_for_email(self, address: str) -> str | None:
        """The unit whose registered mailbox this is (match the From address, never the display name)."""
        return self.emails.get(email_key(address)) if address else None


def email_key(address: str) -> str:
    """How addresses compare: NFKC (full-width letters typed with a Chinese input method), no spaces, lower case,
    no angle brackets or mailto: (pasted from a mail client)."""
    return normalize(address).strip("<>").lower().removeprefix("mailto:")
