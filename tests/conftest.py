"""Shared pytest fixtures."""

from __future__ import annotations


# ===== mail / approval / delivery fixtures (owner: recipients, mail, approval, delivery) =====================
# Helpers live in tests/smtp_server.py (real aiosmtpd server) and tests/mail_workspace.py (a workspace with a
# compiled, recorded bulletin); these fixtures start/stop them.
import pytest  # noqa: E402


@pytest.fixture
def smtp_server():
    """Factory: smtp_server(reject=..., drop_after=..., users=..., tls=...) -> started SmtpServer."""
    from smtp_server import SmtpServer

    started = []

    def start(**options):
        server = SmtpServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def mail_workspace(tmp_path):
    """Factory: mail_workspace(smtp={...} | None, recipients=[(list, name, email)], ...) -> MailWorkspace."""
    from mail_workspace import make_mail_workspace

    counter = iter(range(1000))
    return lambda **kw: make_mail_workspace(tmp_path / f"ws{next(counter)}", **kw)
# ===== end of mail / approval / delivery fixtures ==========================================================


# ===== compile fixtures (owner: lead) ==========================================================================
@pytest.fixture
def office(tmp_path):
    """A fresh workspace with settings and roster: office.draft(name, **kw), office.notices(rows), office.compile()."""
    from workspace_kit import make_workspace

    return make_workspace(tmp_path / "office")
# ===== end of compile fixtures ================================================================================


# ===== intake / hostile-input fixtures (owner: intake helper) =================================================
@pytest.fixture
def office_factory(tmp_path):
    """Factory for several workspaces in one test (hypothesis examples, two offices): office_factory(**kw)."""
    from workspace_kit import make_workspace

    counter = iter(range(100_000))
    return lambda **kw: make_workspace(tmp_path / f"office{next(counter)}", **kw)
# ===== end of intake / hostile-input fixtures ================================================================
