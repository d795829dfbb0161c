"""The suite's guard against LibreOffice started by a test that is not marked libreoffice (tests/conftest.py):
such a test ran in the fast loop and cost seconds each (the review desk renders page images on every page that
shows the bulletin, a compile job makes them). The guard is seen failing on planted tests, run by a pytest of
their own next to a copy of the suite's conftest.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from repo_paths import REPO, TESTS

PLANTED = '''
import shutil, subprocess
import pytest

def test_unmarked_runs_soffice():
    done = subprocess.run([shutil.which("soffice"), "--version"], capture_output=True, text=True)
    assert done.returncode == 97 and "not marked libreoffice" in done.stderr

def test_unmarked_the_product_swallows_the_failure(tmp_path):
    from bulletin.core.errors import BulletinError
    from bulletin.layout.render import to_pdf
    (tmp_path / "a.docx").write_bytes(b"PK")
    with pytest.raises(BulletinError, match="LibreOffice 未能把 a.docx 转为 PDF"):
        to_pdf(tmp_path / "a.docx")  # as the desk does with its page images: said on the page, test goes on

def test_unmarked_quiet():
    assert "soffice-shim" in shutil.which("libreoffice")

def test_unmarked_with_no_page_images(tmp_path, no_page_images):
    from bulletin.core.errors import BulletinError
    from bulletin.core.workspace import Workspace
    from bulletin.office.status import pages
    with pytest.raises(BulletinError, match="测试中不生成页面图"):
        pages(Workspace(tmp_path), tmp_path / "a.docx")

@pytest.mark.libreoffice
def test_marked_sees_the_real_one():
    assert "soffice-shim" not in (shutil.which("soffice") or "")
'''


def test_a_test_that_starts_libreoffice_unmarked_fails_and_a_marked_one_does_not(tmp_path):
    shutil.copyfile(TESTS / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    libreoffice: x\n    slow: x\n", encoding="utf-8")
    (tmp_path / "test_planted.py").write_text(PLANTED, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(TESTS / "kits")]))
    env.pop("PYTEST_ADDOPTS", None)
    # this test is not marked libreoffice either: its own shim leaves PATH, the planted session puts up its own
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if "soffice-shim" not in p)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rE", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("5 passed, 2 errors"), done.stdout[-3000:]
    errors = sorted(line.split("::")[1].split()[0] for line in done.stdout.splitlines() if line.startswith("ERROR "))
    assert errors == ["test_unmarked_runs_soffice", "test_unmarked_the_product_swallows_the_failure"]
    # the errors' own sections, not the short summary: how much of a reason the summary line repeats depends on
    # the width of the terminal pytest thinks it has (CI's showed it whole, a 2nd time for each error)
    sections = done.stdout.split("short test summary info")[0]
    assert sections.count("started LibreOffice 1 time(s) but is not marked libreoffice") == 2, sections
