"""Pictures that fit the bulletin: within the text area (156 mm wide, 225 mm high, GB/T 9704) and of a size
that mail systems take.

A picture is placed at the size its drawing declares (wp:extent, in EMU), whatever its pixels: a 25 cm wide
picture runs off a 15.6 cm text area. `fit_extents` scales such drawings down, keeping proportions (intake
does it on the draft's body). A photo straight from a camera is 4000-6000 px and 5-30 MB; in a bulletin read
on paper or on screen 2000 px on the long side is plenty: `shrink` downsamples larger ones with Pillow and
recompresses them (the composer does it on the draft's image parts before copying them).

Decompression bombs (issue 22, item 10): a PNG of 13000×13000 black pixels is a few KB inside a .docx and
takes about 1 GB to decode. Decision: such a picture is DROPPED and the article kept; the draft is flagged
with "图片过大（13000×13000 像素）已删除" (refusing the whole article for one picture would punish the office
for a department's mistake; the office can ask for the picture again). The size is read from the picture's
header (`Image.open` is lazy: nothing is decoded before `.load()`), and the limit is checked before
anything decodes it:
- every format: Pillow's own decompression-bomb limit (`Image.MAX_IMAGE_PIXELS`, about 89 million pixels),
  applied at the limit itself (Pillow only warns between one and two times it), and never bypassed: where
  Pillow decodes, DecompressionBombWarning is an error (`_bomb_checked`);
- pictures decoded whole (PNG, GIF, BMP, TIFF, progressive JPEG...): MAX_WHOLE_PIXELS, so that decoding
  stays near 130 MB (Pillow holds 4 bytes a pixel, and resizing RGBA makes a premultiplied copy) and a
  compile under 300 MB. Baseline JPEG is decoded at 1/2 to 1/8 scale (`draft`): only Pillow's limit
  applies to it (a 9000×9000 JPEG shrinks in about 60 MB).
"""

from __future__ import annotations

import io
import warnings
from contextlib import contextmanager

from lxml import etree

from ..core.wordxml import xpath

EMU_PER_MM = 36_000
TEXT_WIDTH_EMU = 156 * EMU_PER_MM
TEXT_HEIGHT_EMU = 225 * EMU_PER_MM
MAX_PIXELS = 2000  # on the long side
MAX_WHOLE_PIXELS = 16_000_000  # pictures decoded whole: 4000×4000 (a 16 MP photo saved as PNG) still goes in
JPEG_QUALITY = 85
_EXTENT = ".//wp:inline/wp:extent|.//wp:anchor/wp:extent"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_R_EMBED, _R_ID = f"{_R}embed", f"{_R}id"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PICTURE_HOLDERS = (f"{_W}drawing", f"{_W}pict", f"{_W}object")


def too_large(extent: etree._Element) -> bool:
    cx, cy = int(extent.get("cx") or 0), int(extent.get("cy") or 0)
    return cx > TEXT_WIDTH_EMU or cy > TEXT_HEIGHT_EMU


def fit_extents(body: etree._Element) -> int:
    """Scale every drawing larger than the text area down to fit it, keeping proportions; how many were."""
    count = 0
    for extent in xpath(body, _EXTENT):
        if not too_large(extent):
            continue
        cx, cy = int(extent.get("cx")), int(extent.get("cy"))
        scale = min(TEXT_WIDTH_EMU / cx if cx else 1, TEXT_HEIGHT_EMU / cy if cy else 1)
        extent.set("cx", str(int(cx * scale)))
        extent.set("cy", str(int(cy * scale)))
        drawing = extent.getparent()
        for ext in drawing.iter(f"{_A}ext"):  # the picture's own size (pic:spPr/a:xfrm/a:ext)
            if ext.getparent().tag == f"{_A}xfrm" and ext.get("cx") is not None:
                ext.set("cx", str(int(int(ext.get("cx")) * scale)))
                ext.set("cy", str(int(int(ext.get("cy")) * scale)))
        count += 1
    return count


@contextmanager
def _bomb_checked():
    """Pillow's decompression-bomb warning (one to two times the limit) raised as the error it warns of."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _header(blob: bytes) -> tuple[tuple[int, int], bool] | None:
    """((width, height), decoded whole?) from the picture's header only; None when Pillow cannot read it.
    A picture over Pillow's limit has its size read all the same (the report names it): Image.open stops
    at the limit, so then the header is read by the format's own opener, which reads no pixel either."""
    from PIL import Image

    try:
        with _bomb_checked(), Image.open(io.BytesIO(blob)) as image:
            return image.size, _decoded_whole(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        pass
    except Exception:  # noqa: BLE001 - any unreadable picture: no size
        return None
    Image.init()
    for name in Image.ID:
        factory, accept = Image.OPEN[name]
        accepted = accept(blob[:16]) if accept is not None else True
        if not accepted or isinstance(accepted, str):  # a str: Pillow's reason for not opening it
            continue
        try:
            with factory(io.BytesIO(blob), "") as image:  # reads the header; no .load()
                return image.size, _decoded_whole(image)
        except Exception:  # noqa: BLE001 - not this format
            continue
    return None


def _decoded_whole(image) -> bool:
    return image.format not in ("JPEG", "MPO") or bool(image.info.get("progressive"))


def pixel_size(blob: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from the image header (nothing decoded); None when Pillow cannot read it."""
    header = _header(blob)
    return header[0] if header else None


def over_limit(blob: bytes) -> tuple[int, int] | None:
    """The picture's (width, height) when it is too large to decode (see the module docstring), else None."""
    from PIL import Image

    header = _header(blob)
    if header is None:
        return None
    (width, height), whole = header
    pixels = width * height
    limit = Image.MAX_IMAGE_PIXELS or 0
    if (limit and pixels > limit) or (whole and pixels > MAX_WHOLE_PIXELS):
        return width, height
    return None


def drop_oversized(body: etree._Element, oversized: dict[str, tuple[int, int]]) -> list[tuple[int, int]]:
    """Remove, from a body, every picture (DrawingML a:blip, VML v:imagedata) whose image relationship id is
    in `oversized` (id -> its size, from `over_limit`); the sizes of the pictures removed, in body order."""
    removed = []
    for node in xpath(body, ".//a:blip[@r:embed]|.//v:imagedata[@r:id]"):
        rid = node.get(_R_EMBED) if node.tag == f"{_A}blip" else node.get(_R_ID)
        if rid not in oversized:
            continue
        holder = node
        while holder is not None and holder.tag not in _PICTURE_HOLDERS:
            holder = holder.getparent()
        if holder is not None and holder.getparent() is not None:
            holder.getparent().remove(holder)
            removed.append(oversized[rid])
    return removed


def needs_shrinking(size: tuple[int, int] | None) -> bool:
    return size is not None and max(size) > MAX_PIXELS


def shrink(blob: bytes) -> tuple[bytes, str] | None:
    """(bytes, file extension) of the picture downsampled to MAX_PIXELS on the long side and recompressed:
    JPEG for pictures without transparency, PNG otherwise. None when it needs no shrinking or cannot be read."""
    from PIL import Image

    if over_limit(blob) is not None:
        return None  # never decoded (intake drops such pictures)
    try:
        with _bomb_checked(), Image.open(io.BytesIO(blob)) as image:
            if max(image.size) <= MAX_PIXELS:
                return None
            image.draft("RGB", (MAX_PIXELS, MAX_PIXELS))  # JPEG: decode at a reduced scale, much faster
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            target = "RGBA" if transparent else "RGB"
            # Resize first, then convert the small copy: a whole-size converted copy doubles the memory.
            # Palette and 1-bit pictures would be resized by nearest neighbour: they are converted first.
            picture = image if image.mode in ("RGB", "RGBA", "L", "LA") else image.convert(target)
            if (factor := max(picture.size) // MAX_PIXELS) >= 2:
                # A box average by a whole factor first (cheap): LANCZOS then works on the smaller copy
                # (for RGBA it makes a premultiplied copy of whatever it is given).
                picture = picture.reduce(factor)
            picture.thumbnail((MAX_PIXELS, MAX_PIXELS), Image.Resampling.LANCZOS)
            picture = picture.convert(target)
            out = io.BytesIO()
            if transparent:
                picture.save(out, "PNG", optimize=True)
                return out.getvalue(), "png"
            picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            return out.getvalue(), "jpg"
    except Exception:  # noqa: BLE001 - a picture Pillow cannot read is left as it is
        return None
