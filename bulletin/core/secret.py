"""The workspace's signing secret: reviewer links, the office's sessions and CSRF tokens are all signed with it.

Created once, readable by the owner only, never printed or logged; kept in the state folder (.bulletin/).

Created so that no one ever reads half of it (issue 22 item 8: eight threads creating it at once read an empty
secret one trial in six, and links signed with the empty key were accepted): the new secret is written to a
private temporary file beside the final name, fsynced, then published with os.link, which never replaces an
existing file: the first to publish wins, everyone else reads the winner's whole secret. A secret file that is
empty or short (hand-edited, a disk that lost it) is refused with SecretProblem, never used to sign or to check.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from .errors import BulletinError
from .workspace import Workspace

SECRET_FILE = "web-secret"
MIN_LENGTH = 32  # characters of token_urlsafe(32) (43): anything shorter was not made here


class SecretProblem(BulletinError):
    """The secret file exists but cannot be used (Chinese, says what to do)."""


def secret(ws: Workspace) -> str:
    path = ws.state_dir / SECRET_FILE
    if not path.exists():
        _create(path)
    value = path.read_text().strip()
    if len(value) < MIN_LENGTH:
        raise SecretProblem(
            f"审核台的密钥文件 {path} 为空或被改短，不能用来签发或核对链接：请删除该文件后重新发送送审邮件"
            "（所有旧链接和登录随之失效）。"
        )
    return value


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # atomic, never overwrites: the first one published is the secret
        except FileExistsError:
            return  # another thread or process published first: use theirs
        except OSError:  # a file system without hard links: rename is atomic too (last writer wins, rarely)
            if not path.exists():
                os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
