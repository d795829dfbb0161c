"""docxcompose's Composer unchanged, with BulletinComposer's interface: the reference that tests and bench/
compare BulletinComposer against (it does not ship in the package)."""

from __future__ import annotations

from docxcompose.composer import Composer


class ReferenceComposer(Composer):
    """docxcompose's Composer unchanged, with BulletinComposer's interface: the reference that tests and
    bench/ compare BulletinComposer against."""

    def insert(self, index, doc, remove_property_fields=True, style_names: dict | None = None):
        super().insert(index, doc, remove_property_fields=remove_property_fields)

    def insert_before(self, anchor, doc, remove_property_fields=True, style_names: dict | None = None):
        super().insert(self.doc.element.body.index(anchor), doc, remove_property_fields=remove_property_fields)

    def finish(self) -> None:
        pass
