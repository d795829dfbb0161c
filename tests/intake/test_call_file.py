"""约稿.txt (issue 25): what a line means, worked out by hand, and Hypothesis properties over any text an office
(or a copy from a Word document, a web page, a chat) may put in it: parsing never raises, no line is lost, a topic
is only ever given to a roster unit, and a unit the roster does not know is named as a problem with its line.
Also the [calendar] settings' dates and their Chinese errors."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.core.config import CalendarSettings, load_settings
from bulletin.core.errors import ConfigError
from bulletin.core.textio import clean_text
from bulletin.intake.calendar import MonthCalendar, covers, parse_call
from bulletin.intake.roster import Roster

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNITS = ["区人社局", "区工信局", "区住建局", "区财政局"]


def roster() -> Roster:
    r = Roster()
    for unit in UNITS:
        r.add(unit, ["区人力资源和社会保障局"] if unit == "区人社局" else [])
    return r


def test_points_topics_and_problems_of_a_call_worked_by_hand():
    text = (
        "\ufeff一、报送要点\r\n"
        "1. 围绕三季度经济运行报送信息。\r\n"
        "\r\n"
        "二、约稿\n"
        "区人力资源和社会保障局：根治欠薪专项行动进展\n"  # an alias: the canonical unit gets the topic
        "（1）区工信局、区财政局：工业经济运行情况。\n"  # two units, a list marker, a trailing 。
        "区住建局:\n"  # no topic
        "区环保局：大气污染防治\n"  # not in the roster
        "联系人：张三 8199917\n"  # a colon, but no unit: a point
        "区人社局：根治欠薪专项行动进展\n"  # the same topic again: once, and said so
    )
    notice = parse_call(text, roster())
    assert [(t.unit, t.topic, t.line) for t in notice.topics] == [
        ("区人社局", "根治欠薪专项行动进展", 5),
        ("区工信局", "工业经济运行情况", 6),
        ("区财政局", "工业经济运行情况", 6),
    ]
    assert notice.points == ["一、报送要点", "1. 围绕三季度经济运行报送信息。", "二、约稿", "区环保局：大气污染防治",
                             "联系人：张三 8199917"]
    assert notice.problems == [
        "约稿.txt 第7行：“区住建局”后没有约稿题目，已忽略。",
        "约稿.txt 第8行：“区环保局”不在单位名册（inputs/units.csv）中，这一行未作为约稿，按报送要点处理。",
        "约稿.txt 第10行：与前面的约稿相同，已合并。",
    ]
    assert notice.units == ["区人社局", "区工信局", "区财政局"]


def test_a_draft_meets_a_topic_by_most_of_its_words():
    assert covers("根治欠薪专项行动进展", "我区扎实推进根治欠薪冬季专项行动")  # 6 of 9 pieces
    assert covers("工业经济运行情况", "全区工业经济运行情况分析")
    assert not covers("工业经济运行情况", "企业服务专员制度落地见效")
    assert not covers("城市更新项目进展", "老旧小区改造")
    assert not covers("", "任何文字")


def test_the_month_calendar_counts_back_from_the_deadline_and_clamps_short_months():
    cal = MonthCalendar.of(CalendarSettings(deadline=31, call_day=10, remind_days_before=[0, 3, 1]), "2026-11",
                           SHANGHAI)
    assert cal.deadline == datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)  # November has 30 days
    assert cal.reminders == ((3, date(2026, 11, 27)), (1, date(2026, 11, 29)), (0, date(2026, 11, 30)))
    assert cal.stage_on(date(2026, 11, 29)) == 1 and cal.stage_on(date(2026, 11, 28)) is None
    assert cal.is_late("2026-11-30T18:00:01+08:00") and not cal.is_late("2026-11-30T18:00:00+08:00")
    assert cal.is_late(datetime(2026, 11, 30, 10, 0, 1, tzinfo=ZoneInfo("UTC")))  # 18:00:01 in Beijing


@pytest.mark.parametrize("section, expected", [
    ('deadline = 0', "calendar.deadline（报送截止日）：数值超出范围"),
    ('deadline_time = "6pm"', 'calendar.deadline_time（截止时间）：时间应写成 时:分（24 小时制），如 "18:00"，现在是 "6pm"'),
    ('remind_days_before = [3, 30]', "calendar.remind_days_before（提前几天催报）：提前天数应在 0 到 27 之间"),
    ('call_day = 26', "约稿日 call_day（26 日）应在截止日 deadline（25 日）之前"),
    ('remind_at = "09:00"', "calendar.remind_at：不认识的配置项（请检查拼写）"),
])
def test_calendar_settings_errors_are_chinese_and_name_the_key(tmp_path, section, expected):
    from workspace_kit import SETTINGS

    path = tmp_path / "bulletin.toml"
    path.write_text(SETTINGS + "\n[calendar]\n" + section + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert expected in str(caught.value)


def test_calendar_defaults():
    cal = CalendarSettings()
    assert (cal.deadline, cal.deadline_time, cal.call_day, cal.remind_days_before, cal.remind_time) == (
        25, "18:00", 1, [3, 1, 0], "09:00")
    assert CalendarSettings(deadline_time="8:05").deadline_clock == (8, 5)


# -- properties ------------------------------------------------------------------------------------------------
unit_names = st.sampled_from(UNITS + ["区人力资源和社会保障局", "区环保局", "区 工信局", "联系人", ""])
colons = st.sampled_from(["：", ":", ""])
topic_text = st.text(alphabet=st.sampled_from(list("根治欠薪专项行动进展工业经济，。、 ：:\t")), max_size=20)
structured_line = st.builds(lambda m, u, c, t: f"{m}{u}{c}{t}", st.sampled_from(["", "1. ", "（二）", "- ", "一、"]),
                            unit_names, colons, topic_text)
any_line = st.one_of(structured_line, st.text(max_size=40))
line_ends = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(any_line, line_ends), max_size=25))
def test_parsing_any_text_keeps_every_line_and_gives_topics_only_to_roster_units(lines):
    text = "".join(line + end for line, end in lines)
    r = roster()
    notice = parse_call(text, r)
    known = set(UNITS)
    for topic in notice.topics:
        assert topic.unit in known
        assert any(c.isalnum() for c in topic.topic) and topic.topic == topic.topic.strip(" 。.;；:：,，、")
        assert topic.line >= 1
    pairs = [(t.unit, t.topic) for t in notice.topics]
    assert len(pairs) == len(set(pairs))
    # Every line with text is exactly one of: a 报送要点, a topic line, or a line named as ignored (no topic).
    topic_lines = {t.line for t in notice.topics}
    ignored = {int(p.split("第")[1].split("行")[0]) for p in notice.problems if "没有约稿题目" in p or "已合并" in p}
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    with_text = [n for n, line in enumerate(physical, 1) if clean_text(line)]
    assert not topic_lines & ignored
    assert len(with_text) == len(notice.points) + len(topic_lines) + len(ignored)
    strangers = [p for p in notice.problems if "不在单位名册" in p]
    assert len(strangers) <= len(notice.points)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(UNITS), topic_text)
def test_a_well_formed_assignment_line_is_always_read_as_that_units_topic(unit, topic):
    notice = parse_call(f"{unit}：{topic}\n", roster())
    if "：" in topic or ":" in topic:
        return  # the first colon splits: "区工信局：a：b" gives the topic "a：b" (checked below)
    cleaned = " ".join(topic.split()).strip(" 。.;；:：,，、")
    if any(c.isalnum() for c in cleaned):
        assert [(t.unit, t.topic) for t in notice.topics] == [(unit, cleaned)]


def test_the_first_colon_splits_the_unit_from_the_topic():
    notice = parse_call("区工信局：专题：工业经济\n", roster())
    assert [(t.unit, t.topic) for t in notice.topics] == [("区工信局", "专题：工业经济")]
