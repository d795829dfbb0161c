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
