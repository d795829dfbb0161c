"""Open a .docx in LibreOffice (headless) the way a reader's office suite would, and read the PDF back."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from repo_paths import REPO

FONTS_CONF = REPO / "bulletin" / "layout" / "fonts.conf"


def require_soffice() -> str:
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed: CI must install it (tools/setup.sh --test)")
        pytest.skip("LibreOffice not installed (bash tools/setup.sh --test installs it)")
    return soffice


def convert(source: Path, fmt: str, out_dir: Path) -> Path:
    """`soffice --convert-to FMT`: the file LibreOffice writes into out_dir."""
    soffice = require_soffice()
    profile = out_dir / "lo-profile"
    env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), HOME=str(out_dir))
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
         "--outdir", str(out_dir), str(source)],
        capture_output=True, text=True, timeout=180, env=env,
    )
    produced = out_dir / f"{source.stem}.{fmt.split(':')[0]}"
    assert done.returncode == 0, done.stderr
    assert produced.is_file() and produced.stat().st_size > 1000, f"nothing written: {done.stdout} {done.stderr}"
    return produced


def to_pdf(docx: Path, out_dir: Path) -> Path:
    return convert(docx, "pdf", out_dir)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
