"""Month folder names as offices type them: 2026-11, 2026年11月, 202611, 2026.11 all name November 2026.

`parse_month(text)` gives the canonical "YYYY-MM" (the ledger's key and the outputs folder's name) or None.
A folder under inputs/ may also end in 稿件/来稿 (`folder_month`: "2027年2月稿件" is 2027-02); a folder that
only looks like a month ("12月", "2026年10月备份") is named by `month_folder_problem` wherever the product
would otherwise pass over it in silence.
"""

from __future__ import annotations

import re
import unicodedata

_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:份)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})[.．/_](\d{1,2})$"),
)


def parse_month(text: str) -> str | None:
    """'2026年11月' -> '2026-11'; None when the text names no month."""
    name = unicodedata.normalize("NFKC", text or "").strip()
    for form in _FORMS:
        match = form.match(name)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12 and 1900 <= year <= 2999:
                return f"{year:04d}-{month:02d}"
    return None


# -- month folders under inputs/ ---------------------------------------------------------------------------
# A month folder is named by a month in one of the forms above, optionally followed by one of these words
# ("2027年2月稿件"): that is what an office calls the folder, and the word says nothing else. Any other word
# ("2026年10月备份", "2026年10月（旧）") may mean the folder is not the month's drafts: named, never read.
_FOLDER_WORDS = ("稿件", "来稿")
_WITH_YEAR = re.compile(r"(?<!\d)(\d{4})\s*(?:年|[-.．/_])\s*(\d{1,2})(?!\d)")
_NO_YEAR = re.compile(r"(?<![\d年])(\d{1,2}|十[一二]|[一二三四五六七八九十])\s*月")
_CHINESE_NUMBERS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)} | {"十一": 11, "十二": 12}


def folder_month(name: str) -> str | None:
    """The month a folder under inputs/ holds the drafts of: parse_month of its name, which may end in
    稿件 or 来稿 ("2027年2月稿件" -> "2027-02"); None for any other name."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    for word in _FOLDER_WORDS:
        if text.endswith(word):
            text = text[: -len(word)].rstrip()
            break
    return parse_month(text)


def month_folder_problem(name: str, near: str) -> str | None:
    """Why a folder that looks like a month folder is not read as one (Chinese, to follow the folder's name),
    or None when it is a month folder or does not look like one. near: the month being compiled; a month
    without a year is suggested in the year that puts it closest to `near` ("12月" near 2027-02 is 2026-12)."""
    if folder_month(name) is not None:
        return None
    text = unicodedata.normalize("NFKC", name or "").strip()
    found = _WITH_YEAR.search(text)
    if found and 1900 <= int(found.group(1)) <= 2999:
        year, number = int(found.group(1)), int(found.group(2))
        if not 1 <= number <= 12:
            return f"看起来是月份文件夹，但没有 {number} 月：请改名为 YYYY-MM，如 {near}"
        return (f"看起来是 {year:04d}-{number:02d} 的月份文件夹，但名称中还有其他文字，未读取："
                f"如是该月稿件，请改名为 {year:04d}-{number:02d}")
    found = _NO_YEAR.search(text)
    if found:
        value = found.group(1)
        number = int(value) if value.isdigit() else _CHINESE_NUMBERS[value]
        if not 1 <= number <= 12:
            return f"看起来是月份文件夹，但没有 {number} 月：请改名为 YYYY-MM，如 {near}"
        base = Month(near)
        year = min((base.year - 1, base.year, base.year + 1),
                   key=lambda y: abs((y * 12 + number) - (base.year * 12 + base.number)))
        return f"看起来是月份文件夹，但没有年份：请改名为 {year:04d}-{number:02d}"
    return None


class Month(str):
    """A month as the product keys it: "YYYY-MM", checked once where it enters (a door, a folder name, a
    ledger row) and trusted after that. A `str`, so it is a folder name, a ledger key and text as it is.

    `Month("2026-10")` takes only the canonical form (the whole text: "2026-10\\n" is refused);
    `Month.parse("2026年10月")` also takes the forms offices type (see `parse_month`)."""

    __slots__ = ()

    def __new__(cls, text: str) -> "Month":
        if isinstance(text, Month):
            return text
        if not isinstance(text, str) or not _CANONICAL.fullmatch(text):
            from .errors import BulletinError

            shown = repr(text)[1:-1] if isinstance(text, str) else str(text)
            raise BulletinError(f"月份“{shown[:40]}”格式不对：请写成 YYYY-MM，例如 2026-10。")
        return super().__new__(cls, text)

    @classmethod
    def parse(cls, text: str) -> "Month":
        """The month an office typed, in any accepted form; BulletinError (Chinese) when it names none."""
        return cls(parse_month(text) or text)

    @property
    def year(self) -> int:
        return int(self[:4])

    @property
    def number(self) -> int:
        return int(self[5:])

    def next(self) -> "Month":
        return Month(f"{self.year + self.number // 12}-{self.number % 12 + 1:02d}")

    def previous(self) -> "Month":
        year, number = (self.year, self.number - 1) if self.number > 1 else (self.year - 1, 12)
        return Month(f"{year:04d}-{number:02d}")


_CANONICAL = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)


def check_month(month: str) -> Month:
    """`Month(month)`: the canonical form or a Chinese BulletinError."""
    return Month(month)
