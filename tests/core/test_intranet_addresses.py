"""Issue 23 item 13: an intranet office's own addresses in bulletin.toml.

Government intranet mail systems use special-use domain names (office@mail.zg.local, .internal, single-label
hosts). recipients.csv always accepted them; `[smtp] sender`, `[review] reviewers` and `[bulletin] email`
refused them (pydantic's EmailStr asks email-validator for globally deliverable addresses), so an intranet
office could not configure its own relay. The rule: every address in bulletin.toml is checked for syntax only,
the same way as the recipients (no DNS, special-use domains accepted), and a typo is still refused in Chinese.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from bulletin.core.config import load_settings
from bulletin.core.errors import ConfigError

BASE = """\
[bulletin]
title = "章贡区“五型”政府建设 工作简报"
office = "区“五型”政府建设领导小组办公室"
phone = "8199917"
email = "{email}"
first_issue = 64
report_to = "区政府区长、副区长"
send_to = "各镇、街道，全区政府系统部门（单位）"

[smtp]
host = "mail.zg.local"
sender = "{sender}"

[review]
reviewers = [{reviewers}]
"""


def write(tmp_path, email="zgqwxzfb@163.com", sender="office@example.org", reviewers='"zhuren@example.org"'):
    path = tmp_path / "bulletin.toml"
    path.write_text(BASE.format(email=email, sender=sender, reviewers=reviewers), encoding="utf-8")
    return path


def test_intranet_addresses_are_accepted_in_every_address_setting(tmp_path):
    path = write(tmp_path, email="wxzfb@mail.zg.local", sender="office@mail.zg.local",
                 reviewers='"zhuren@mail.zg.local", "mishu@oa.zg.internal", "fzr@mailsrv", "sj@oa.test"')
    settings_ = load_settings(path)
    assert settings_.bulletin.email == "wxzfb@mail.zg.local"
    assert settings_.smtp.sender == "office@mail.zg.local"
    assert settings_.review.reviewers == ["zhuren@mail.zg.local", "mishu@oa.zg.internal", "fzr@mailsrv",
                                          "sj@oa.test"]


def test_full_width_input_is_folded_like_the_recipients(tmp_path):
    # typed in Chinese input mode: ｏｆｆｉｃｅ＠ｍａｉｌ．ｚｇ．ｌｏｃａｌ
    path = write(tmp_path, sender="ｏｆｆｉｃｅ＠ｍａｉｌ．ｚｇ．ｌｏｃａｌ")
    assert load_settings(path).smtp.sender == "office@mail.zg.local"


@pytest.mark.parametrize("where, kwargs, key", [
    ("sender", {"sender": "office@@mail.zg.local"}, "smtp.sender"),
    ("email", {"email": "wxzfb at mail.zg.local"}, "bulletin.email（电子邮箱）"),
    ("reviewers", {"reviewers": '"zhuren@mail.zg.local", "mishu@"'}, "review.reviewers.1"),
])
def test_a_typo_is_still_refused_in_chinese(tmp_path, where, kwargs, key):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, **kwargs))
    message = str(caught.value)
    assert f"  - {key}：不是有效的电子邮箱地址：" in message, message


_LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-+", min_size=1, max_size=12)
_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)
_TLD = st.sampled_from(["local", "internal", "lan", "test", "localhost", "corp", "cn", "org", "arpa", "invalid"])


@settings(max_examples=150, deadline=None)
@given(local=_LOCAL, labels=st.lists(_LABEL, min_size=0, max_size=3), tld=_TLD)
def test_settings_accept_exactly_what_the_recipient_list_accepts(tmp_path_factory, local, labels, tld):
    """One rule for every address the office types: bulletin.toml and recipients.csv agree on what is valid
    (case aside: the recipient list keys addresses in lower case)."""
    from email_validator import EmailNotValidError

    from bulletin.delivery.recipients import normalise_email

    address = f"{local}@{'.'.join(labels + [tld])}"
    try:
        expected = normalise_email(address)
    except EmailNotValidError:
        expected = None
    path = write(tmp_path_factory.mktemp("p"), sender=address)
    try:
        got = load_settings(path).smtp.sender.lower()
    except ConfigError:
        got = None
    assert got == expected
