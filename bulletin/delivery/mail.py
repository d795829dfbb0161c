"""Mail, in four small modules; this one gathers their names for callers that want "the mail API":

- `texts.py`        subjects and bodies (Chinese);
- `message.py`      the MIME message (RFC 2231 + RFC 2047 attachment names, deterministic Message-ID);
- `credentials.py`  the SMTP password from the environment, scrubbed from every text;
- `transports.py`   SMTP (one connection, batches) and the .eml outbox; what a failure means.
"""

from __future__ import annotations

from .credentials import PASSWORD_ENV, scrub, secret_forms, smtp_password
from .message import (
    DOCX_TYPE,
    address_header,
    attachment_part,
    build_message,
    encoded_words,
    message_id,
    normalise_domain,
)
from .texts import bulletin_body, bulletin_subject, date_text, review_body, review_subject
from .transports import (
    MailError,
    OutboxTransport,
    SmtpTransport,
    Transport,
    check_login_is_encrypted,
    describe,
    is_transient,
    transport_for,
)

__all__ = [
    "DOCX_TYPE", "PASSWORD_ENV", "MailError", "OutboxTransport", "SmtpTransport", "Transport", "address_header",
    "attachment_part", "build_message", "bulletin_body", "bulletin_subject", "check_login_is_encrypted",
    "date_text", "describe", "encoded_words", "is_transient", "message_id", "normalise_domain", "review_body",
    "review_subject", "scrub", "secret_forms", "smtp_password", "transport_for",
]
