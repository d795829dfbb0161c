"""The clerk's decisions on the month's drafts, taken on the workbench (issue 24), kept in inputs/<month>/编排.toml
(intake/arrangement.py: the file compile applies, so the command line and the Prefect runs honour them too).

Each function reads the file, changes one decision, writes it back atomically and records the change in the
audit table. Moving a draft up or down works on the order the last compile printed (the ledger's rows): the
whole printed order is then written to `order`, so what the clerk saw is what the next compile prints.
"""

from __future__ import annotations

from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.month import Month
from ..core.vocabulary import DraftStatus
from ..core.workspace import Workspace
from ..intake.arrangement import Arrangement, clean, read_arrangement, write_arrangement
from ..intake.roster import Roster
from .accounts import record, role_of

MAX_TEXT = 200


def arrangement(ws: Workspace, month: Month) -> Arrangement:
    return read_arrangement(ws.month_inputs(month))


def _save(ws: Workspace, month: Month, arr: Arrangement, actor: str, action: str, details: str) -> None:
    folder = ws.month_inputs(month)
    if not folder.is_dir():
        raise BulletinError(f"没有 {month} 的稿件文件夹。")
    write_arrangement(folder, arr, str(month))
    record(ws, actor, role_of(ws, actor), action, month, details)


def _known(ws: Workspace, month: Month, file: str) -> None:
    """Only a file of the month's last compile (any state) can be decided on: the name is never a path."""
    if file not in {row.get("file") for row in _rows(ws, month)}:
        raise BulletinError(f"本月没有稿件“{file}”（请先编排，或刷新页面）。")


def _rows(ws: Workspace, month: Month) -> list[dict]:
    if not ws.ledger_path.is_file():
        return []
    with Ledger(ws.ledger_path) as ledger:
        record_ = ledger.last_compile(month)
    return list(record_.drafts) if record_ else []


def printed_order(ws: Workspace, month: Month) -> list[str]:
    return [row["file"] for row in _rows(ws, month) if row.get("status") in (DraftStatus.ACCEPTED, DraftStatus.FLAGGED)]


def _text(value: str, what: str) -> str:
    text = clean(value or "")
    if len(text) > MAX_TEXT:
        raise BulletinError(f"{what}最多 {MAX_TEXT} 字。")
    return text


def set_unit(ws: Workspace, month: Month, file: str, unit: str, *, actor: str) -> str:
    """The draft's unit (from the roster; "" takes the decision back). Returns the canonical name."""
    _known(ws, month, file)
    unit = _text(unit, "单位名称")
    if unit:
        canonical = Roster.load(ws.roster_path).resolve(unit)
        if canonical is None:
            raise BulletinError(f"“{unit}”不在单位名册（inputs/units.csv）中：请从名册中选择。")
        unit = canonical
    arr = arrangement(ws, month)
    arr.choice(file).unit = unit or None
    _save(ws, month, arr, actor, "设置供稿单位", f"《{file}》：{unit or '（按稿件识别）'}")
    return unit


def set_title(ws: Workspace, month: Month, file: str, title: str, *, actor: str) -> None:
    _known(ws, month, file)
    title = _text(title, "标题")
    arr = arrangement(ws, month)
    arr.choice(file).title = title or None
    _save(ws, month, arr, actor, "修改标题", f"《{file}》：{title or '（按稿件识别）'}")


def set_column(ws: Workspace, month: Month, file: str, column: str, *, actor: str) -> None:
    _known(ws, month, file)
    column = _text(column, "栏目")
    arr = arrangement(ws, month)
    arr.choice(file).column = column  # "" = printed under no column
    _save(ws, month, arr, actor, "设置栏目", f"《{file}》：{column or '（无栏目）'}")


def set_excluded(ws: Workspace, month: Month, file: str, excluded: bool, *, actor: str) -> None:
    _known(ws, month, file)
    arr = arrangement(ws, month)
    arr.choice(file).excluded = excluded
    _save(ws, month, arr, actor, "撤下稿件" if excluded else "恢复稿件", f"《{file}》")


def move(ws: Workspace, month: Month, file: str, where: str, *, actor: str) -> list[str]:
    """where: up | down | lead. The printed order (as last compiled) with `file` moved, written as `order`."""
    _known(ws, month, file)
    order = printed_order(ws, month)
    if file not in order:
        raise BulletinError(f"《{file}》本期未编入，不能调整顺序（请先恢复）。")
    i = order.index(file)
    if where == "lead":
        order.insert(0, order.pop(i))
        action = "设为头条"
    elif where == "up" and i > 0:
        order[i - 1], order[i] = order[i], order[i - 1]
        action = "上移"
    elif where == "down" and i < len(order) - 1:
        order[i + 1], order[i] = order[i], order[i + 1]
        action = "下移"
    elif where in ("up", "down"):
        return order  # already first / last: nothing to change
    else:
        raise BulletinError("调整顺序只能是上移、下移或设为头条。")
    arr = arrangement(ws, month)
    arr.order = order
    _save(ws, month, arr, actor, action, f"《{file}》；顺序：" + "、".join(order))
    return order


__all__ = ["arrangement", "move", "printed_order", "set_column", "set_excluded", "set_title", "set_unit"]
