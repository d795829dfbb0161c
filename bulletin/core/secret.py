"""The workspace's signing secret: reviewer links, the office's sessions and CSRF tokens are all signed with it.

Created once, readable by the owner only, never printed or logged; kept in the state folder (.bulletin/).
"""

from __future__ import annotations

import os
import secrets

from .workspace import Workspace

SECRET_FILE = "web-secret"


def secret(ws: Workspace) -> str:
    path = ws.state_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
