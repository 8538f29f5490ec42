"""The application PDF: embedded fonts that draw every character, French numbers, attachments."""

from __future__ import annotations

import io
from decimal import Decimal

import arabic_reshaper
import pytest
from django.utils import translation
from pypdf import PdfReader

from grants import selectors
from grants.documents import application_pdf
from grants.models import ApplicationStatus as S
from grants.models import ReviewStatus
from relais.models import Role
from relais.pdf import FONT, FONT_BOLD, missing_glyphs
from tests.grants.conftest import complete_application
from tests.grants.factories import BudgetLineFactory, ReviewFactory

ARABIC_NAME = "جمعية السلام للتنمية"


def _read(pdf: bytes) -> tuple[str, set[str]]:
    """The extracted text and the base names of the fonts the pages use (subset prefix removed)."""
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return "".join(page.extract_text() for page in reader.pages), fonts


def _amount_application(world):
    app = complete_application(world)
    app.requested_amount = Decimal("250000")
    app.save()
    app.organisation.name = f"Association Œuvre « Paix » {ARABIC_NAME}"
    app.organisation.save()
    return app


@pytest.mark.django_db
def test_the_pdf_prints_only_in_embedded_fonts_that_have_a_glyph_for_every_character(world_a):
    app = _amount_application(world_a)
    with translation.override("fr"):
        printed, fonts = _read(application_pdf(app))
    assert "250\u202f000" in printed  # the budget's total cell, as babel writes it
    assert "250 000 FCFA" in printed.replace("\xa0", " ").splitlines()  # the facts, on one line
    # Shaped (joined letter forms); pypdf reads the right-to-left run back into logical order.
    assert arabic_reshaper.reshape(ARABIC_NAME) in printed
    assert fonts <= {FONT, FONT_BOLD}, fonts  # Helvetica has no U+202F: babel's French amounts printed "250■000"
    for font in fonts:
        assert missing_glyphs(printed + app.organisation.name, font) == set()


@pytest.mark.django_db
def test_quantities_print_as_numbers_in_french_style(world_a):
    app = complete_application(world_a)
    app.budget_lines.all().delete()
    BudgetLineFactory(tenant=world_a.tenant, application=app, description="Ateliers", quantity=Decimal("12"))
    BudgetLineFactory(tenant=world_a.tenant, application=app, description="Mois", quantity=Decimal("2.5"),
                      unit_cost=Decimal("100000"))
    with translation.override("fr"):
        printed, _ = _read(application_pdf(app))
    assert "12.00" not in printed and "2.50" not in printed
    lines = printed.splitlines()
    assert any(line.startswith("12 ") or line == "12" or " 12 " in line for line in lines), printed
    assert "2,5" in printed


@pytest.mark.django_db
def test_the_pdf_lists_attachments_but_not_to_a_blind_reviewer(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    attachment = app.attachments.get()
    attachment.original_name = "statuts-association-2025.pdf"
    attachment.save()
    with translation.override("fr"):
        printed, _ = _read(application_pdf(app))
        assert "Pièces jointes" in printed
        assert "statuts-association-2025.pdf" in printed and attachment.required.name in printed
        assert "PDF" in printed

        app.call.blind_review = True
        app.call.save()
        ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                      status=ReviewStatus.DRAFT, coi="none")
        seen = selectors.application_as_seen_by(application=app, actor=world_a.actor(Role.REVIEWER))
        blind, _ = _read(application_pdf(seen))
    assert "statuts-association-2025.pdf" not in blind and "Pièces jointes" not in blind
