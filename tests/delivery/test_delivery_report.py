"""What `bulletin send` prints, word for word (DeliveryReport), and the purposes deliveries are kept under."""

from __future__ import annotations

from pathlib import Path

from bulletin.delivery.delivery import BULLETIN, DeliveryReport, _purpose, review_purpose
from bulletin.delivery.recipients import Recipient
from bulletin.delivery.transports import OutboxTransport

A = Recipient("发", "区财政局", "czj@zgq.example.cn")
B = Recipient("报", "", "qwb@zgq.example.cn")
C = Recipient("", "区人大办", "rd@zgq.example.cn")
SHA = "3f2a9c81d0e4" + "0" * 52
SUBJECT = "章贡区“五型”政府建设工作简报 第64期（2026年10月28日）"


def _report(**kw) -> DeliveryReport:
    base = dict(month="2026-10", purpose=BULLETIN, transport="smtp", where="mail.zgq.example.cn:25", subject=SUBJECT,
                file=Path("/srv/office/outputs/2026-10/工作简报第64期.docx"), sha256=SHA)
    return DeliveryReport(**{**base, **kw})


def test_a_send_with_every_kind_of_outcome():
    report = _report(sent=[A], already=[B, C], failed=[(C, "550 5.1.1 User unknown")], not_attempted=[A],
                     resent_interrupted=[A], earlier_version=[B, C], skipped=["第4行：邮箱格式不对"], notes=["备注"])
    assert report.lines() == [
        f"2026-10 简报《{SUBJECT}》发送结果",
        "  附件：/srv/office/outputs/2026-10/工作简报第64期.docx（校验码 3f2a9c81d0e4）",
        "  本次发送 1 位；此前已发送 2 位（未重复发送）；失败 1 位；未发送 1 位。",
        "  ✗ 区人大办 <rd@zgq.example.cn>：550 5.1.1 User unknown",
        "  失败的收件人会在下次执行 bulletin send 时单独重发（已成功的不会重复）。",
        "  因连接中断，1 位尚未发送：稍后再次执行 bulletin send 即可继续。",
        "  上次发送中途中断，1 位的状态不明，已按同一邮件编号（Message-ID）重发。",
        "  注意：2 位此前收到的是更早审核通过的版本，未重发：qwb@zgq.example.cn、rd@zgq.example.cn",
        "  跳过：第4行：邮箱格式不对",
        "  备注",
    ]
    assert report.summary() == "\n".join(report.lines())
    assert not report.complete


def test_a_dry_run_and_an_outbox_run_and_a_review():
    dry = _report(dry_run=True, not_attempted=[A, B], already=[C])
    assert dry.lines() == [
        f"2026-10 简报《{SUBJECT}》：试运行，不发送",
        "  附件：/srv/office/outputs/2026-10/工作简报第64期.docx（校验码 3f2a9c81d0e4）",
        "  将发送 2 位，已发送过 1 位（不再发送）。",
        "    → [发] 区财政局 <czj@zgq.example.cn>",
        "    → [报] qwb@zgq.example.cn",
    ]
    assert dry.complete  # nothing in the way
    outbox = _report(transport="outbox", where="/srv/office/outputs/2026-10/outbox", subject="", file=None,
                     sent=[A])
    assert outbox.lines() == [
        "2026-10 简报发送结果（未配置 [smtp]：已生成 .eml 文件，未实际发出）",
        "  本次写入 /srv/office/outputs/2026-10/outbox 1 位；此前已发送 0 位（未重复发送）；失败 0 位；未发送 0 位。",
    ]
    assert outbox.complete
    review = _report(purpose=review_purpose(SHA), subject="【送审】x", sent=[A])
    assert review.lines()[0] == "2026-10 送审稿《【送审】x》发送结果"


def test_completeness():
    assert _report().complete
    assert not _report(failed=[(A, "550")]).complete
    assert not _report(not_attempted=[A]).complete
    assert not _report(dry_run=True, failed=[(A, "550")]).complete


def test_purposes():
    assert review_purpose(SHA) == "review:3f2a9c81d0e4"
    assert _purpose(BULLETIN, OutboxTransport(Path("/tmp/x"))) == "bulletin@outbox"

    class Smtp:
        kind = "smtp"

    assert _purpose(BULLETIN, Smtp()) == "bulletin"
