"""The kernel's PDF building blocks: the embedded font draws French, amounts and Arabic names."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from reportlab.platypus import Table

from relais.money import format_money
from relais.pdf import FONT, FONT_BOLD, build, missing_glyphs, number, para, styles, table_style, text

FRENCH = "Éé èê à ç ù ï ô « guillemets » œuvre Œ — 250\u202f000\xa0FCFA ’"
ARABIC = "إياد أغ غالي جمعية السلام"


@pytest.mark.parametrize("font", [FONT, FONT_BOLD])
def test_the_embedded_font_has_a_glyph_for_french_amounts_and_arabic(font):
    assert missing_glyphs(FRENCH, font) == set()
    assert missing_glyphs(ARABIC, font) == set()
    assert missing_glyphs(format_money(Decimal("250000"), "XOF", "fr"), font) == set()


def test_a_missing_glyph_is_reported():
    assert missing_glyphs("Paix 和平", FONT) == {"和", "平"}


def test_arabic_is_shaped_and_in_visual_order():
    shown = text("مالي")
    assert all(not "\u0600" <= char <= "\u06ff" for char in shown)  # joined forms, not isolated letters
    assert unicodedata.normalize("NFKC", shown)[::-1] == "مالي"  # drawn right to left
    assert text("Mopti, Sévaré") == "Mopti, Sévaré"


@pytest.mark.parametrize(("value", "locale", "expected"), [
    (Decimal("12.00"), "fr", "12"), (Decimal("2.50"), "fr", "2,5"), (Decimal("1250.00"), "fr", "1\u202f250"),
    (Decimal("2.50"), "en", "2.5"), (None, "fr", ""),
])
def test_quantities_are_numbers_as_people_write_them(value, locale, expected):
    assert number(value, locale) == expected


def test_a_paragraph_does_not_break_an_amount():
    amount = format_money(Decimal("250000"), "XOF", "fr")
    assert para(f"Montant : {amount}", styles().body).text == "Montant : 250\xa0000\xa0FCFA"


def test_a_document_builds_in_the_embedded_font():
    import io

    from pypdf import PdfReader

    s = styles()
    table = Table([["Montant", format_money(Decimal("250000"), "XOF", "fr")]])
    table.setStyle(table_style())
    pdf = build([para("Titre", s.title), para(ARABIC, s.body), table], title="Essai", footer="Pied")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = {str(f.get_object()["/BaseFont"]).split("+")[-1] for f in page["/Resources"]["/Font"].values()}
    assert fonts == {FONT, FONT_BOLD}
    assert "250\u202f000" in page.extract_text()


def test_no_break_spaces_are_checked_like_letters(monkeypatch):
    from reportlab.pdfbase.ttfonts import TTFont

    from relais import pdf

    without = TTFont("DejaVuSans-without-narrow-space", str(pdf.FONT_DIR / "DejaVuSans.ttf"))
    del without.face.charToGlyph[0x202F]  # as in Helvetica
    monkeypatch.setattr(pdf, "font", lambda name=pdf.FONT: without)
    assert pdf.missing_glyphs("250\u202f000\xa0FCFA") == {"\u202f"}
