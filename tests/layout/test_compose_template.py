"""compose.py and the office's template: what a bad template raises is reported in Chinese with its traceback in
the log, bugs stay bugs (issue 15, defect 4); the template is rendered in Jinja's sandbox; the marker
paragraphs that place each draft's body never reach the bulletin."""

from __future__ import annotations

import logging

import hostile_kit as k
import pytest
from ooxml_audit import assert_valid, dangling_references

import bulletin.layout.compose as compose
from bulletin.core.errors import TemplateProblem
from bulletin.core.resources import shipped_template


def _template_with(office, old: str, new: str):
    """A copy of the shipped template with one tag replaced, configured as the office's template."""
    xml = k.zip_member(shipped_template().read_bytes(), "word/document.xml").decode()
    assert xml.count(old) == 1
    k.rewrite(shipped_template(), office.root / "办公室模板.docx", {"word/document.xml": xml.replace(old, new).encode()})
    with open(office.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write('template = "办公室模板.docx"\n')


def test_an_attribute_walk_in_the_template_is_refused_by_the_sandbox(office):
    """A plain Jinja environment would print "(<class 'str'>, <class 'object'>)" here (and could reach
    os through __globals__); the sandbox refuses the walk."""
    office.draft("1.docx", title="稿件", unit_line="区人社局")
    _template_with(office, "{{ issue_number }}", "{{ office.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem) as info:
        office.compile()
    assert str(info.value).startswith("模板 办公室模板.docx 中的标记有误（")
    assert "__class__" in str(info.value) and "unsafe" in str(info.value)
    assert not office.ws.month_outputs(office.month).joinpath("工作简报第64期.docx").exists()


def test_template_syntax_errors_are_explained_and_the_traceback_is_logged(office, caplog):
    office.draft("1.docx", title="稿件", unit_line="区人社局")
    _template_with(office, "{{ issue_number }}", "{{ issue_number ")
    with caplog.at_level(logging.WARNING, logger="bulletin.layout.compose"), pytest.raises(TemplateProblem) as info:
        office.compile()
    assert "中的标记有误" in str(info.value) and "{{ }}" in str(info.value)
    (record,) = [r for r in caplog.records if r.name == "bulletin.layout.compose"]
    assert record.exc_info is not None and "TemplateSyntaxError" in record.exc_info[0].__name__


def test_a_template_that_is_no_docx_is_named_with_the_reason(office):
    office.draft("1.docx", title="稿件", unit_line="区人社局")
    (office.root / "办公室模板.docx").write_text("这不是 Word 文件", encoding="utf-8")
    with open(office.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write('template = "办公室模板.docx"\n')
    with pytest.raises(TemplateProblem) as info:
        office.compile()
    assert str(info.value).startswith("无法使用模板 办公室模板.docx：不是有效的 Word 文档")


def test_a_bug_is_not_disguised_as_a_template_problem(office, monkeypatch):
    office.draft("1.docx", title="稿件", unit_line="区人社局")

    def broken_context(issue, markers):
        raise KeyError("a bug in the code, not in the template")

    monkeypatch.setattr(compose, "_context", broken_context)
    with pytest.raises(KeyError, match="a bug in the code"):
        office.compile()


def test_marker_paragraphs_never_reach_the_bulletin(office):
    office.draft("1.docx", title="第一篇", unit_line="区人社局", paragraphs=["第一篇正文。"])
    office.draft("2.docx", title="第二篇", unit_line="区财政局", paragraphs=["第二篇正文。"])
    result = office.compile()
    for name, text in k.part_texts(result.path).items():
        assert "BULLETIN-ARTICLE" not in text, name
    body = k.part_texts(result.path)["word/document.xml"]
    assert "第一篇区人社局第一篇正文。第二篇区财政局第二篇正文。" in body  # each body right under its title
    assert_valid(result.path)
    assert dangling_references(result.path) == []
