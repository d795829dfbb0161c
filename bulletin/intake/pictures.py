"""Pictures that fit the bulletin: within the text area (156 mm wide, 225 mm high, GB/T 9704) and of a size
that mail systems take.

A picture is placed at the size its drawing declares (wp:extent, in EMU), whatever its pixels: a 25 cm wide
picture runs off a 15.6 cm text area. `fit_extents` scales such drawings down, keeping proportions (intake
does it on the draft's body). A photo straight from a camera is 4000-6000 px and 5-30 MB; in a bulletin read
on paper or on screen 2000 px on the long side is plenty: `shrink` downsamples larger ones with Pillow and
recompresses them (the composer does it on the draft's image parts before copying them).
"""

from __future__ import annotations

import io

from lxml import etree

from ..core.wordxml import xpath

EMU_PER_MM = 36_000
TEXT_WIDTH_EMU = 156 * EMU_PER_MM
TEXT_HEIGHT_EMU = 225 * EMU_PER_MM
MAX_PIXELS = 2000  # on the long side
JPEG_QUALITY = 85
_EXTENT = ".//wp:inline/wp:extent|.//wp:anchor/wp:extent"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


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


def pixel_size(blob: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from the image header (nothing decoded); None when Pillow cannot read it."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(blob)) as image:
            return image.size
    except Exception:  # noqa: BLE001 - any unreadable picture stays as it is
        return None


def needs_shrinking(size: tuple[int, int] | None) -> bool:
    return size is not None and max(size) > MAX_PIXELS


def shrink(blob: bytes) -> tuple[bytes, str] | None:
    """(bytes, file extension) of the picture downsampled to MAX_PIXELS on the long side and recompressed:
    JPEG for pictures without transparency, PNG otherwise. None when it needs no shrinking or cannot be read."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(blob)) as image:
            if max(image.size) <= MAX_PIXELS:
                return None
            image.draft("RGB", (MAX_PIXELS, MAX_PIXELS))  # JPEG: decode at a reduced scale, much faster
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            picture = image.convert("RGBA" if transparent else "RGB")
            picture.thumbnail((MAX_PIXELS, MAX_PIXELS), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if transparent:
                picture.save(out, "PNG", optimize=True)
                return out.getvalue(), "png"
            picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            return out.getvalue(), "jpg"
    except Exception:  # noqa: BLE001 - a picture Pillow cannot read is left as it is
        return None
