"""composer.py builds on docxcompose internals (DOCXCOMPOSE_INTERNALS): pinned to the version they were read
from. This test fails on an upgrade, on purpose: re-read those methods in the new docxcompose, re-run
tests/test_composer.py (same document as docxcompose's own Composer) and tests/test_word_validity.py, then
update DOCXCOMPOSE_VERSION."""

from __future__ import annotations

import inspect
from importlib.metadata import version

from docxcompose.composer import Composer

from bulletin.layout.composer import (
    DOCXCOMPOSE_INTERNALS,
    DOCXCOMPOSE_VERSION,
    BulletinComposer,
    docxcompose_mismatch,
)


def test_docxcompose_is_the_version_the_composer_was_written_for():
    assert version("docxcompose") == DOCXCOMPOSE_VERSION == "2.2.0"
    assert docxcompose_mismatch() == []


def test_the_internals_keep_the_signatures_the_composer_calls():
    expected = {
        "add_referenced_parts": ["self", "src_part", "dst_part", "element"],
        "add_styles": ["self", "doc", "element"],
        "add_numberings": ["self", "doc", "element"],
        "add_images": ["self", "doc", "element"],
        "add_footnotes": ["self", "doc", "element"],
        "restart_first_numbering": ["self", "doc", "element"],
        "fix_section_types": ["self", "doc"],
        "fix_header_and_footers": ["self", "doc"],
        "mapped_style_id": ["self", "style_id"],
        "_next_numbering_ids": ["self"],
        "_insert_abstract_num": ["self", "element"],
        "_insert_num": ["self", "element"],
    }
    for name, params in expected.items():
        assert list(inspect.signature(getattr(Composer, name)).parameters) == params, name
    assert set(expected) <= set(DOCXCOMPOSE_INTERNALS)
    for name in DOCXCOMPOSE_INTERNALS:  # every one the subclass relies on is a docxcompose method
        assert callable(getattr(Composer, name)), name
    assert issubclass(BulletinComposer, Composer)
