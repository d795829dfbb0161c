"""Property tests (Hypothesis) over the mail door's parsers: whatever bytes, headers and file names a stranger
sends, `parse_message` never raises, the From address is never taken from a display name, and every attachment
name becomes a safe file name inside the month folder.

Small budget in the suite; `FUZZ_EXAMPLES=5000 bash tools/fuzz.sh` runs them longer.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.intake.attachments import safe_name
from bulletin.intake.mailparse import MAX_SUBJECT_CHARS, parse_message

BUDGET = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MONTH_FOLDER = Path("/srv/office/inputs/2026-10")
ADDR_SPEC = re.compile(r"[^\s@<>()\[\]\\,;:\"]+@[^\s@<>()\[\]\\,;:\"]+")

# Text a hostile or just old client may put in a name: Chinese, path parts, controls, bidi overrides, quotes.
nasty_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("区人社局稿件简报终稿./\\:*?\"<>|~$ -_()（）%=;'") + ["\x00", "\x1b", "\r", "\n",
                                                                             "\u202e", "\u200f", "\x85", "\ufeff"]),
        st.characters(codec="utf-8"),
    ),
    max_size=120,
)


def encoded_word(text: str, charset: str, b: bool) -> str:
    data = text.encode(charset, errors="replace")
    if b:
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    return f"=?{charset}?Q?{''.join(f'={byte:02X}' for byte in data)}?="


@st.composite
def file_name_header(draw) -> bytes:
    """A Content-Disposition / Content-Type pair naming a file in one of the forms clients use."""
    name = draw(nasty_text)
    form = draw(st.sampled_from(["2047-utf8", "2047-gb", "2231", "2231-continued", "raw-gbk", "raw-utf8", "plain"]))
    if form == "2047-utf8":
        value = f'filename="{encoded_word(name, "utf-8", draw(st.booleans()))}"'
    elif form == "2047-gb":
        value = f'filename="{encoded_word(name, "gb18030", draw(st.booleans()))}"'
    elif form == "2231":
        value = f"filename*=utf-8''{quote(name, safe='')}"
    elif form == "2231-continued":
        encoded = quote(name, safe="")
        value = f"filename*0*=utf-8''{encoded[:10]}; filename*1*={encoded[10:]}"
    elif form == "raw-gbk":
        return b'Content-Disposition: attachment; filename="' + name.encode("gb18030", "replace") + b'"'
    elif form == "raw-utf8":
        return b'Content-Disposition: attachment; filename="' + name.encode("utf-8", "surrogatepass") + b'"'
    else:
        value = f'filename="{name}"'
    return ("Content-Disposition: attachment; " + value).encode("utf-8", "surrogatepass")


@st.composite
def messages(draw) -> tuple[bytes, str]:
    """(raw message, the address in angle brackets of its From header)."""
    real = draw(st.from_regex(r"[a-z][a-z0-9_.]{0,10}@[a-z]{1,8}\.test", fullmatch=True))
    display = draw(st.one_of(
        st.just(encoded_word("rsj@zgq.gov.test", "utf-8", False)),
        st.just(encoded_word("x\r\nBcc: third@evil.test", "utf-8", True)),
        nasty_text.map(lambda t: encoded_word(t, "utf-8", True)),
        st.just('"rsj@zgq.gov.test"'),
    ))
    subject = draw(st.one_of(nasty_text.map(lambda t: encoded_word(t, "utf-8", True)),
                             st.text(alphabet=st.characters(codec="ascii", exclude_characters="\r\n"), max_size=200)))
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        disposition = draw(file_name_header())
        payload = draw(st.binary(max_size=64))
        parts.append(b"--BB\r\nContent-Type: application/octet-stream\r\n" + disposition
                     + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(payload) + b"\r\n")
    head = (f"From: {display} <{real}>\r\nSubject: {subject}\r\nMessage-ID: <p@x.test>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="BB"\r\n\r\n').encode("utf-8", "surrogatepass")
    junk = draw(st.binary(max_size=80))  # whatever else a broken client appends
    return head + b"".join(parts) + junk + b"\r\n--BB--\r\n", real


def assert_safe(name: str) -> None:
    assert name and name not in (".", "..")
    assert "/" not in name and "\\" not in name
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in name), repr(name)
    assert not any(ch in name for ch in "\u202e\u200f\ufeff"), repr(name)
    assert not name.startswith((".", "~$")), repr(name)
    assert len(name.encode("utf-8")) <= 255
    assert (MONTH_FOLDER / name).resolve().parent == MONTH_FOLDER


@BUDGET
@given(messages())
def test_any_message_parses_and_its_names_are_safe(case):
    raw, real = case
    sub = parse_message(raw)
    assert sub.sender == real  # never the display name, whatever it decodes to
    assert "\r" not in sub.sender_name and "\n" not in sub.sender_name
    assert len(sub.subject) <= MAX_SUBJECT_CHARS
    for attachment in sub.attachments:
        assert_safe(safe_name(attachment.name, fallback="附件"))


@BUDGET
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw):
    sub = parse_message(raw)
    assert sub.sender == "" or ADDR_SPEC.fullmatch(sub.sender)
    for attachment in sub.attachments:
        assert_safe(safe_name(attachment.name, fallback="附件"))


@BUDGET
@given(nasty_text)
def test_safe_name_of_any_text_stays_in_the_folder(name):
    assert_safe(safe_name(name, fallback="附件"))
