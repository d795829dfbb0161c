"""The ranking chart as a PNG (matplotlib), for the README, a mail or a slide. Chinese labels need a CJK
font: the first one fontconfig/matplotlib knows of is used; without one there is no picture (and a note),
never a picture of empty boxes."""

from __future__ import annotations

import io
from pathlib import Path

from ..core.atomic import write_atomic
from .figures import Stats

_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                 "AR PL UKai CN", "SimHei", "Microsoft YaHei")


def cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in _CJK_FAMILIES if family in installed), None)


def write_ranking_png(stats: Stats, path: Path, title: str, top: int = 20) -> Path | None:
    """A horizontal bar chart of 得分 for the first `top` units; None when no CJK font is installed."""
    font = cjk_font()
    if font is None or not stats.ranking:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = stats.ranking[:top]
    figure = Figure(figsize=(8, 0.38 * len(rows) + 1.4), dpi=100)
    axes = figure.add_subplot()
    names = [f"{r.rank}. {r.unit}" for r in rows]
    bars = axes.barh(range(len(rows)), [r.points for r in rows], color="#C00000")
    axes.set_yticks(range(len(rows)), names, fontfamily=font)
    axes.invert_yaxis()
    axes.bar_label(bars, labels=[f"{r.points:g}" for r in rows], padding=3, fontsize=9)
    axes.set_title(title, fontfamily=font)
    axes.set_xlabel("得分", fontfamily=font)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    write_atomic(path, buffer.getvalue())
    return path
