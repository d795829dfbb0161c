"""Who wrote a draft: unit lines, bylines, people's names and dates, in every form departments write them.

    区人社局                     区人社局 张三              （区人社局）         ——区人社局
    （区财政局供稿）              区人社局供稿               （供稿单位：区财政局）
    （区医保局供稿 撰稿人：王五）   撰稿：王五 审核：李四        区人社局 / 2026年11月5日 (a closing block)

`parse_attribution(text, roster)` reads one such line into an Attribution (the unit as written, the people
and the date it names), or None when the line is article text. A line with digits, 年/月/日 or a verb in
the unit's place is never a unit ("2026年全区安全生产工作推进会" ends in 会 but is a meeting, not a unit).
`unit_at_start(title, roster)` finds the longest roster name or alias that opens a title.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .roster import Roster, normalize

# Endings of Chinese government unit names (a name not in the roster is judged by its look).
UNIT_SUFFIXES = (
    "局", "委", "办", "办公室", "中心", "院", "镇", "乡", "街道", "办事处", "公司", "所", "站", "队", "会",
    "部", "处", "室", "厅", "署", "园区", "管委会", "分局", "集团", "馆", "社", "团", "委员会", "联", "协",
)
_MAX_UNIT_LEN = 24
# Words that make a line a sentence or a title, never a unit name. Words that also occur inside unit names
# (建设、管理、保障、服务、发展、改革、监督、执法、审批、保护、振兴、应急、组织) are deliberately absent.
VERBS = (
    "推进", "推动", "开展", "召开", "举办", "举行", "加强", "强化", "提升", "实施", "落实", "完成", "深化",
    "打造", "助力", "做好", "抓好", "部署", "启动", "实现", "聚焦", "扎实", "多措并举", "全力", "持续",
    "积极", "着力", "确保", "圆满", "顺利", "荣获", "获评", "获得", "入选", "出台", "印发", "调研", "走访",
    "督导", "守好", "筑牢", "织密", "跑出", "赋能", "激活", "破解", "化解", "压实", "提高", "降低", "增长",
    "突破", "见效", "取得", "推行", "探索", "坚持", "围绕", "把", "让", "的",
)
_NOT_IN_A_UNIT = re.compile(r"[0-9〇零一二三四五六七八九十]+\s*[年月日]|[0-9]|[年月日]$|[。！？!?，,；;：:“”\"《》]")
# Labels before a unit or a person in a byline: 供稿单位：区财政局, 撰稿人：王五, 审核：李四, 电话：…
_UNIT_LABELS = ("供稿单位", "报送单位", "信息来源", "稿件来源", "来源", "供稿", "单位")
_PERSON_LABELS = (
    "撰稿人", "撰稿", "执笔人", "执笔", "作者", "供稿人", "联系人", "审核人", "审核", "审稿", "签发人", "签发",
    "责任编辑", "编辑", "通讯员", "记者", "校对", "核稿", "联系电话", "电话", "手机",
)
_LABEL = re.compile(
    "(" + "|".join(sorted(_UNIT_LABELS + _PERSON_LABELS, key=len, reverse=True)) + r")\s*[:：]\s*"
)
_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_PHONE = re.compile(r"^[0-9\-－()（）\s]{5,}$")
_DATE = re.compile(
    r"^[（(]?\s*(?:"
    r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
    r"|\d{4}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{1,2}"
    r"|[〇零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,2}\s*月(?:\s*[一二三四五六七八九十]{1,3}\s*日)?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日"
    r")\s*[）)]?$"
)
_BRACKETS = str.maketrans({"(": "（", ")": "）", "[": "【", "]": "】"})
_DECORATION = re.compile(r"^[\s（【—\-－–·]+|[\s）】]+$")


@dataclass
class Attribution:
    """What one attribution line says. `unit` is the name as written (resolve it with the roster)."""

    unit: str = ""
    in_roster: bool = False
    people: list[str] = field(default_factory=list)  # "撰稿人：王五", or a bare name "张三"
    date: str = ""


def is_date_line(text: str) -> bool:
    return bool(_DATE.match(unicodedata.normalize("NFKC", text).strip()))


def is_unit_name(text: str) -> bool:
    """Looks like a unit name: a known ending, short, no digits, dates, punctuation or verbs."""
    name = normalize(text)
    if not (2 <= len(name) <= _MAX_UNIT_LEN) or _NOT_IN_A_UNIT.search(name):
        return False
    if any(verb in name for verb in VERBS):
        return False
    return name.endswith(UNIT_SUFFIXES)


def resolve_unit(text: str, roster: Roster) -> tuple[str, bool] | None:
    """(name, in_roster): a roster name or alias, else a name that looks like a unit; None otherwise."""
    name = _DECORATION.sub("", normalize(text).translate(_BRACKETS))
    if not name:
        return None
    known = roster.canonical.get(name)
    if known:
        return known, True
    return (name, False) if is_unit_name(name) else None


def unit_at_start(text: str, roster: Roster) -> tuple[str, str] | None:
    """(canonical unit, the name as it opens the text) for the longest roster name or alias opening `text`."""
    name = normalize(text)
    for length in range(min(len(name), _MAX_UNIT_LEN + 8), 1, -1):
        known = roster.canonical.get(name[:length])
        if known:
            return known, name[:length]
    return None


def _person_or_unit(token: str, roster: Roster, found: Attribution) -> bool:
    """Place one unlabelled token: a unit (first), a person's name after the unit, a phone number."""
    if not found.unit:
        known = roster.canonical.get(normalize(token))
        prefix = None if known else unit_at_start(token, roster)
        if prefix and _PERSON.match(normalize(token)[len(prefix[1]):]):
            # "区人社局张三": a roster unit and a person's name run together
            found.unit, found.in_roster = prefix[0], True
            found.people.append(normalize(token)[len(prefix[1]):])
            return True
        unit = resolve_unit(token, roster)
        if unit:
            found.unit, found.in_roster = unit
            return True
        return False
    if _PERSON.match(token) and not resolve_unit(token, roster):
        found.people.append(token)
        return True
    return bool(_PHONE.match(token))


def parse_attribution(text: str, roster: Roster, *, bare_unit: bool = True) -> Attribution | None:
    """Read an attribution line, or None when it is article text.

    bare_unit: whether a line holding only a unit name counts (a unit line under the title, a closing
    signature); bracketed lines, 供稿 lines and labelled lines always count.
    """
    line = unicodedata.normalize("NFKC", text).strip().translate(_BRACKETS)
    if not line or len(line) > 80:
        return None
    bracketed = line.startswith("（") and line.endswith("）")
    line = _DECORATION.sub("", line)
    if not line:
        return None
    found = Attribution()
    # Labelled parts: "供稿单位：区财政局", "撰稿人：王五", "电话：8199917".
    parts = _LABEL.split(line)
    head, labelled = parts[0], list(zip(parts[1::2], parts[2::2]))
    for label, value in labelled:
        value = value.strip().strip("，,；;、")
        if label in _UNIT_LABELS:
            unit = resolve_unit(value, roster)
            if not unit:
                return None
            found.unit, found.in_roster = unit
        elif value:
            found.people.append(f"{label}：{value}")
    # The unlabelled head: "区医保局供稿", "区人社局 张三", "区人社局".
    head = head.strip().strip("，,；;、")
    supplied = False
    for suffix in ("供稿", "报送", "提供"):
        if head.endswith(suffix):
            head, supplied = head[: -len(suffix)].strip(), True
            break
    if head:
        for token in re.split(r"[\s、，,；;]+", head):
            if token and not _person_or_unit(token, roster, found):
                return None
    if supplied and not found.unit:
        return None
    if not (found.unit or found.people):
        return None
    if not (bare_unit or bracketed or supplied or labelled or found.people):
        return None
    return found
