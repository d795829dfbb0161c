"""Reviewers' personal links to the review desk: month + sha256 of the version mailed + reviewer, signed with
the workspace's secret (itsdangerous) and valid for [review] timeout_days. Made when the review mail goes out
(office/review.py), read by the desk (web/app.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..core.month import Month
from ..core.secret import secret
from ..core.workspace import Workspace

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ReviewLink:
    month: str
    sha256: str
    reviewer: str
    step: str = ""  # the review chain's step the link asks for (issue 26); "" in a one-step chain
    series: str = ""  # "" the monthly bulletin; else the series whose issue it is (the 督查专报: web/rounds.py)


class LinkProblem(Exception):
    """Why a link cannot be used, in Chinese."""


def _links(ws: Workspace) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret(ws), salt="bulletin-review-link")


def review_token(ws: Workspace, month: str, sha256: str, reviewer: str, step: str = "") -> str:
    data = {"m": month, "s": sha256, "r": reviewer} | ({"t": step} if step else {})
    return _links(ws).dumps(data | {"x": ws.series} if ws.series else data)  # a series' link names it


def read_review_token(ws: Workspace, token: str) -> ReviewLink:
    max_age = int(ws.settings.review.timeout_days * 86400)
    try:
        data = _links(ws).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkProblem(f"审核链接已过期（有效期 {ws.settings.review.timeout_days:g} 天）：请向办公室索取新的送审邮件。") from None
    except BadSignature:
        raise LinkProblem("审核链接无效：请使用送审邮件中的完整链接。") from None
    if not (isinstance(data, dict) and _MONTH.fullmatch(str(data.get("m", "")))
            and _SHA.fullmatch(str(data.get("s", ""))) and str(data.get("r", "")).strip()):
        raise LinkProblem("审核链接无效：请使用送审邮件中的完整链接。")
    return ReviewLink(data["m"], data["s"], str(data["r"]), str(data.get("t", "")), str(data.get("x", "")))


def review_link_text(ws: Workspace, month: Month, sha: str, reviewer: str, step: str = "") -> str:
    """The first lines of a review mail when the office runs the review desk ([web] base_url)."""
    url = f"{str(ws.settings.web.base_url).rstrip('/')}/r/{review_token(ws, month, sha, reviewer, step)}"
    days = ws.settings.review.timeout_days
    return (f"在线审核（手机、电脑均可打开，{days:g} 天内有效，仅限您本人使用）：\n{url}\n\n"
            "打开后可逐页查看简报，点“审核通过”或“退回”（退回须写明意见）。以下为邮件审核方式：\n\n")
