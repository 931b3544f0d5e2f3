"""A CJK font for reportlab that has every glyph a document prints, embedded.

reportlab embeds TrueType outlines only, and the CJK font Debian ships (``fonts-noto-cjk``: Noto
Sans CJK, a collection of OpenType/CFF fonts) has PostScript ones. So for each document we cut the
font down to the characters it prints (fontTools' subsetter, a few dozen glyphs instead of 65,000)
and convert that subset's cubic outlines to quadratic TrueType ones (cu2qu), then register the
result with reportlab, which embeds it. The built-in "STSong-Light" that this replaces is not
embedded: a viewer substitutes its own font, and '·', '−', '¥' came out as empty boxes.

About a second per new set of characters (the subsetter reads the collection's CFF table); the
fonts are kept per character set. Without the font installed (a machine without fonts-noto-cjk)
``cjk_font`` says so in the log and falls back to STSong-Light, so an export never fails."""

import hashlib
import logging
import os
import threading
from io import BytesIO

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont as ReportlabTTFont

logger = logging.getLogger(__name__)

# Debian's fonts-noto-cjk; font 2 of the collection is Noto Sans CJK SC (Simplified Chinese).
FONT_PATH = os.environ.get("PDF_CJK_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_NUMBER = int(os.environ.get("PDF_CJK_FONT_NUMBER", "2"))
FALLBACK = "STSong-Light"

_lock = threading.Lock()
_registered: set[str] = set()


def _truetype_subset(text: str, ps_name: str = "NotoSansCJKsc-Subset") -> bytes:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(FONT_PATH, fontNumber=FONT_NUMBER, lazy=True)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # max error 1 unit of 1000 per em; CFF winds counter-clockwise, TrueType clockwise
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():  # left side bearing = xMin, as TrueType expects
        advance, _ = hmtx.metrics[name]
        hmtx.metrics[name] = (advance, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(order)
    for field in ("maxZones",):
        setattr(maxp, field, 1)
    for field in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
        "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth",
    ):  # fmt: skip
        setattr(maxp, field, 0)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["head"].glyphDataFormat = 0
    # reportlab keeps one font per face (PostScript) name: a second subset under the same name
    # would be replaced by the first, and print its own missing characters as blanks.
    names = font["name"]
    names.names = [n for n in names.names if n.nameID != 6]
    names.setName(ps_name, 6, 3, 1, 0x409)
    names.setName(ps_name, 6, 1, 0, 0)
    font.sfntVersion = "\x00\x01\x00\x00"
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def cjk_font(text: str) -> str:
    """The name of a registered reportlab font that draws every character of ``text`` (embedded
    in the PDF), or the non-embedded STSong-Light when the CJK font is not installed."""
    chars = "".join(sorted(set(text) | set("0123456789¥,.-− ")))
    digest = hashlib.sha1(chars.encode()).hexdigest()[:12]
    name = f"NotoSansCJKsc-{digest}"
    with _lock:
        if name in _registered:
            return name
        if not os.path.exists(FONT_PATH):
            logger.warning("%s is missing (apt-get install fonts-noto-cjk): PDFs use %s", FONT_PATH, FALLBACK)
            if FALLBACK not in _registered:
                pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
                _registered.add(FALLBACK)
            return FALLBACK
        pdfmetrics.registerFont(ReportlabTTFont(name, BytesIO(_truetype_subset(chars, name))))
        _registered.add(name)
        return name
