"""The archive's use cases (issue 27): archive an approved issue, rebuild the archive from the approved files,
search it, bind a year's 汇编. The feature code is bulletin/archive/; this module finds the files and records
the ledger knows and says in Chinese what happened.

- `archive_approved(ws, month)`: called by office/decide.py after a written approval. Only an issue that may be
  sent is archived (the review chain's last step signed it, the file unchanged: delivery/approval.approved_file);
  a failure is said and the approval stands.
- `rebuild(ws)`: every month of the bulletin and of every [series.<name>] whose current file is approved, read
  again from its .docx (for the months approved before the archive existed, or after a change of the reader).
- `search(ws, words, …)`, `compendium(ws, year)`: see bulletin/archive/search.py and compendium.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..archive.duplicates import archive_path
from ..archive.reader import read_issue
from ..archive.search import Hit
from ..archive.search import search as search_archive
from ..archive.store import Archive, ArchivedIssue
from ..core.errors import BulletinError, NotApproved
from ..core.ledger import Ledger
from ..core.month import Month
from ..core.workspace import Workspace
from ..delivery.approval import approved_file


def _archive(ws: Workspace, month: str, path: Path, sha256: str, source: str) -> tuple[int, list[str]]:
    """Read the approved file and replace the month's issue in the archive: (articles archived, problems)."""
    with Ledger(ws.ledger_path) as ledger:
        record = ledger.last_compile(month)
    if record is None:
        raise BulletinError(f"{month} 没有编排记录")
    settings = ws.settings.bulletin
    read = read_issue(path, record.drafts, fallback_title=f"{ws.title}第{record.number}期", fallback_unit=settings.office)
    issue = ArchivedIssue(ws.series, str(month), record.number, record.issue_date, ws.title, ws.shown(path), sha256,
                          source)
    with Archive(archive_path(ws)) as archive:
        archive.replace_issue(issue, read.articles)
    return len(read.articles), read.problems


def archive_approved(ws: Workspace, month: Month) -> str:
    """After an approval: the issue into the archive if it may now be sent; a Chinese line ("" when not yet)."""
    try:
        path, sha = approved_file(ws, month)
    except NotApproved:
        return ""  # a review chain's earlier step: archived when 签发 approves
    try:
        count, problems = _archive(ws, month, path, sha, "approval")
    except BulletinError as exc:
        return f"注意：未能归档（{exc}）；审核结果不受影响，可稍后执行 bulletin archive rebuild。"
    note = f"（{'；'.join(problems)}）" if problems else ""
    return f"已归档：{ws.title} {month} 共 {count} 篇文章，可用 bulletin search 检索{note}。"


@dataclass
class RebuildReport:
    archived: list[str] = field(default_factory=list)  # "工作简报 2026-10 第64期：30 篇"
    skipped: list[str] = field(default_factory=list)  # months compiled but not approved, with why
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"已归档 {len(self.archived)} 期："] + [f"  {line}" for line in self.archived]
        if self.skipped:
            lines += [f"未归档 {len(self.skipped)} 期（未审核通过或文件已改动）："] + [f"  {s}" for s in self.skipped]
        lines += [f"注意：{p}" for p in self.problems]
        return lines


def publications(ws: Workspace) -> list[Workspace]:
    """The bulletin and each configured series."""
    root = Workspace(ws.root)
    return [root] + [root.for_series(name) for name in root.office_settings.series]


def rebuild(ws: Workspace, year: int | None = None, only: Workspace | None = None) -> RebuildReport:
    """Archive every approved month again from its .docx (all publications, or `only` one; all years, or one)."""
    report = RebuildReport()
    for pub in [only] if only is not None else publications(ws):
        if not pub.ledger_path.is_file():
            continue
        with Ledger(pub.ledger_path) as ledger:
            months = ledger.compiled_months()
        for month in months:
            if year is not None and not month.startswith(f"{year:04d}-"):
                continue
            try:
                path, sha = approved_file(pub, month)
            except NotApproved as exc:
                report.skipped.append(f"{pub.title} {month}：{exc}")
                continue
            try:
                count, problems = _archive(pub, month, path, sha, "rebuild")
            except BulletinError as exc:
                report.problems.append(f"{pub.title} {month} 未能归档：{exc}")
                continue
            report.archived.append(f"{pub.title} {month}（{path.name}）：{count} 篇")
            report.problems += [f"{pub.title} {month}：{p}" for p in problems]
    return report


def search(ws: Workspace, words: list[str], *, year: int | None = None, unit: str | None = None,
           series: str | None = None, limit: int = 20) -> tuple[list[Hit], int]:
    path = archive_path(ws)
    if not path.is_file():
        return [], 0
    with Archive(path) as archive:
        return search_archive(archive, words, year=year, unit=unit, series=series, limit=limit)


def hit_lines(hits: list[Hit], total: int, words: list[str]) -> list[str]:
    """What `bulletin search` prints: one block per article."""
    if not total:
        return [f"没有找到含“{' '.join(words)}”的文章（只检索已审核通过并归档的各期；"
                "早于归档功能的月份请先执行 bulletin archive rebuild）。"]
    lines = [f"找到 {total} 篇" + (f"，显示前 {len(hits)} 篇" if len(hits) < total else "") + "："]
    for n, hit in enumerate(hits, start=1):
        a = hit.article
        publication = f"{a.series}" if a.series else ""
        unit = a.unit or "（单位未识别）"
        lines.append(f"{n}. {publication}第{a.number}期（{a.date_text}）{unit}：{a.title}")
        lines.append(f"   {hit.sentence}")
    return lines


@dataclass
class CompendiumResult:
    path: Path
    issues: int
    articles: int
    left_out: list[str]
    pdf: Path | None = None
    numbered: bool = True
    archived_now: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"已生成年度汇编 {self.path}：{self.issues} 期，{self.articles} 篇文章。"]
        if self.archived_now:
            lines.append("先补归档了：" + "、".join(self.archived_now))
        if self.left_out:
            lines.append("未收入（未审核通过）：" + "；".join(self.left_out))
        if not self.numbered:
            lines.append("注意：未找到 LibreOffice（或 pdftotext），目录和索引未标页码。")
        if self.pdf is not None:
            lines.append(f"PDF 版：{self.pdf}")
        return lines


def compendium(ws: Workspace, year: int) -> CompendiumResult:
    """The year's 汇编 of this publication (the bulletin, or the series `ws` is); approved months missing from
    the archive are archived first, months compiled but not approved are named and left out."""
    from ..archive.compendium import Bound, Volume, compendium_bytes, laid_out
    from ..core.atomic import write_atomic
    from ..layout.render import soffice, to_pdf_a as to_pdf  # the 汇编 kept as PDF/A-2b like every edition

    left_out, archived_now, refused = [], [], set()
    months: list[str] = []
    numbers: dict[str, int] = {}
    if ws.ledger_path.is_file():
        with Ledger(ws.ledger_path) as ledger:
            months = [m for m in ledger.compiled_months() if m.startswith(f"{year:04d}-")]
            numbers = {m: ledger.last_compile(m).number for m in months}
    with Archive(archive_path(ws)) as archive:
        held = {i.month: i for i in archive.issues(ws.series, year)}
    for month in months:
        try:
            path, sha = approved_file(ws, month)
        except NotApproved:
            left_out.append(f"{year}年{int(month[5:])}月（第{numbers[month]}期）")
            refused.add(month)  # the current file is not approved: the 汇编 does not print an older one
            continue
        if month not in held or held[month].sha256 != sha:
            _archive(ws, month, path, sha, "rebuild")
            archived_now.append(month)
    with Archive(archive_path(ws)) as archive:
        bound = [Bound(i, archive.articles(ws.series, i.month)) for i in archive.issues(ws.series, year)
                 if i.month not in refused]
    settings = ws.settings.bulletin
    volume = Volume(settings.short_title, settings.office, year, bound, left_out)
    target = ws.outputs / "汇编" / f"{year}年{settings.short_title}汇编.docx"
    try:
        soffice()
        data, pdf = laid_out(volume, to_pdf)
    except BulletinError:
        data, pdf = compendium_bytes(volume, {}), None
    write_atomic(target, data)
    pdf_path = None
    if pdf is not None and settings.pdf:
        pdf_path = target.with_suffix(".pdf")
        write_atomic(pdf_path, pdf)
    return CompendiumResult(target, len(bound), sum(len(b.articles) for b in bound), left_out, pdf_path,
                            pdf is not None, archived_now)
