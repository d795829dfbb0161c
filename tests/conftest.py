"""Shared pytest fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    """The reading corpus's roster (tests/kits/reading_corpus.py ROSTER_CSV), loaded once per test module."""
    from reading_corpus import ROSTER_CSV

    from bulletin.intake.roster import Roster

    path = tmp_path_factory.mktemp("roster") / "units.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")
    return Roster.load(path)


# ===== mail / approval / delivery fixtures (owner: recipients, mail, approval, delivery) =====================
# Helpers live in tests/kits/smtp_server.py (real aiosmtpd server) and tests/kits/mail_workspace.py (a workspace with a
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


# ===== Prefect flow fixtures (owner: flows) ===================================================================
# Prefect reads its settings when it is imported: set them before any test module imports it.
import os as _os  # noqa: E402
import tempfile as _tempfile  # noqa: E402

_os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
# Tests never touch a real Prefect home (profiles, a configured PREFECT_API_URL, its database).
_os.environ["PREFECT_HOME"] = _tempfile.mkdtemp(prefix="bulletin-test-prefect-")
__import__("atexit").register(__import__("shutil").rmtree, _os.environ["PREFECT_HOME"], True)
_os.environ.pop("PREFECT_API_URL", None)
_os.environ.pop("PREFECT_PROFILE", None)
# prefect.toml says extra_loggers = "bulletin"; in a test session that would attach Prefect's API handler to
# `bulletin` for every test (logs outside a run then warn). The flow forwards them itself during a run.
_os.environ["PREFECT_LOGGING_EXTRA_LOGGERS"] = ""


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's own engine against a temporary server and database (one for the whole session)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
# ===== end of Prefect flow fixtures ============================================================================


# ===== submission mailbox fixtures (owner: mailbox intake) ====================================================
@pytest.fixture
def imap_server():
    """Factory: imap_server(tls=False) -> a started Dovecot on 127.0.0.1 (tests/imap_server.py); stopped after."""
    from imap_server import ImapServer, require_dovecot

    require_dovecot()
    started = []

    def start(**options):
        server = ImapServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
# ===== end of submission mailbox fixtures =====================================================================


# ===== markers (owner: test layout) ==========================================================================
# pyproject.toml registers them. What a test needs is read from the fixtures it uses (so a new test is marked
# without anyone remembering to), and whatever needs a server or a program other than aiosmtpd is also `slow`:
# `pytest -m "not slow"` is the fast loop (docs/TESTING.md). Tests mark the rest themselves: libreoffice,
# browser, postgres by `pytestmark` or a decorator, `slow` for a test over ~3 s that needs none of these.
_FIXTURE_MARKERS = {
    "imap_server": "imap",  # a real Dovecot
    "smtp_server": "smtp",  # aiosmtpd in a thread: fast, not slow by itself
    "prefect_harness": "prefect",  # Prefect's engine with a temporary server
    "prefect_server": "prefect",  # `prefect server start` (tests/flows/conftest.py)
}
_SLOW_MARKERS = ("imap", "prefect", "libreoffice", "browser", "postgres")


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, marker in _FIXTURE_MARKERS.items():
            if fixture in used:
                item.add_marker(marker)
        if any(item.get_closest_marker(marker) for marker in _SLOW_MARKERS):
            item.add_marker("slow")
# ===== end of markers =========================================================================================


# ===== LibreOffice only where marked (owner: test layout) ====================================================
# A test can start LibreOffice without asking for it: the review desk renders page images of the bulletin on
# every page that shows it, a compile job makes them, `pdf = true` makes the PDF edition. No fixture sees that,
# and such a test ran in the fast loop for seconds each. For every test NOT marked libreoffice, a `soffice` and a
# `libreoffice` that refuse to run stand first on PATH (the product finds LibreOffice with shutil.which); the
# test is failed at teardown if one was started, even when the product turned the refusal into a message
# ("页面图未能生成"). Mark the test libreoffice, or give it the `no_page_images` fixture when the pages are
# incidental. Cost: one environment change and one stat per test.
_SOFFICE_SHIM = """#!/bin/sh
printf '%s\\n' "$PYTEST_CURRENT_TEST" >> '{log}'
echo "test shim: LibreOffice started by a test not marked libreoffice (tests/conftest.py)" >&2
exit 97
"""


@pytest.fixture(scope="session")
def _soffice_shim(tmp_path_factory):
    folder = tmp_path_factory.mktemp("soffice-shim")
    log = folder / "started.log"
    log.touch()
    for name in ("soffice", "libreoffice"):
        shim = folder / name
        shim.write_text(_SOFFICE_SHIM.format(log=log), encoding="utf-8")
        shim.chmod(0o755)
    return folder, log


@pytest.fixture(autouse=True)
def _libreoffice_only_where_marked(request):
    if request.node.get_closest_marker("libreoffice"):
        yield
        return
    folder, log = request.getfixturevalue("_soffice_shim")
    request.getfixturevalue("monkeypatch").setenv("PATH", str(folder), prepend=_os.pathsep)
    before = log.stat().st_size
    yield
    if log.stat().st_size != before:
        with log.open("rb") as started:
            started.seek(before)
            calls = started.read().decode(errors="replace").splitlines()
        pytest.fail(f"this test started LibreOffice {len(calls)} time(s) but is not marked libreoffice: mark it "
                    "(pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]) or use the no_page_images "
                    "fixture when the page images are incidental", pytrace=False)


@pytest.fixture
def no_page_images(monkeypatch):
    """The desk's and the compile job's page images off: no LibreOffice; the desk shows its no-preview message
    and a compile job says 页面图未能生成."""
    from bulletin.core.errors import BulletinError

    def refuse(*args, **kwargs):
        raise BulletinError("测试中不生成页面图")

    monkeypatch.setattr("bulletin.office.status.page_images", refuse)
# ===== end of LibreOffice only where marked ===================================================================
