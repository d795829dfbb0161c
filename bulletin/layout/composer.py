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

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
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


def _styles(styles_element):
    """(style id, UI name) of each w:style, names as python-docx's Style.name gives them (BabelFish)."""
    for style in styles_element.iterchildren(_STYLE):
        name = style.find(_NAME)
        value = name.get(_VAL) if name is not None else None
        yield style.get(_STYLE_ID), BabelFish.internal2ui(value) if value is not None else None


def style_id_names(styles_element) -> dict[str, str | None]:
    """{style id: UI name} as `{s.style_id: s.name for s in doc.styles}` gives it, without Style objects."""
    return dict(_styles(styles_element))


def style_name_ids(styles_element) -> dict[str | None, str]:
    """{UI name: style id} as `{s.name: s.style_id for s in doc.styles}` gives it: the one name -> id map
    (compose.py restyles by it, the composer maps a draft's styles onto the bulletin's by it)."""
    return {name: style_id for style_id, name in _styles(styles_element)}


# Office 2010-2019 extension namespaces, with the prefixes Word writes. Word understands only those of its own
# version and older; newer ones must be listed in mc:Ignorable on the root, or an older Word (2010 is still
# common in offices) calls the file damaged.
MCE_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OFFICE_EXTENSIONS = {
    "http://schemas.microsoft.com/office/word/2010/wordml": "w14",
    "http://schemas.microsoft.com/office/word/2012/wordml": "w15",
    "http://schemas.microsoft.com/office/word/2015/wordml/symex": "w16se",
    "http://schemas.microsoft.com/office/word/2016/wordml/cid": "w16cid",
    "http://schemas.microsoft.com/office/word/2018/wordml": "w16",
    "http://schemas.microsoft.com/office/word/2018/wordml/cex": "w16cex",
    "http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash": "w16sdtdh",
    "http://schemas.microsoft.com/office/word/2023/wordml/word16du": "w16du",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing": "wp14",
}
_PARA_IDS = ("{http://schemas.microsoft.com/office/word/2010/wordml}paraId",
             "{http://schemas.microsoft.com/office/word/2010/wordml}textId")


def declare_extensions(part) -> None:
    """Make a composed document part valid for every Word version: drop w14:paraId/textId (drafts written
    from one template repeat the same ids, which must be unique; Word assigns new ones), and declare on the
    root, and list in its mc:Ignorable, every Office extension namespace the copied drafts use."""
    root = part._element
    used = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in _PARA_IDS:
            element.attrib.pop(name, None)
        used.add(element.tag.partition("}")[0][1:])
        used.update(name.partition("}")[0][1:] for name in element.attrib if name.startswith("{"))
    wanted = {uri: prefix for uri, prefix in OFFICE_EXTENSIONS.items() if uri in used}
    declared = {uri: prefix for prefix, uri in root.nsmap.items()}
    ignorable = (root.get(f"{{{MCE_NS}}}Ignorable") or "").split()
    missing = {uri: prefix for uri, prefix in wanted.items() if declared.get(uri) is None}
    unlisted = [declared.get(uri) or prefix for uri, prefix in wanted.items()
                if (declared.get(uri) or prefix) not in ignorable]
    if not missing and not unlisted:
        return
    if any(prefix in root.nsmap and root.nsmap[prefix] != uri for uri, prefix in missing.items()):
        raise ValueError("the template binds an Office extension prefix to another namespace")
    nsmap = {**root.nsmap, **{prefix: uri for uri, prefix in missing.items()}, "mc": MCE_NS}
    new_root = root.makeelement(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    new_root.set(f"{{{MCE_NS}}}Ignorable", " ".join(ignorable + unlisted))
    new_root.extend(list(root))
    part._element = parse_xml(serialize_part_xml(new_root))


_VML = "urn:schemas-microsoft-com:vml"


def unique_vml_ids(body) -> None:
    """VML ids must be unique in the document; every draft with a text box brings the same ones (Word names
    them _x0000_t202, "文本框 1"...). A repeated v:shapetype is a repeated definition of the same standard
    type: the first stays, the later ones go (shapes refer to it by id). Other repeated ids get a suffix."""
    seen: set[str] = set()
    for element in list(body.iter(f"{{{_VML}}}*")):
        ident = element.get("id")
        if ident is None:
            continue
        if ident not in seen:
            seen.add(ident)
        elif element.tag == f"{{{_VML}}}shapetype":
            element.getparent().remove(element)
        else:
            n = 2
            while f"{ident}_{n}" in seen:
                n += 1
            element.set("id", f"{ident}_{n}")
            seen.add(f"{ident}_{n}")


_NOTE_PARTS = {"footnote": (RT.FOOTNOTES,), "endnote": (RT.ENDNOTES,)}
_EMPTY_ENDNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:endnotes xmlns:w="{_W}">'
    '<w:endnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    '</w:pPr><w:r><w:separator/></w:r></w:p></w:endnote>'
    '<w:endnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:endnote></w:endnotes>'
).encode("utf-8")


def _numbering_of(doc):
    """The draft's numbering element, or None when it has no numbering part (python-docx cannot make one
    for a document it only reads: `doc.part.numbering_part` raises NotImplementedError then)."""
    try:
        return doc.part.part_related_by(RT.NUMBERING).element
    except KeyError:
        return None


def _has_custom_properties(doc) -> bool:
    try:
        doc.part.package.part_related_by(RT.CUSTOM_PROPERTIES)
    except KeyError:
        return False
    return True


# BulletinComposer subclasses docxcompose's Composer and uses these of its internals (methods it calls or
# overrides, attributes it reads or sets). They are not docxcompose's public API: the version is pinned
# (pyproject.toml, requirements.lock) and tests/layout/test_composer_pin.py checks this list against the installed
# docxcompose, so an upgrade is a decision, made by re-running the composer tests, never an accident.
DOCXCOMPOSE_VERSION = "2.2.0"
DOCXCOMPOSE_INTERNALS = (
    "reset_reference_mapping", "add_referenced_parts", "add_styles", "add_numberings", "restart_first_numbering",
    "add_images", "add_diagrams", "add_shapes", "add_footnotes", "remove_header_and_footer_references",
    "add_styles_from_other_parts", "fix_section_types", "fix_header_and_footers", "renumber_bookmarks",
    "renumber_docpr_ids", "renumber_nvpicpr_ids", "footnote_part", "mapped_style_id", "numbering_part",
    "_next_numbering_ids", "_insert_abstract_num", "_insert_num", "_create_style_id_mapping", "save",
)
DOCXCOMPOSE_STATE = ("num_id_mapping", "anum_id_mapping", "first_section_properties_added", "doc")


def docxcompose_mismatch() -> list[str]:
    """What of the above the installed docxcompose lacks (empty when it is the version this was written for)."""
    from importlib.metadata import version

    problems = [] if version("docxcompose") == DOCXCOMPOSE_VERSION else [f"docxcompose {version('docxcompose')}"]
    problems += [name for name in DOCXCOMPOSE_INTERNALS if not callable(getattr(Composer, name, None))]
    return problems


class BulletinComposer(Composer):
    """docxcompose's Composer, linear in the number of inserted drafts. Call finish() after the last insert."""

    def __init__(self, doc, preserve_styles: bool = False):
        if preserve_styles:
            raise ValueError("BulletinComposer does not support preserve_styles")
        super().__init__(doc, preserve_styles=False)
        missing = [name for name in DOCXCOMPOSE_STATE if not hasattr(self, name)]
        if missing:
            raise RuntimeError(f"docxcompose changed (no {', '.join(missing)}): see DOCXCOMPOSE_INTERNALS")
        self._styles_seen = -1  # number of w:style children when the caches below were built
        self._our_ids: set[str | None] = set()
        self._our_name2id: dict[str | None, str | None] = {}
        # Per note kind (footnote, endnote): the composed document's notes part, parsed once, and its element;
        # (draft part, parsed) of the current draft.
        self._notes: dict[str, tuple[object, object]] = {}
        self._source_notes: dict[str, tuple[object, object]] = {}
        self._finished = True

    # -- style caches -------------------------------------------------------------------------------------

    def _refresh_styles(self) -> None:
        styles = self.doc.styles.element
        count = len(styles)
        if count == self._styles_seen:
            return
        name2id = style_name_ids(styles)
        ids = {style.get(_STYLE_ID) for style in styles.iterchildren(_STYLE)}
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
        self._source_notes = {}
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
            self.add_endnotes(doc, element)
            self.remove_header_and_footer_references(doc, element)

        self.add_styles_from_other_parts(doc)
        # Bookmark, docPr and cNvPr ids are renumbered once, in finish().
        self.fix_section_types(doc)
        self.fix_header_and_footers(doc)
        self._source_notes = {}

    def finish(self) -> None:
        """Renumber bookmarks and drawing ids over the whole document, write the footnotes part, and make the
        document's root declare the Office extensions the drafts brought (see declare_extensions)."""
        if self._finished:
            return
        self.renumber_bookmarks()
        self.renumber_docpr_ids()
        self.renumber_nvpicpr_ids()
        for part, notes in self._notes.values():
            part._blob = serialize_part_xml(notes)
        unique_vml_ids(self.doc.element.body)
        declare_extensions(self.doc.part)
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
        source = _numbering_of(doc)
        if source is None:
            return
        anum_ids = xpath(source, f'.//w:num[@w:numId="{num_ids[0]}"]/w:abstractNumId/@w:val')
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
        A list definition is in the bulletin with its ids before the styles it names are brought over: a list
        style (numStyleLink -> style -> its own list with styleLink) re-enters here, and docxcompose's order
        gave both definitions the same abstractNumId and nsid (issue 23 item 12).
        """
        refs = xpath(element, ".//w:numId")
        if element.tag == _NUM_ID:
            refs.append(element)
        num_ids = list(OrderedDict.fromkeys(int(ref.get(_VAL)) for ref in refs if ref.get(_VAL) is not None))
        if not [n for n in num_ids if n != 0]:
            return  # 0 is "no numbering": LibreOffice writes it on headings even without a numbering part
        source = _numbering_of(doc)
        if source is None:  # lists named, none defined: every reference becomes a plain paragraph below
            source = parse_xml(f'<w:numbering xmlns:w="{_W}"/>')
        self.numbering_part()  # the bulletin gets a numbering part before the first list is copied into it
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
                self.anum_id_mapping[anum_id] = next_anum_id
                self._insert_abstract_num(abstract)
            num = deepcopy(found)
            num.set(f"{_W_}numId", str(next_num_id))
            num.find(f"{_W_}abstractNumId").set(_VAL, str(self.anum_id_mapping[anum_id]))
            self.num_id_mapping[num_id] = next_num_id
            self._insert_num(num)
            if abstract is not None:
                # Only now, with both ids taken: a list style's definition (numStyleLink) imports the style,
                # whose own list (styleLink) comes through here again and must get the next ids, not these.
                for ref in abstract.iter(f"{_W_}pStyle", f"{_W_}numStyleLink", f"{_W_}styleLink"):
                    target = self.import_style(doc, ref.get(_VAL))
                    if target is None:
                        ref.getparent().remove(ref)
                    else:
                        ref.set(_VAL, target)
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
        self._add_notes(doc, element, "footnote")

    def add_endnotes(self, doc, element):
        """Endnotes, copied as footnotes are. docxcompose 2.2 copies neither the notes nor the part: the
        bulletin kept w:endnoteReference elements pointing into a part it did not have (Word: damaged file)."""
        self._add_notes(doc, element, "endnote")

    def _add_notes(self, doc, element, kind: str) -> None:
        refs = element.findall(f".//w:{kind}Reference", NS)
        if not refs:
            return
        source_part = doc.part.rels.part_with_reltype(_NOTE_PARTS[kind][0])
        if kind not in self._source_notes or self._source_notes[kind][0] is not source_part:
            self._source_notes[kind] = (source_part, parse_xml(source_part.blob))
        source = self._source_notes[kind][1]
        if kind not in self._notes:
            part = self.footnote_part() if kind == "footnote" else self._endnote_part()
            self._notes[kind] = (part, parse_xml(part.blob))
        part, notes = self._notes[kind]
        next_id = len(notes) + 1
        for ref in refs:
            found = source.find(f'.//w:{kind}[@w:id="{ref.get(_ID)}"]', NS)
            if found is None:  # a reference to a note the draft lacks: the reference goes, not the text
                ref.getparent().remove(ref)
                continue
            note = deepcopy(found)
            notes.append(note)
            note.set(_ID, str(next_id))
            ref.set(_ID, str(next_id))
            next_id += 1
            self.add_referenced_parts(source_part, part, note)
            self.add_styles(doc, note)  # a note's own styles (Endnote, EndnoteCharacters) come along too
            self.add_numberings(doc, note)

    def _endnote_part(self):
        """The document's endnotes part, made (with Word's two separators) when the template has none."""
        try:
            return self.doc.part.rels.part_with_reltype(RT.ENDNOTES)
        except KeyError:
            pass
        part = Part(PackURI("/word/endnotes.xml"), CT.WML_ENDNOTES, _EMPTY_ENDNOTES, self.doc.part.package)
        self.doc.part.relate_to(part, RT.ENDNOTES)
        return part

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
