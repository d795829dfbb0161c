"""The product's words, once: what a draft became, where a review stands, how far a mail got.

Each state is a `StrEnum` whose value is the code stored in the ledger (JSON `status` of a compile's drafts,
`deliveries.status`) and whose `.text` is the Chinese word every door shows: the intake report, `bulletin
status`, the Prefect tables, the statistics workbook and the review desk all print these words, so an office
reads 需核对 in one place and finds 需核对 in the next. Codes are English and never change (old ledgers keep
working); the Chinese words may.

Outbox mode (no [smtp]) keeps its deliveries under a purpose of their own: `outbox_purpose("bulletin")` is
"bulletin@outbox". Writing .eml files is not delivery, so configuring [smtp] later still mails everyone once.
"""

from __future__ import annotations

from enum import StrEnum


class DraftStatus(StrEnum):
    """What one file of the month became in a compile."""

    ACCEPTED = "accepted"  # printed
    FLAGGED = "flagged"  # printed, but the office should check its title or unit
    REFUSED = "refused"  # not usable (format, damage, password...)
    DUPLICATE = "duplicate"  # the same file or text as another
    REPLACED = "replaced"  # an older version of a revised draft

    @property
    def text(self) -> str:
        return _DRAFT_TEXT[self]

    @property
    def printed(self) -> bool:
        return self in (DraftStatus.ACCEPTED, DraftStatus.FLAGGED)

    @classmethod
    def text_of(cls, code: str) -> str:
        """The Chinese word for a stored code; an unknown code is shown as it is."""
        try:
            return cls(code).text
        except ValueError:
            return code


_DRAFT_TEXT = {
    DraftStatus.ACCEPTED: "编入", DraftStatus.FLAGGED: "需核对", DraftStatus.REFUSED: "未采用",
    DraftStatus.DUPLICATE: "重复", DraftStatus.REPLACED: "被替换",
}


class ReviewState(StrEnum):
    """Where the current file of a month stands with its reviewers."""

    NOT_COMPILED = "not_compiled"
    COMPILED = "compiled"  # made, not sent for review
    IN_REVIEW = "in_review"  # the current file went to the reviewers, nobody decided on it
    APPROVED = "approved"  # decided on this very file
    REJECTED = "rejected"
    CHANGED = "changed"  # approved once, then the file was edited: needs a new review

    @property
    def text(self) -> str:
        return _REVIEW_TEXT[self]


_REVIEW_TEXT = {
    ReviewState.NOT_COMPILED: "尚未编排", ReviewState.COMPILED: "已编排，未送审", ReviewState.IN_REVIEW: "审核中",
    ReviewState.APPROVED: "已审核通过", ReviewState.REJECTED: "已退回", ReviewState.CHANGED: "通过后被修改，需重新审核",
}


class SendState(StrEnum):
    """One recipient's delivery of one purpose (ledger `deliveries.status`; no row: PENDING)."""

    PENDING = "pending"
    SENDING = "sending"  # a batch was handed to the server and the run stopped before its answer
    SENT = "sent"
    FAILED = "failed"

    @property
    def text(self) -> str:
        return _SEND_TEXT[self]

    @classmethod
    def of(cls, code: str | None) -> "SendState":
        return cls(code) if code else cls.PENDING


_SEND_TEXT = {
    SendState.PENDING: "待发送", SendState.SENDING: "发送中断（下次重发）", SendState.SENT: "已发送",
    SendState.FAILED: "发送失败",
}

BULLETIN = "bulletin"  # the purpose of mailing a month's approved issue to its lists
OUTBOX_SUFFIX = "@outbox"


def outbox_purpose(purpose: str) -> str:
    """The purpose under which outbox mode (.eml files, no [smtp]) records `purpose`."""
    return purpose + OUTBOX_SUFFIX


def is_outbox_purpose(purpose: str) -> bool:
    return purpose.endswith(OUTBOX_SUFFIX)


def both_modes(purpose: str) -> tuple[str, str]:
    """A purpose as recorded by SMTP and by the outbox: what was done under either."""
    return purpose, outbox_purpose(purpose)
