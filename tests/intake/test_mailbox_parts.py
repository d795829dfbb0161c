"""The parts of the mailbox intake that need no server: decoding what clients write, safe names, archives, where a
file goes, bodies, machine-written mail, the roster's 邮箱 column, the [mailbox] settings."""

from __future__ import annotations

import base64
import io
import zipfile


import pytest
from mail_clients import netease, outlook, plain_text, when, zip_of
from mailbox_kit import draft_bytes

from bulletin.core.config import load_settings
from bulletin.core.errors import ConfigError
from bulletin.intake.attachments import Item, place, safe_name, unique_name, unpack_zip
from bulletin.core.month import Month
from bulletin.intake.collect import gather_items
from bulletin.intake.mailparse import clean_body, clean_subject, parse_message
from bulletin.intake.roster import Roster

OWN = {"zgqwxzfb@mail.test"}


# -- names ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, safe", [
    ("../../etc/cron.d/稿件.docx", "稿件.docx"),
    ("C:\\Users\\张三\\Desktop\\稿件.docx", "稿件.docx"),
    ("~$稿件.docx", "稿件.docx"),
    (".稿件.docx", "稿件.docx"),
    ("稿\x00件\r\n二.docx", "稿件二.docx"),
    ('a<b>:"c|?*.docx', "abc.docx"),
    ("稿件\u202excod.exe", "稿件xcod.exe"),  # a right-to-left override would show it as "稿件exe.docx"
    ("CON.docx", "CON_.docx"),
    ("区人社局稿件.DOCX", "区人社局稿件.docx"),
    ("", "附件"),
    ("  ..  ", "附件"),
    ("区人社局 　关于  就业.docx", "区人社局 关于 就业.docx"),
])
def test_safe_name(raw, safe):
    assert safe_name(raw) == safe


def test_long_names_are_cut_keeping_the_extension():
    name = safe_name("关于" + "进一步" * 60 + "的信息.docx")
    assert name == "关于" + ("进一步" * 60)[:78] + ".docx"
    assert len(name.encode("utf-8")) < 255


def test_unique_name_counts_up_case_insensitively():
    assert unique_name("稿件.docx", set()) == "稿件.docx"
    assert unique_name("Report.docx", {"report.DOCX"}) == "Report（2）.docx"
    assert unique_name("稿件.docx", {"稿件.docx", "稿件（2）.docx"}) == "稿件（3）.docx"


# -- archives ------------------------------------------------------------------------------------------------------
def _zip(entries: list[tuple[str, bytes]], **kw) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_entry_names_from_windows_and_macos():
    windows = zip_of([("区人社局-稿件.docx", b"PK\x03\x04a")])  # GBK, no UTF-8 flag
    items, refused = unpack_zip(windows, "w.zip", 20)
    assert [(i.name, i.via) for i in items] == [("区人社局-稿件.docx", "压缩包《w.zip》")] and refused == []
    mac = zip_of([("区财政局-稿件.docx", b"PK\x03\x04b")], gbk_names=False)
    raw = bytearray(mac)  # macOS Archive Utility: UTF-8 names without the flag
    for offset in _all(raw, b"PK\x03\x04"), _all(raw, b"PK\x01\x02"):
        for start in offset:
            flag_at = start + (6 if raw[start + 2] == 3 else 8)
            raw[flag_at] &= ~0x08 & 0xFF  # bit 11 lives in the second byte
            raw[flag_at + 1] &= ~0x08 & 0xFF
    items, _ = unpack_zip(bytes(raw), "m.zip", 20)
    assert [i.name for i in items] == ["区财政局-稿件.docx"]


def _all(data: bytearray, marker: bytes) -> list[int]:
    found, start = [], 0
    while (at := data.find(marker, start)) >= 0:
        found.append(at)
        start = at + 1
    return found


def test_zip_limits_traversal_bomb_count_password_and_damage():
    bomb = _zip([("炸弹.docx", b"\0" * (30 * 1024 * 1024))])
    items, refused = unpack_zip(bomb, "b.zip", 20)
    assert items == [] and refused == [("炸弹.docx（压缩包《b.zip》中）", "压缩比异常（疑似“压缩炸弹”），未解压")]

    sneaky = _zip([("../../outside.docx", b"PK\x03\x04x"), ("/etc/passwd.docx", b"x"), ("ok/稿件.docx", b"PK\x03\x04y")])
    items, refused = unpack_zip(sneaky, "s.zip", 20)
    assert [i.name for i in items] == ["稿件.docx"]
    assert [r[1] for r in refused] == ["压缩包中的路径不安全（指向压缩包以外），未解压"] * 2

    many = _zip([(f"{n}.docx", b"PK\x03\x04") for n in range(25)])
    assert unpack_zip(many, "m.zip", 20) == ([], [("m.zip", "压缩包内有 25 个文件，超过上限 20 个，未解压：请分几封邮件发送")])

    locked = bytearray(_zip([("密.docx", b"PK\x03\x04secret")]))
    for start in _all(locked, b"PK\x03\x04")[:1] + _all(locked, b"PK\x01\x02"):
        locked[start + (6 if locked[start + 2] == 3 else 8)] |= 0x01  # the "encrypted" flag
    items, refused = unpack_zip(bytes(locked), "p.zip", 20)
    assert items == [] and "压缩包设置了密码" in refused[0][1]

    assert unpack_zip(b"PK\x03\x04garbage", "x.zip", 20)[1][0][1].startswith("压缩包已损坏")
    clutter = _zip([("__MACOSX/._稿件.docx", b"x"), ("Thumbs.db", b"x"), ("稿件.docx", b"PK\x03\x04")])
    assert [i.name for i in unpack_zip(clutter, "c.zip", 20)[0]] == ["稿件.docx"]


def test_nested_archives_and_too_many_files_in_a_message():
    inner = _zip([("内层.docx", b"PK\x03\x04")])
    outer = _zip([("内层.zip", inner), ("外层.docx", b"PK\x03\x04z")])
    sub = parse_message(outlook(sender="a@x.cn", name="a", subject="s", when=when(1), msgid="<z@x>",
                                attachments=[("外.zip", outer)] + [(f"{n}.docx", b"PK\x03\x04") for n in range(3)]))
    items, refused = gather_items(sub, max_items=3)
    assert [i.name for i in items] == ["外层.docx", "0.docx", "1.docx"]
    assert refused == [
        ("内层.zip（压缩包《外.zip》中）", "压缩包中的压缩包不予解压，请直接附上 .docx"),
        ("2.docx", "一封邮件最多收取 3 个文件，此文件未收取：请分几封邮件发送"),
    ]


# -- where a file goes ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, data, kind, reason_start", [
    ("稿件.docx", b"PK\x03\x04", "draft", ""),
    ("稿件.doc", b"\xd0\xcf\x11\xe0", "refused", "这是旧版 Word 格式（.doc），请在 Word 中“另存为” .docx 后重新发送"),
    ("稿件.wps", b"x", "refused", "这是 WPS 格式（.wps）"),
    ("稿件.pdf", b"%PDF", "refused", "PDF 文件无法编入简报"),
    ("现场.jpg", b"\xff\xd8", "refused", "图片不能单独编入简报"),
    ("稿件.rar", b"Rar!", "refused", "无法打开此类压缩包，请改用 .zip"),
    ("加密.docx", bytes.fromhex("D0CF11E0A1B11AE1"), "refused", "这是设置了打开密码的文档"),
    ("假的.docx", b"<html>", "refused", "不是有效的 Word 文档"),
    ("winmail.dat", b"x\x9f>\x12", "refused", "这是 Outlook 以 RTF 格式发信时生成的 winmail.dat"),
    ("空.txt", b"", "refused", "文件是空的"),
])
def test_place(name, data, kind, reason_start):
    placement = place(Item(name, name, data), sender_known=True)
    assert placement.kind == kind and placement.reason.startswith(reason_start)


def test_unknown_sender_goes_to_quarantine():
    assert place(Item("a.docx", "a.docx", b"PK\x03\x04"), sender_known=False).subfolder == "待核实"


# -- decoding what clients write ---------------------------------------------------------------------------------------
def test_names_in_every_form_decode():
    gbk_only = "区财政局关于朱镕基同志讲话精神的学习体会.docx"  # 镕 is GBK, not GB2312: labelled gb2312 anyway
    b64 = base64.b64encode(gbk_only.encode("gbk")).decode()
    split = gbk_only.encode("gbk")
    half = base64.b64encode(split[:7]).decode(), base64.b64encode(split[7:]).decode()  # split inside a character
    raw = (
        "Content-Type: multipart/mixed; boundary=B\r\nFrom: =?gb2312?B?1cXI/Q==?= <a@x.cn>\r\n\r\n"
        f"--B\r\nContent-Disposition: attachment; filename=\"=?gb2312?B?{b64}?=\"\r\n\r\nPK\r\n"
        f"--B\r\nContent-Disposition: attachment; filename=\"=?GBK?B?{half[0]}?==?GBK?B?{half[1]}?=\"\r\n\r\nPK\r\n"
        f"--B\r\nContent-Disposition: attachment; filename*=gb2312''%C7%F8%B2%C6.docx\r\n\r\nPK\r\n"
        "--B\r\nContent-Disposition: attachment; filename=\""
    ).encode() + "区人社局稿件.docx".encode("utf-8") + b"\"\r\n\r\nPK\r\n--B\r\n" + (
        b"Content-Type: image/png\r\nContent-ID: <logo>\r\nContent-Disposition: inline\r\n\r\nPNG\r\n--B--\r\n"
    )
    sub = parse_message(raw)
    assert sub.sender_name == "张三"
    assert [a.name for a in sub.attachments] == [gbk_only, gbk_only, "区财.docx", "区人社局稿件.docx"]


def test_163_and_outlook_messages_parse():
    data = draft_bytes("就业", "区人社局")
    sub = parse_message(netease(sender="CZJ_zgq@163.com", name="区财政局", subject="回复：报送稿件", when=when(3),
                                msgid="<x@163.com>", attachments=[("区财政局：稿件.docx", data)]))
    assert (sub.sender, sub.sender_name, sub.subject, sub.message_id) == (
        "czj_zgq@163.com", "区财政局", "回复：报送稿件", "<x@163.com>")
    assert [(a.name, a.data == data) for a in sub.attachments] == [("区财政局：稿件.docx", True)]
    assert sub.body == "附件是本单位稿件，请审阅。" and sub.machine == ""
    long = "区人社局-关于做好2026年高校毕业生就业服务工作的信息（终稿）.docx"
    sub = parse_message(outlook(sender="rsj@x.cn", name="张三", subject="稿件", when=when(3), msgid="<o@x>",
                                attachments=[(long, data)]))
    assert [a.name for a in sub.attachments] == [long]


def test_message_without_message_id_and_html_only_body():
    raw = ("From: a@x.cn\r\nSubject: =?utf-8?B?" + base64.b64encode("区人社局信息".encode()).decode() + "?=\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n<html><head><style>p{}</style><script>alert(1)</script>"
           "</head><body><p>第一段&amp;正文</p><div>第二段</div><blockquote>引用的旧邮件</blockquote></body></html>"
           ).encode()
    sub = parse_message(raw)
    assert sub.message_id == "" and sub.subject == "区人社局信息"
    assert sub.body.split() == ["第一段&正文", "第二段"]


@pytest.mark.parametrize("text, kept", [
    ("正文第一段\n\n在 2026年10月12日 10:05，张三 写道：\n> 原来的话", "正文第一段"),
    ("正文\n-----原始邮件-----\n发件人：张三\n旧的内容", "正文"),
    ("正文\n------------------ 原始邮件 ------------------\n发件人: \"张三\"", "正文"),
    ("正文\n-- \n签名 电话 123", "正文"),
    ("正文\n\n发自我的iPhone", "正文"),
    ("正文\n\n________________________________\n发件人: 张三\n发送时间: 2026年10月12日", "正文"),
    ("正文\nOn Mon, Oct 12, 2026 at 10:05 AM Zhang <a@x> wrote:\n> old", "正文"),
])
def test_quoting_and_signatures_are_removed(text, kept):
    assert clean_body(text) == kept


def test_a_forward_with_a_short_note_keeps_the_forwarded_text():
    article = "区教体局举办教师技能大赛。" * 10
    text = f"请编入简报\n\n---------- 转发的邮件 ----------\n发件人：王五 <w@x.cn>\n日期：2026年10月12日\n主题：稿件\n\n{article}"
    assert clean_body(text, forwarded=True) == article


@pytest.mark.parametrize("subject, clean", [
    ("转发：回复：Re: FW: 标题", "标题"), ("[外部邮件] 回复：标题", "标题"), ("答复: 自动回复：标题", "标题"),
    ("Fwd:标题（第二稿）", "标题（第二稿）"),
])
def test_clean_subject(subject, clean):
    assert clean_subject(subject) == clean


def test_the_address_is_matched_never_the_display_name():
    raw = b'From: "rsj@zgq.example.cn" <evil@qq.example.com>\r\nSubject: x\r\n\r\nhi\r\n'
    sub = parse_message(raw)
    assert (sub.sender, sub.sender_name) == ("evil@qq.example.com", "rsj@zgq.example.cn")


# -- machine-written mail (RFC 3834) -------------------------------------------------------------------------------------
def _with(*headers: str, sender: str = "rsj@zgq.example.cn") -> bytes:
    return plain_text(sender=sender, name="x", subject="s", text="t", when=when(1), msgid="<m@x>",
                      extra_headers=list(headers))


@pytest.mark.parametrize("raw, reason, system", [
    (_with(), "", False),
    (_with("Auto-Submitted: no"), "", False),
    (_with("Auto-Submitted: auto-replied"), "自动回复", True),
    (_with("X-Autoreply: yes"), "自动回复", True),
    (_with("Auto-Submitted: auto-generated"), "自动发出的邮件（Auto-Submitted: auto-generated）", False),
    (_with("Auto-Submitted: auto-forwarded"), "自动发出的邮件（Auto-Submitted: auto-forwarded）", False),
    (_with("Precedence: bulk"), "群发或自动邮件（Precedence: bulk）", False),
    (_with("List-Id: <news.x.cn>"), "邮件列表", False),
    (_with(sender="noreply@oa.x.cn"), "不接收回复的系统地址", False),
    (_with(sender="MAILER-DAEMON@mx.x.cn"), "退信或系统通知", True),
    (_with(sender="zgqwxzfb@mail.test"), "本邮箱或本办公室自己发出的邮件", True),
])
def test_machine_written_mail(raw, reason, system):
    sub = parse_message(raw, OWN)
    assert (sub.machine, sub.system) == (reason, system)


# -- months --------------------------------------------------------------------------------------------------------------
def test_next_month():
    assert Month("2026-10").next() == "2026-11" and Month("2026-12").next() == "2027-01"
    assert Month("2027-01").previous() == "2026-12"


# -- the roster's 邮箱 column ---------------------------------------------------------------------------------------------
def test_roster_email_column(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "单位名称,别名,邮箱\n"
        "区人社局,区人力资源和社会保障局,rsj@zgq.example.cn；RSJ_zgq@163.com;ｒｓｊ２@zgq.example.cn、\n"
        "区财政局,,czj@163.com\n"
        "区教体局,区教育局,\n"
        "区民政局,,rsj@zgq.example.cn\n"
        "区医保局,,不是邮箱\n",
        encoding="utf-8-sig",
    )
    roster = Roster.load(path)
    assert roster.unit_for_email("rsj@zgq.example.cn") == "区人社局"
    assert roster.unit_for_email("rsj_ZGQ@163.com") == "区人社局"
    assert roster.unit_for_email("rsj2@zgq.example.cn") == "区人社局"  # typed full-width, folded by NFKC
    assert roster.unit_for_email("CZJ@163.com") == "区财政局"
    assert roster.unit_for_email("other@163.com") is None
    assert roster.unit_for_email("") is None
    assert roster.resolve("区教育局") == "区教体局"  # aliases still work beside the new column
    assert roster.problems == [
        "units.csv 第5行：邮箱 rsj@zgq.example.cn 已登记为“区人社局”的邮箱，仍按“区人社局”处理。",
        "units.csv 第6行：“不是邮箱”不是电子邮箱地址，已忽略。",
    ]


def test_roster_without_header_recognises_addresses(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("区人社局,人社局,rsj@zgq.example.cn\n", encoding="utf-8")
    roster = Roster.load(path)
    assert roster.unit_for_email("rsj@zgq.example.cn") == "区人社局"
    assert roster.resolve("人社局") == "区人社局"
    assert roster.resolve("rsj@zgq.example.cn") is None  # an address is not an alias


# -- [mailbox] settings ------------------------------------------------------------------------------------------------------
BULLETIN = """[bulletin]
title = "章贡区 工作简报"
office = "区政府办"
phone = "1"
email = "zgqwxzfb@163.com"
first_issue = 1
report_to = "a"
send_to = "b"
"""


def test_mailbox_settings_defaults_and_errors(tmp_path):
    path = tmp_path / "bulletin.toml"
    path.write_text(BULLETIN + '[mailbox]\nhost = "imap.163.com"\nuser = "zgqwxzfb@163.com"\n', encoding="utf-8")
    m = load_settings(path).mailbox
    assert (m.effective_port, m.ssl, m.folder, m.receipts, m.move_to, m.max_message_mb) == (
        993, True, "INBOX", True, None, 30)
    path.write_text(BULLETIN + '[mailbox]\nhost = "mail.x.cn"\nuser = "u"\nstarttls = true\n', encoding="utf-8")
    m = load_settings(path).mailbox
    assert (m.ssl, m.starttls, m.effective_port) == (False, True, 143)
    path.write_text(BULLETIN + '[mailbox]\nuser = "u"\nssl = true\nstarttls = true\npassword = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "mailbox.host：缺少此项" in message
    assert "mailbox.starttls：ssl 与 starttls 只能二选一" in message
    assert "mailbox.password：不认识的配置项（请检查拼写）" in message  # the password never goes in the file





def test_password_only_from_the_environment_and_ascii_and_cafile_must_exist(tmp_path, monkeypatch):
    from bulletin.intake.mailbox import imap_password, tls_context

    path = tmp_path / "bulletin.toml"
    path.write_text(BULLETIN + '[mailbox]\nhost = "imap.163.com"\nuser = "zgqwxzfb@163.com"\ncafile = "ca.pem"\n',
                    encoding="utf-8")
    m = load_settings(path).mailbox
    monkeypatch.delenv("BULLETIN_IMAP_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="没有设置环境变量 BULLETIN_IMAP_PASSWORD"):
        imap_password(m)
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", "ａｂｃ授权码")  # typed with a Chinese input method
    with pytest.raises(ConfigError, match="含有中文或全角字符"):
        imap_password(m)
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", "abcDEF123")
    assert imap_password(m) == "abcDEF123"
    with pytest.raises(ConfigError, match="mailbox.cafile 指向的证书文件 ca.pem 不存在"):
        tls_context(m, tmp_path)
    (tmp_path / "ca.pem").write_text("not a certificate")
    with pytest.raises(ConfigError, match="不是有效的证书文件"):
        tls_context(m, tmp_path)
