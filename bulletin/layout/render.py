"""A .docx as LibreOffice prints it: a PDF, and PNG page images for the review desk, cached by the file's sha256.

LibreOffice on Linux has none of the official Chinese fonts the bulletin names; `fonts.conf` (next to this
file) maps them to the installed CJK fonts. Each conversion runs LibreOffice headless with a throw-away profile,
so it never meets an office user's LibreOffice, and never through a shell (file names are data).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..core.atomic import sha256_file, write_atomic
from ..core.errors import BulletinError

FONTS_CONF = Path(__file__).with_name("fonts.conf")
TIMEOUT_SECONDS = 180
INSTALL_HINT = "请安装 LibreOffice 和中文字体（Debian/Ubuntu：sudo apt install libreoffice-writer-nogui fonts-noto-cjk poppler-utils）"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise BulletinError(f"本机没有 LibreOffice，无法生成 PDF 或页面预览：{INSTALL_HINT}。Word 文件（.docx）不受影响。")
    return found


def to_pdf(docx: Path) -> bytes:
    """The PDF LibreOffice prints of `docx` (bytes): for looking at (page images), not for keeping."""
    return convert(docx, "pdf", "PDF")


# LibreOffice's PDF export with SelectPdfVersion 2 = PDF/A-2b: fonts embedded, an sRGB output intent, XMP
# metadata, no transparency groups or encryption. The JSON form of the filter options needs LibreOffice 7.4+.
PDF_A_2B = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


def to_pdf_a(docx: Path) -> bytes:
    """The PDF edition to mail and keep: PDF/A-2b (GB/T 9704's fixed layout for archives and exchange)."""
    return convert(docx, PDF_A_2B, "PDF/A")


def convert(source: Path, fmt: str, label: str) -> bytes:
    """`source` converted by LibreOffice headless to `fmt` (its --convert-to name: "pdf", "xlsx"), as bytes;
    BulletinError (Chinese, naming the file) when LibreOffice is missing, fails or takes too long."""
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="bulletin-render-") as work:
        work_dir = Path(work)
        # a plain name: the office's file name never reaches a command line
        source_copy = work_dir / f"in{source.suffix.lower()}"
        shutil.copyfile(source, source_copy)
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": str(work_dir)}
        try:
            done = subprocess.run(
                [program, f"-env:UserInstallation=file://{work_dir}/profile", "--headless", "--norestore",
                 "--convert-to", fmt, "--outdir", str(work_dir / "out"), str(source_copy)],
                env=env, capture_output=True, timeout=TIMEOUT_SECONDS, check=False,
            )
        except subprocess.TimeoutExpired:
            raise BulletinError(f"LibreOffice 转换 {source.name} 超时（{TIMEOUT_SECONDS} 秒），请稍后重试。") from None
        result = work_dir / "out" / f"in.{fmt.split(':')[0]}"
        if done.returncode != 0 or not result.is_file():
            raise BulletinError(f"LibreOffice 未能把 {source.name} 转为 {label}：{done.stderr.decode(errors='replace')[-300:]}")
        return result.read_bytes()


def page_images(docx: Path, cache: Path, dpi: int = 60) -> list[Path]:
    """PNG pages of `docx` under cache/<sha256>/ (made once per version of the file).

    One LibreOffice per version at a time (issue 22 item 10: four parallel views of a new version started five):
    whoever finds no pages takes a file lock named after the sha256 (cache/<sha256>.lock, flock: it holds between
    threads and between processes), looks again, and renders only if no one did meanwhile; the others wait on
    the lock and reuse the pages. The pages and bulletin.pdf are made in a temporary folder renamed to
    cache/<sha256>/ at the end, so a reader sees every page or none."""
    sha = sha256_file(docx)
    folder = cache / sha
    pages = _pages(folder)
    if pages:
        return pages
    if not shutil.which("pdftoppm"):
        raise BulletinError(f"本机没有 pdftoppm，无法生成页面预览：{INSTALL_HINT}。")
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache / f"{sha}.lock"):
        pages = _pages(folder)
        if pages:  # made by whoever held the lock before us
            return pages
        pdf = to_pdf(docx)
        made = Path(tempfile.mkdtemp(prefix=".pages-", dir=cache))
        try:
            with tempfile.TemporaryDirectory(prefix="bulletin-pages-") as work:
                source = Path(work) / "in.pdf"
                source.write_bytes(pdf)
                subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(source), str(Path(work) / "page")],
                               capture_output=True, timeout=TIMEOUT_SECONDS, check=True)
                for n, page in enumerate(_pages(Path(work)), start=1):
                    shutil.copyfile(page, made / f"page-{n}.png")
            write_atomic(made / "bulletin.pdf", pdf)
            os.chmod(made, 0o755 & ~_umask())
            if folder.exists():  # left half-made by an older version of this code: replaced whole
                shutil.rmtree(folder)
            os.rename(made, folder)
        finally:
            if made.exists():
                shutil.rmtree(made, ignore_errors=True)
    return _pages(folder)


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _locked(path: Path):
    """An exclusive flock on `path` (created if missing), released on leaving; waits for the holder."""
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
