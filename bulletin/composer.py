"""A docxcompose Composer that stays linear when a bulletin holds hundreds of drafts.

docxcompose 2.2's `Composer.insert` produces the right document but does work that grows with the size of
the composed document for every element it copies (profiled in bench/README.md):

- `add_styles` rebuilds `[s.style_id for s in self.doc.styles]` (python-docx Style objects, one per style
  of the template: 340 KB of styles.xml) once per copied element and once more per style used;
- `_create_style_id_mapping` rebuilds the name maps of both documents through python-docx objects per draft;
- `add_footnotes` re-parses and re-serialises the whole composed footnotes part for every element with a
  footnote reference (and re-parses the draft's footnotes part per reference);
- after every draft, `renumber_bookmarks`, `renumber_docpr_ids` and `renumber_nvpicpr_ids` walk the whole
  growing body, and `fix_section_types` counts the sections of the whole body;
- `body.insert(index, element)` per copied element: lxml walks the body's children to the index.

`BulletinComposer` does the same steps with the style lists cached (refreshed whenever the number of
styles changes, i.e. when a style is added), the footnotes part parsed once and serialised once, and the
renumbering done once in `finish()`: renumbering assigns ids in document order from scratch, so doing it
once after the last insert gives exactly what doing it after every insert gives. `insert_before(anchor, doc)`
places the copies with `anchor.addprevious()` (constant time). Call `finish()` (or `save()`) after the last
insert.

The one intended difference from docxcompose: a footnote's own relationships (a hyperlink inside a note)
are re-pointed on the copied note; docxcompose adds the relationship but leaves the copied note pointing
at the draft's old rId.
"""

from __future__ import annotations

from collections import OrderedDict
from copy import deepcopy

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import parse_xml
from docx.oxml.section import CT_SectPr
from docx.styles import BabelFish
from docxcompose.composer import Composer
from docxcompose.properties import CustomProperties
from docxcompose.utils import NS, xpath

_W = NS["w"]
_STYLE = f"{{{_W}}}style"
_STYLE_ID = f"{{{_W}}}styleId"
_NAME = f"{{{_W}}}name"
_VAL = f"{{{_W}}}val"
_ID = f"{{{_W}}}id"
_STYLE_REFS = ".//w:tblStyle|.//w:pStyle|.//w:rStyle"


def style_id_names(styles_element) -> dict[str, str | None]:
    """{style id: UI name} as `{s.style_id: s.name for s in doc.styles}` gives it, without Style objects."""
    names: dict[str, str | None] = {}
    for style in styles_element.iterchildren(_STYLE):
        name = style.find(_NAME)
        value = name.get(_VAL) if name is not None else None
        names[style.get(_STYLE_ID)] = BabelFish.internal2ui(value) if value is not None else None
    return names


def _has_custom_properties(doc) -> bool:
    try:
        doc.part.package.part_related_by(RT.CUSTOM_PROPERTIES)
    except KeyError:
        return False
    return True


class BulletinComposer(Composer):
    """docxcompose's Composer, linear in the number of inserted drafts. Call finish() after the last insert."""

    def __init__(self, doc, preserve_styles: bool = False):
        if preserve_styles:
            raise ValueError("BulletinComposer does not support preserve_styles")
        super().__init__(doc, preserve_styles=False)
        self._styles_seen = -1  # number of w:style children when the caches below were built
        self._our_ids: set[str | None] = set()
        self._our_name2id: dict[str | None, str | None] = {}
        self._footnotes = None  # the composed document's footnotes part, parsed once
        self._footnotes_part = None
        self._source_footnotes: tuple[object, object] | None = None  # (draft part, parsed) of the current draft
        self._finished = True

    # -- style caches -------------------------------------------------------------------------------------

    def _refresh_styles(self) -> None:
        styles = self.doc.styles.element
        count = len(styles)
        if count == self._styles_seen:
            return
        ids: set = set()
        name2id: dict = {}
        for style in styles.iterchildren(_STYLE):
            style_id = style.get(_STYLE_ID)
            name = style.find(_NAME)
            value = name.get(_VAL) if name is not None else None
            ids.add(style_id)
            name2id[BabelFish.internal2ui(value) if value is not None else None] = style_id
        self._our_ids, self._our_name2id, self._styles_seen = ids, name2id, count

    def our_style_ids(self) -> set:
        self._refresh_styles()
        return self._our_ids

    def _create_style_id_mapping(self, doc, id2name: dict | None = None):
        self._style_id2name = id2name if id2name is not None else style_id_names(doc.styles.element)
        self._refresh_styles()
        self._style_name2id = self._our_name2id  # a snapshot, as in Composer: refreshing builds a new dict

    # -- insert -------------------------------------------------------------------------------------------

    def insert(self, index, doc, remove_property_fields=True, style_names: dict | None = None):
        """As Composer.insert; `style_names` may pass the draft's {style id: name} when already known."""
        body = self.doc.element.body
        size = len(body)
        if index < 0:
            index = max(size + index, 0)
        before = body[index] if index < size else None
        self._insert(before, doc, remove_property_fields, style_names)

    def insert_before(self, anchor, doc, remove_property_fields=True, style_names: dict | None = None):
        """Insert the draft's body right before `anchor`, an element of the composed body (e.g. a marker
        paragraph). Same result as insert(body.index(anchor), ...), without the positional lookups that
        cost O(size of the body) per draft and per copied element (lxml walks the children to an index)."""
        if anchor.getparent() is not self.doc.element.body:
            raise ValueError("anchor is not a child of the document body")
        self._insert(anchor, doc, remove_property_fields, style_names)

    def _insert(self, before, doc, remove_property_fields, style_names) -> None:
        self.reset_reference_mapping()
        self._current_preserved_styles = {}
        self._source_footnotes = None
        self._finished = False

        if remove_property_fields and _has_custom_properties(doc):
            # Composer builds CustomProperties (an XPath over the whole draft and its styles) even when
            # the draft has no custom.xml, i.e. nothing to dissolve.
            cprops = CustomProperties(doc)
            for name in cprops.keys():  # noqa: SIM118 - CustomProperties is not a mapping
                cprops.dissolve_fields(name)

        self._create_style_id_mapping(doc, style_names)

        body = self.doc.element.body
        for element in doc.element.body:
            if isinstance(element, CT_SectPr):
                continue
            element = deepcopy(element)
            # Composer does body.insert(index, element); index += 1: each copy lands before the element
            # that was at `index`, in order. addprevious does the same in constant time.
            if before is None:
                body.append(element)
            else:
                before.addprevious(element)
            self.add_referenced_parts(doc.part, self.doc.part, element)
            self.add_styles(doc, element)
            self.add_numberings(doc, element)
            self.restart_first_numbering(doc, element)
            self.add_images(doc, element)
            self.add_diagrams(doc, element)
            self.add_shapes(doc, element)
            self.add_footnotes(doc, element)
            self.remove_header_and_footer_references(doc, element)

        self.add_styles_from_other_parts(doc)
        # Bookmark, docPr and cNvPr ids are renumbered once, in finish().
        self.fix_section_types(doc)
        self.fix_header_and_footers(doc)
        self._source_footnotes = None

    def finish(self) -> None:
        """Renumber bookmarks and drawing ids over the whole document and write the footnotes part."""
        if self._finished:
            return
        self.renumber_bookmarks()
        self.renumber_docpr_ids()
        self.renumber_nvpicpr_ids()
        if self._footnotes is not None:
            self._footnotes_part._blob = serialize_part_xml(self._footnotes)
        self._finished = True

    def save(self, filename):
        self.finish()
        super().save(filename)

    # -- the per-element steps that rebuilt whole-document lists -------------------------------------------

    def add_styles(self, doc, element):
        """Composer.add_styles (preserve_styles=False) with the list of our style ids cached."""
        used_style_ids = list(OrderedDict.fromkeys(e.val for e in xpath(element, _STYLE_REFS)))
        for style_id in used_style_ids:
            our_style_id = self.mapped_style_id(style_id)
            if our_style_id not in self.our_style_ids():
                style_element = deepcopy(doc.styles.element.get_by_id(style_id))
                if style_element is not None:
                    self.doc.styles.element.append(style_element)
                    self.add_numberings(doc, style_element)
                    self.add_linked_styles(doc, style_element)
            else:
                # Map abstractNumIds used by styles both documents have (see Composer.add_styles).
                style_element = doc.styles.element.get_by_id(style_id)
                if style_element is not None:
                    num_ids = xpath(style_element, ".//w:numId/@w:val")
                    if num_ids:
                        anum_ids = xpath(
                            doc.part.numbering_part.element,
                            f'.//w:num[@w:numId="{num_ids[0]}"]/w:abstractNumId/@w:val',
                        )
                        if anum_ids:
                            our_style_element = self.doc.styles.element.get_by_id(our_style_id)
                            our_num_ids = xpath(our_style_element, ".//w:numId/@w:val")
                            if our_num_ids:
                                our_anum_ids = xpath(
                                    self.numbering_part().element,
                                    f'.//w:num[@w:numId="{our_num_ids[0]}"]/w:abstractNumId/@w:val',
                                )
                                if our_anum_ids:
                                    self.anum_id_mapping[int(anum_ids[0])] = int(our_anum_ids[0])

            if our_style_id != style_id and our_style_id is not None:
                for el in xpath(
                    element,
                    f'.//w:tblStyle[@w:val="{style_id}"]|.//w:pStyle[@w:val="{style_id}"]'
                    f'|.//w:rStyle[@w:val="{style_id}"]',
                ):
                    el.val = our_style_id

    def add_linked_styles(self, doc, element):
        linked_style_ids = xpath(element, ".//w:link/@w:val")
        if linked_style_ids:
            linked_style_id = linked_style_ids[0]
            if self.mapped_style_id(linked_style_id) not in self.our_style_ids():
                our_linked_style = doc.styles.element.get_by_id(linked_style_id)
                if our_linked_style is not None:
                    self.doc.styles.element.append(deepcopy(our_linked_style))

    def add_footnotes(self, doc, element):
        """Composer.add_footnotes with each footnotes part parsed once (ours per compile, a draft's per draft)."""
        refs = element.findall(".//w:footnoteReference", NS)
        if not refs:
            return
        source_part = doc.part.rels.part_with_reltype(RT.FOOTNOTES)
        if self._source_footnotes is None or self._source_footnotes[0] is not source_part:
            self._source_footnotes = (source_part, parse_xml(source_part.blob))
        source = self._source_footnotes[1]
        if self._footnotes is None:
            self._footnotes_part = self.footnote_part()
            self._footnotes = parse_xml(self._footnotes_part.blob)
        footnotes = self._footnotes
        next_id = len(footnotes) + 1
        for ref in refs:
            found = source.find(f'.//w:footnote[@w:id="{ref.get(_ID)}"]', NS)
            note = deepcopy(found)
            footnotes.append(note)
            note.set(_ID, str(next_id))
            ref.set(_ID, str(next_id))
            next_id += 1
            self.add_referenced_parts(source_part, self._footnotes_part, note)

    def fix_section_types(self, doc):
        # Same as Composer's, asking the (small) draft first: counting the sections of the whole composed
        # body after every draft is what made this quadratic.
        if len(doc.sections) == 1 or len(self.doc.sections) == 1:
            return
        super().fix_section_types(doc)

    def fix_header_and_footers(self, doc):
        if self.first_section_properties_added or len(doc.sections) == 1:
            return
        super().fix_header_and_footers(doc)


class ReferenceComposer(Composer):
    """docxcompose's Composer unchanged, with BulletinComposer's interface: the reference that tests and
    bench/ compare BulletinComposer against."""

    def insert(self, index, doc, remove_property_fields=True, style_names: dict | None = None):
        super().insert(index, doc, remove_property_fields=remove_property_fields)

    def insert_before(self, anchor, doc, remove_property_fields=True, style_names: dict | None = None):
        super().insert(self.doc.element.body.index(anchor), doc, remove_property_fields=remove_property_fields)

    def finish(self) -> None:
        pass
