"""Mail addresses the office types (bulletin.toml, recipients.csv): one rule, syntax only.

Government intranet mail systems use special-use domain names (office@mail.zg.local, .internal, .lan, or a
single-label host such as user@mailsrv). email-validator refuses some of them even with
`globally_deliverable=False` (2.4 keeps `local`, `localhost`, `test`, `arpa`, `invalid` in its
SPECIAL_USE_DOMAIN_NAMES), so the syntax of such an address is checked with a stand-in last label and the real
domain is kept. No DNS lookup (check_deliverability=False): the office's own network decides what exists.
International mailboxes are refused (smtplib and most government servers do not speak SMTPUTF8); IDN domains
become punycode; full-width characters typed in Chinese input mode are folded (NFKC).
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

INTRANET_TLDS = ("local", "localhost", "lan", "home", "corp", "intranet", "internal", "test", "invalid", "arpa")
_STAND_IN = "intranet-stand-in.example"

__all__ = ["EmailNotValidError", "INTRANET_TLDS", "check_address"]


def check_address(raw: str) -> str:
    """The address as it is written into mail (case kept in the local part); raises EmailNotValidError."""
    text = unicodedata.normalize("NFKC", raw).strip()
    local, at, domain = text.rpartition("@")
    labels = domain.lower().rstrip(".").split(".")
    if at and local and labels[-1] in INTRANET_TLDS:
        checked = validate_email(f"{local}@{'.'.join(labels[:-1] + [_STAND_IN])}", check_deliverability=False,
                                 allow_smtputf8=False, globally_deliverable=False)
        address = checked.ascii_email or checked.normalized
        return address[: -len(_STAND_IN)] + labels[-1]
    info = validate_email(text, check_deliverability=False, allow_smtputf8=False, globally_deliverable=False)
    return info.ascii_email or info.normalized
