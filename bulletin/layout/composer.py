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
_W_ = f"{{{_W}}}"
_NUM_ID = f"{{{_W}}}numId"
_STYLE_LINKS = (f"{{{_W}}}basedOn", f"{{{_W}}}link", f"{{{_W}}}next")
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
        """Composer.add_styles (preserve_styles=False), with every copied style complete.

        docxcompose copies a draft style the bulletin lacks as it is: its basedOn/link/next still name the
        draft's style ids. Word names built-in styles by language ("Absatz-Standardschriftart" is our
        "DefaultParagraphFont"), so those references dangled and Word may call the file unreadable. Here a
        copied style's references are resolved the same way as the text's: to our style of the same name,
        or to a copy of the draft's style (recursively), or dropped when the draft lacks that style too.
        """
        used_style_ids = list(OrderedDict.fromkeys(e.val for e in xpath(element, _STYLE_REFS)))
        for style_id in used_style_ids:
            our_style_id = self.mapped_style_id(style_id)
            if our_style_id in self.our_style_ids():
                self._map_style_numbering(doc, style_id, our_style_id)
            else:
                our_style_id = self.import_style(doc, style_id)
            if our_style_id != style_id and our_style_id is not None:
                for el in xpath(
                    element,
                    f'.//w:tblStyle[@w:val="{style_id}"]|.//w:pStyle[@w:val="{style_id}"]'
                    f'|.//w:rStyle[@w:val="{style_id}"]',
                ):
                    el.val = our_style_id

    def import_style(self, doc, style_id: str, _seen: set | None = None) -> str | None:
        """Our id for the draft's style `style_id`: ours of the same name, else a copy of the draft's (with
        the styles it names copied or mapped too). None when neither document has it."""
        our_style_id = self.mapped_style_id(style_id)
        if our_style_id in self.our_style_ids():
            return our_style_id
        source = doc.styles.element.get_by_id(style_id)
        if source is None:
            return None
        copy = deepcopy(source)
        self.doc.styles.element.append(copy)  # first, so a link back to this style finds it
        for tag in _STYLE_LINKS:
            ref = copy.find(tag)
            if ref is None:
                continue
            target = self.import_style(doc, ref.get(_VAL))
            if target is None:
                copy.remove(ref)
            else:
                ref.set(_VAL, target)
        self.add_numberings(doc, copy)
        return our_style_id

    def _map_style_numbering(self, doc, style_id: str, our_style_id: str) -> None:
        """Map the abstractNumIds of a style both documents have (as Composer.add_styles does)."""
        style_element = doc.styles.element.get_by_id(style_id)
        if style_element is None:
            return
        num_ids = xpath(style_element, ".//w:numId/@w:val")
        if not num_ids:
            return
        anum_ids = xpath(
            doc.part.numbering_part.element, f'.//w:num[@w:numId="{num_ids[0]}"]/w:abstractNumId/@w:val'
        )
        if not anum_ids:
            return
        our_style_element = self.doc.styles.element.get_by_id(our_style_id)
        our_num_ids = xpath(our_style_element, ".//w:numId/@w:val")
        if not our_num_ids:
            return
        our_anum_ids = xpath(
            self.numbering_part().element, f'.//w:num[@w:numId="{our_num_ids[0]}"]/w:abstractNumId/@w:val'
        )
        if our_anum_ids:
            self.anum_id_mapping[int(anum_ids[0])] = int(our_anum_ids[0])

    def add_numberings(self, doc, element):
        """Composer.add_numberings, complete and with distinct ids.

        Differences from docxcompose 2.2: each list of one copied element gets its own new numId (docxcompose
        gave every list of a table the same one); a reference to a list the draft does not define is removed
        instead of left dangling; styles named by a copied list definition are brought over like the text's;
        "start"/"end" level alignment (ISO 29500, written by LibreOffice) becomes "left"/"right", which every
        Word version reads (the bulletin is left-to-right); nsids are derived from the new ids, not random.
        """
        refs = xpath(element, ".//w:numId")
        if element.tag == _NUM_ID:
            refs.append(element)
        num_ids = list(OrderedDict.fromkeys(int(ref.get(_VAL)) for ref in refs if ref.get(_VAL) is not None))
        if not num_ids:
            return
        source = doc.part.numbering_part.element
        ours = self.numbering_part().element
        for num_id in num_ids:
            if num_id == 0 or num_id in self.num_id_mapping:
                continue  # 0 is "no numbering"
            found = source.find(f'{_W_}num[@{_W_}numId="{num_id}"]')
            anum_ref = found.find(f"{_W_}abstractNumId") if found is not None else None
            anum_id = int(anum_ref.get(_VAL)) if anum_ref is not None else None
            abstract = None
            if anum_id is not None and anum_id not in self.anum_id_mapping:
                abstract = source.find(f'{_W_}abstractNum[@{_W_}abstractNumId="{anum_id}"]')
                if abstract is None:
                    anum_id = None
            if anum_id is None:
                self.num_id_mapping[num_id] = None
                continue
            next_num_id, next_anum_id = self._next_numbering_ids()
            if abstract is not None:
                abstract = deepcopy(abstract)
                abstract.set(f"{_W_}abstractNumId", str(next_anum_id))
                nsid = abstract.find(f"{_W_}nsid")
                if nsid is not None:  # a distinct nsid makes the copied list restart
                    nsid.set(_VAL, f"{0xB0000000 + next_anum_id:08X}")
                for jc in abstract.iter(f"{_W_}lvlJc"):
                    jc.set(_VAL, {"start": "left", "end": "right"}.get(jc.get(_VAL), jc.get(_VAL)))
                for ref in abstract.iter(f"{_W_}pStyle", f"{_W_}numStyleLink", f"{_W_}styleLink"):
                    target = self.import_style(doc, ref.get(_VAL))
                    if target is None:
                        ref.getparent().remove(ref)
                    else:
                        ref.set(_VAL, target)
                self.anum_id_mapping[anum_id] = next_anum_id
                self._insert_abstract_num(abstract)
            num = deepcopy(found)
            num.set(f"{_W_}numId", str(next_num_id))
            num.find(f"{_W_}abstractNumId").set(_VAL, str(self.anum_id_mapping[anum_id]))
            self.num_id_mapping[num_id] = next_num_id
            self._insert_num(num)
        for ref in refs:
            value = ref.get(_VAL)
            if value is None or int(value) == 0 or int(value) not in self.num_id_mapping:
                continue
            mapped = self.num_id_mapping[int(value)]
            if mapped is None:  # a list the draft names but does not define: plain paragraph
                num_pr = ref.getparent()
                if num_pr is not None and num_pr.getparent() is not None:
                    num_pr.getparent().remove(num_pr)
            else:
                ref.set(_VAL, str(mapped))

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
