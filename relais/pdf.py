"""PDF building blocks (reportlab) shared by every printable document.

Every PDF prints in DejaVu Sans, shipped in `relais/fonts/` (licence beside it): the standard
PDF fonts (Helvetica…) have no narrow no-break space, which babel puts in French amounts
("250 000 FCFA" printed as "250■000"), and no Arabic. Text reaches reportlab through `text()`,
which shapes Arabic letters and orders right-to-left runs (reportlab draws characters one after
another, left to right, and knows neither).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from babel.numbers import format_decimal
from django.utils.translation import get_language
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, TableStyle

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}

GRID = colors.HexColor("#9aa5ae")
HEADER = colors.HexColor("#e8eef0")

# Arabic letters in logical order (not their presentation forms: those are text already shaped,
# which must not be reordered twice); a string without any is printed as it is.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
FOOTER_LENGTH = 110
NARROW_NBSP = "\u202f"


@cache
def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) once per process; <b> in a paragraph picks the bold."""
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    # No oblique is shipped: <i> falls back to the regular face rather than to a font without glyphs.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def font(name: str = FONT) -> TTFont:
    register_fonts()
    return pdfmetrics.getFont(name)


def missing_glyphs(value: str, name: str = FONT) -> set[str]:
    """The characters of `value`, as printed, that the font cannot draw (each would print as ■).
    Only line breaks and tabs are skipped: the no-break spaces need glyphs like any letter."""
    glyphs = font(name).face.charToGlyph
    return {char for char in text(value) if char not in "\n\r\t" and ord(char) not in glyphs}


def text(value: Any) -> str:
    """A value as reportlab must draw it: Arabic shaped (joined letter forms) and each line in
    visual order. Lines without Arabic are left alone."""
    value = "" if value is None else str(value)
    if not _ARABIC.search(value):
        return value
    import arabic_reshaper
    from bidi.algorithm import get_display

    return "\n".join(get_display(arabic_reshaper.reshape(line)) for line in value.split("\n"))


def para(value: Any, style: ParagraphStyle, *, empty: str = "—") -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept). Babel's narrow no-break space
    ('250 000 FCFA') becomes a no-break space: reportlab's paragraphs break lines at the narrow one."""
    shown = text(value).replace(NARROW_NBSP, "\xa0") if value not in (None, "") else empty
    return Paragraph(escape(shown).replace("\n", "<br/>"), style)


def number(value: Decimal | int | None, locale: str | None = None) -> str:
    """A quantity as people write it: '12', '2,5' in French ('2.5' in English), never '12.00'."""
    if value is None:
        return ""
    locale = (locale or get_language() or "fr").replace("-", "_")
    return format_decimal(value, format="#,##0.###", locale=locale)


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle


@cache
def styles() -> Styles:
    """The paragraph styles of every document, in the embedded font."""
    register_fonts()
    sample = getSampleStyleSheet()
    body = ParagraphStyle("relais-body", parent=sample["BodyText"], fontName=FONT, fontSize=10, leading=13)
    return Styles(
        title=ParagraphStyle("relais-title", parent=sample["Title"], fontName=FONT_BOLD),
        heading=ParagraphStyle("relais-heading", parent=sample["Heading2"], fontName=FONT_BOLD),
        body=body,
        small=ParagraphStyle("relais-small", parent=body, fontSize=8.5, leading=11),
    )


def table_style(*extra: tuple[Any, ...], header: bool = True) -> TableStyle:
    """Grid, top-aligned cells, the embedded font; a shaded, bold first row when `header`."""
    register_fonts()
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), HEADER), ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD)]
    return TableStyle([*commands, *extra])


def page_footer(label: str) -> Callable[[Canvas, Any], None]:
    """A page callback printing `label` and the page number at the foot of each page."""
    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#5b6770"))
        shown = label if len(label) <= FOOTER_LENGTH else label[:FOOTER_LENGTH - 1] + "…"
        canvas.drawString(doc.leftMargin, 9 * mm, text(shown))
        canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, 9 * mm, str(canvas.getPageNumber()))
        canvas.restoreState()
    return draw


def build(story: Iterable[Flowable], *, title: str, footer: str = "") -> bytes:
    """An A4 document of `story`, in the embedded font, with `footer` and page numbers on every page."""
    register_fonts()
    buffer = io.BytesIO()
    # The initial font too: reportlab otherwise opens every page in Helvetica.
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Relais", initialFontName=FONT,
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm)
    on_page = page_footer(footer)
    doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
