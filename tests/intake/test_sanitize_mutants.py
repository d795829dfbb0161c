"""What of a draft's objects may reach the bulletin, for the forms the hostile-parts kit does not write (found by
mutation testing, tools/mutation.sh sanitize, docs/TESTING.md): Word 2010+'s objects (a w:drawing preview with
w:objectEmbed / w:objectLink), ActiveX controls held by a w:pict (Word 2003's form) or standing in a run, a
preview shape without `o:ole`, and several objects of each kind in one body (counted, not just noticed).
Every expected body below is written out by hand."""

from __future__ import annotations

from lxml import etree

from bulletin.intake.sanitize import CleanReport, clean_body

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"')


def _clean(inner: str) -> tuple[str, CleanReport]:
    body = etree.fromstring(f"<w:body {NS}>{inner}</w:body>")
    report = clean_body(body)
    xml = etree.tostring(body, encoding="unicode")
    return xml.removeprefix(f"<w:body {NS}>").removesuffix("</w:body>"), report


def _vml_object(kind: str, shape_id: str, *, ole_attribute: bool = True, preview: bool = True) -> str:
    """A w:object as Word writes it: a VML shape showing the preview, then the OLE element or control."""
    inner = {
        "embed": f'<o:OLEObject Type="Embed" ProgID="Package" ShapeID="{shape_id}" r:id="rIdE"/>',
        "link": f'<o:OLEObject Type="Link" ProgID="Excel.Sheet.12" ShapeID="{shape_id}" r:id="rIdL" '
                'UpdateMode="Always"/>',
        "control": f'<w:control r:id="rIdX" w:name="CheckBox1" w:shapeid="{shape_id}"/>',
    }[kind]
    image = '<v:imagedata r:id="rIdP"/>' if preview else ""
    ole = ' o:ole=""' if ole_attribute else ""
    return (f'<w:r><w:object w:dxaOrig="1520" w:dyaOrig="960"><v:shape id="{shape_id}"{ole}>{image}</v:shape>'
            f'{inner}</w:object></w:r>')


def _shown(shape_id: str) -> str:
    """What is left of a VML object with a preview: a plain picture, the shape without o:ole."""
    return f'<w:r><w:pict><v:shape id="{shape_id}"><v:imagedata r:id="rIdP"/></v:shape></w:pict></w:r>'


def test_two_objects_of_each_kind_are_counted_two_each():
    xml, report = _clean(
        "<w:p>" + _vml_object("embed", "e1") + _vml_object("link", "l1") + _vml_object("embed", "e2")
        + _vml_object("control", "x1") + _vml_object("link", "l2") + _vml_object("control", "x2") + "</w:p>")
    assert xml == "<w:p>" + "".join(_shown(s) for s in ("e1", "l1", "e2", "x1", "l2", "x2")) + "</w:p>"
    assert (report.ole_embedded, report.ole_linked, report.activex) == (2, 2, 2)
    assert (report.ole_unshown, report.activex_unshown) == (0, 0)
    assert report.notes() == [
        "已删除嵌入的 OLE 对象 2 个（保留其显示图片）",
        "已删除链接外部文件的 OLE 对象 2 个（保留其显示图片；打开简报时不会再访问外部地址）",
        "已删除 ActiveX 控件 2 个（保留其显示图片）",
    ]
    assert report.warnings() == []


def test_an_ole_link_is_told_apart_from_an_embedded_object_by_its_type_in_any_case():
    xml, report = _clean("<w:p>" + _vml_object("embed", "e1") + _vml_object("embed", "e2")
                         + _vml_object("link", "l1").replace('Type="Link"', 'Type="LINK"') + "</w:p>")
    assert (report.ole_embedded, report.ole_linked) == (2, 1)
    assert "OLEObject" not in xml


def test_objects_and_controls_without_a_preview_are_removed_and_counted():
    xml, report = _clean(
        "<w:p><w:r><w:t>前</w:t></w:r>" + _vml_object("embed", "e1", preview=False)
        + _vml_object("embed", "e2", preview=False) + _vml_object("control", "x1", preview=False)
        + _vml_object("control", "x2", preview=False) + "<w:r><w:t>后</w:t></w:r></w:p>")
    # the runs keep nothing but their (now empty) w:r: no object, no shape, no control
    assert xml == "<w:p><w:r><w:t>前</w:t></w:r><w:r/><w:r/><w:r/><w:r/><w:r><w:t>后</w:t></w:r></w:p>"
    assert (report.ole_unshown, report.activex_unshown) == (2, 2)
    assert (report.ole_embedded, report.activex) == (0, 0)
    assert report.notes() == []
    assert report.warnings() == [
        "有2个嵌入的 OLE 对象没有显示图片，已删除（请把其内容粘贴为文字或图片）",
        "有2个 ActiveX 控件没有显示图片，已删除",
    ]


def test_a_control_held_by_a_pict_keeps_its_picture():
    """Word 2003's form of an ActiveX control: w:pict, not w:object, holds the shape and the control."""
    xml, report = _clean('<w:p><w:r><w:pict><v:shape id="x1" o:ole=""><v:imagedata r:id="rIdP"/></v:shape>'
                         '<w:control r:id="rIdX" w:name="CheckBox1" w:shapeid="x1"/></w:pict></w:r></w:p>')
    assert xml == "<w:p>" + _shown("x1") + "</w:p>"
    assert (report.activex, report.activex_unshown) == (1, 0)


def test_a_control_standing_in_a_run_goes_alone_and_the_run_keeps_its_text():
    xml, report = _clean('<w:p><w:r><w:t>勾选：</w:t><w:control r:id="rIdX" w:name="CheckBox1"/>'
                         '<w:t>同意</w:t></w:r></w:p>')
    assert xml == "<w:p><w:r><w:t>勾选：</w:t><w:t>同意</w:t></w:r></w:p>"
    assert (report.activex, report.activex_unshown) == (0, 1)


def test_a_preview_shape_without_the_ole_mark_is_kept_as_it_is():
    xml, report = _clean("<w:p>" + _vml_object("embed", "e1", ole_attribute=False) + "</w:p>")
    assert xml == "<w:p>" + _shown("e1") + "</w:p>" and report.ole_embedded == 1


DRAWING = ('<w:drawing><wp:inline><wp:extent cx="965200" cy="609600"/><wp:docPr id="7" name="预览"/>'
           '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"/></a:graphic>'
           '</wp:inline></w:drawing>')


def test_word_2010_objects_leave_their_drawing_in_the_run():
    """Word 2010+: w:object holds a DrawingML preview and w:objectEmbed or w:objectLink (no Type attribute:
    the element's name says it is a link). The drawing takes the object's place in the run."""
    xml, report = _clean(
        f'<w:p><w:r><w:t>表：</w:t><w:object w:dxaOrig="1520" w:dyaOrig="960">{DRAWING}'
        '<w:objectEmbed w:drawAspect="content" r:id="rIdE" w:progId="Excel.Sheet.12" w:shapeId="1"/></w:object>'
        f'</w:r><w:r><w:object w:dxaOrig="1520" w:dyaOrig="960">{DRAWING}'
        '<w:objectLink w:drawAspect="content" r:id="rIdL" w:progId="Excel.Sheet.12" w:shapeId="2" '
        'w:updateMode="always"/></w:object></w:r></w:p>')
    assert xml == f"<w:p><w:r><w:t>表：</w:t>{DRAWING}</w:r><w:r>{DRAWING}</w:r></w:p>"
    assert (report.ole_embedded, report.ole_linked, report.ole_unshown) == (1, 1, 0)
    assert report.notes() == [
        "已删除嵌入的 OLE 对象 1 个（保留其显示图片）",
        "已删除链接外部文件的 OLE 对象 1 个（保留其显示图片；打开简报时不会再访问外部地址）",
    ]
