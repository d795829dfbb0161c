"""Month folder names as offices type them: 2026-11, 2026年11月, 202611, 2026.11 all name November 2026.

`parse_month(text)` gives the canonical "YYYY-MM" (the ledger's key and the outputs folder's name) or None.
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
