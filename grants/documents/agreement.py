"""The grant agreement (reportlab), in the workspace's language (French or English).

What it prints: the workspace's name and logo, the parties, the reference, the project and its
period, the amount in figures and in words, the tranche schedule with each tranche's conditions,
the reporting schedule (a progress report before each tranche after the first), the budget by
category, the workspace's clauses (or the default ones) with their placeholders filled in, the
signature blocks, the generation date, and "Page 1 sur 4" at the foot of every page: the canvas
keeps each page until the end, when it knows the count, then draws the footers.

Reads only: the services store the bytes (grants.services.agreements).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Image, KeepTogether, SimpleDocTemplate, Spacer, Table

from relais.money import format_money
from relais.pdf import FONT, FONT_BOLD, FOOTER_LENGTH, number, para, register_fonts, styles, table_style, text

from ..conditions import condition_label
from ..models import Award, AwardBudgetLine, GrantSettings, Tranche
from .amount_words import amount_in_words

LANGUAGES = ("fr", "en")
WIDTH = 174 * mm  # A4 less the margins
LOGO_HEIGHT = 16 * mm
LOGO_MAX_WIDTH = 50 * mm

CLAUSES_DIR = Path(__file__).resolve().parent / "clauses"


@cache
def default_clauses(language: str) -> str:
    """The clauses printed when the workspace left its own empty (grants/documents/clauses/default_<lang>.txt)."""
    return (CLAUSES_DIR / f"default_{language}.txt").read_text(encoding="utf-8")


_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


def fill_placeholders(template: str, values: dict[str, str]) -> str:
    """Replace the known {placeholders}; anything else (an unknown name, a lone brace) stays as typed."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


@dataclass(frozen=True)
class AgreementData:
    award: Award
    tranches: list[Tranche]
    budget_lines: list[AwardBudgetLine]
    settings: GrantSettings | None


def agreement_data(award: Award) -> AgreementData:
    """Everything the document prints, in four queries (award with its relations, tranches, budget, settings)."""
    award = (Award.objects.select_related("tenant", "organisation", "organisation__region", "call")
             .get(pk=award.pk, tenant_id=award.tenant_id))
    tranches = list(Tranche.objects.filter(tenant_id=award.tenant_id, award=award, cancelled_at__isnull=True)
                    .order_by("number"))
    lines = list(AwardBudgetLine.objects.filter(tenant_id=award.tenant_id, award=award).select_related("category")
                 .order_by("id"))
    settings = GrantSettings.objects.filter(tenant_id=award.tenant_id).first()
    return AgreementData(award, tranches, lines, settings)


class _PageCountCanvas(Canvas):
    """Keeps every page until the document ends, then draws "Page n of N" on each."""

    def __init__(self, *args: Any, footer: str = "", page_label: str = "%(page)s / %(total)s", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._footer, self._page_label, self._pages = footer, page_label, []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for page, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.HexColor("#5b6770"))
            footer = self._footer if len(self._footer) <= FOOTER_LENGTH else self._footer[:FOOTER_LENGTH - 1] + "…"
            self.drawString(18 * mm, 9 * mm, text(footer))
            self.drawRightString(A4[0] - 18 * mm, 9 * mm, self._page_label % {"page": page, "total": total})
            self.restoreState()
            super().showPage()
        super().save()


def _logo(settings: GrantSettings | None) -> Flowable | None:
    """The workspace's logo, scaled to the header; a missing or unreadable file is left out."""
    if settings is None or not settings.logo:
        return None
    try:
        with settings.logo.open("rb") as handle:
            data = handle.read()
        width, height = ImageReader(io.BytesIO(data)).getSize()
        scale = min(LOGO_HEIGHT / height, LOGO_MAX_WIDTH / width)
        return Image(io.BytesIO(data), width=width * scale, height=height * scale)
    except Exception:  # noqa: BLE001 — a broken logo must not stop an agreement
        return None


@cache
def _bold() -> ParagraphStyle:
    """An article's title: bold, and never left alone at the foot of a page."""
    return ParagraphStyle("relais-body-bold", parent=styles().body, fontName=FONT_BOLD, keepWithNext=1)


def _section(title: str) -> list[Flowable]:
    """A section's heading, on the next page when fewer than a few lines would follow it on this one
    (keepWithNext would carry a whole table along)."""
    return [CondPageBreak(30 * mm), para(title, styles().heading)]


def _percent(value: Decimal) -> str:
    return f"{number(value)}\u00a0%"


def _date(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _facts(rows: Iterable[tuple[str, Any]]) -> Table:
    s = styles()
    table = Table([[para(label, s.small), para(value, s.body)] for label, value in rows],
                  colWidths=[48 * mm, WIDTH - 48 * mm])
    table.setStyle(table_style(header=False))
    return table


def _story(data: AgreementData, *, version: int | None) -> list[Flowable]:
    award, tenant, organisation = data.award, data.award.tenant, data.award.organisation
    currency = award.currency
    s = styles()
    amount = format_money(award.amount, currency)
    words = amount_in_words(award.amount, currency, translation.get_language() or "fr")
    story: list[Flowable] = []

    logo = _logo(data.settings)
    header = para(tenant.name, styles().heading)
    if logo is not None:
        top = Table([[logo, header]], colWidths=[logo.drawWidth + 4 * mm, WIDTH - logo.drawWidth - 4 * mm])
        top.setStyle(table_style(("GRID", (0, 0), (-1, -1), 0, colors.white), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                 header=False))
        story.append(top)
    else:
        story.append(header)
    story += [para(_("Grant agreement"), s.title),
              para(_("Reference: %(reference)s") % {"reference": award.reference}, s.body), Spacer(1, 4 * mm)]

    story += _section(_("Between the parties"))
    grantee = [organisation.name + (f" ({organisation.acronym})" if organisation.acronym else "")]
    if organisation.registration_number:
        grantee.append(_("Registration number: %(number)s") % {"number": organisation.registration_number})
    if organisation.region:
        grantee.append(_("Head office region: %(region)s") % {"region": organisation.region.name})
    parties = Table([
        [para(_("The funder"), s.small), para(_("%(name)s, hereinafter “the funder”") % {"name": tenant.name}, s.body)],
        [para(_("The grantee"), s.small),
         para("\n".join(grantee) + "\n" + _("hereinafter “the grantee”"), s.body)],
    ], colWidths=[48 * mm, WIDTH - 48 * mm])
    parties.setStyle(table_style(header=False))
    story.append(parties)

    story += _section(_("The grant"))
    story.append(_facts([
        (_("Reference"), award.reference),
        (_("Project title"), award.title),
        (_("Call"), award.call.title),
        (_("Period"), _("from %(start)s to %(end)s") % {"start": _date(award.start_date),
                                                         "end": _date(award.end_date)}),
        (_("Amount in figures"), amount),
        (_("Amount in words"), words),
    ]))

    story += _section(_("Tranche schedule"))
    rows: list[list[Any]] = [[_("Tranche"), _("Amount"), _("Share"), _("Planned date"), _("Conditions")]]
    for tranche in data.tranches:
        share = (tranche.amount * 100 / award.amount).quantize(Decimal("0.1")) if award.amount else Decimal(0)
        # Short values are plain cells (drawn as they are; a Paragraph costs far more to lay out).
        rows.append([str(tranche.number), format_money(tranche.amount, currency), _percent(share),
                     _date(tranche.due_date),
                     para("\n".join(f"• {condition_label(code)}" for code in tranche.conditions or [])
                          or _("No condition."), s.small)])
    rows.append([_("Total"), amount, _percent(Decimal(100)), "", ""])
    table = Table(rows, colWidths=[16 * mm, 36 * mm, 18 * mm, 32 * mm, WIDTH - 102 * mm], repeatRows=1)
    table.setStyle(table_style(("FONTNAME", (0, -1), (-1, -1), FONT_BOLD)))
    story.append(table)

    story += _section(_("Reporting schedule"))
    later = data.tranches[1:]
    if later:
        for tranche in later:
            line = _("Progress report before tranche %(number)s") % {"number": tranche.number}
            if tranche.due_date:
                line += " " + _("(tranche planned on %(date)s)") % {"date": _date(tranche.due_date)}
            story.append(para(f"• {line}", s.body))
    else:
        story.append(para(_("No progress report is tied to a payment: the grant is paid in one tranche."), s.body))

    story += _section(_("Budget summary by category"))
    totals: dict[str, Decimal] = {}
    for line in data.budget_lines:
        name = line.category.name if line.category else _("Other")
        totals[name] = totals.get(name, Decimal(0)) + line.amount
    budget_total = sum(totals.values(), Decimal(0))
    rows = [[_("Category"), _("Amount"), _("Share")]]
    for name, total in totals.items():
        share = (total * 100 / budget_total).quantize(Decimal("0.1")) if budget_total else Decimal(0)
        rows.append([name if len(name) <= 60 else para(name, s.small), format_money(total, currency),
                     _percent(share)])
    rows.append([_("Total"), format_money(budget_total, currency), _percent(Decimal(100)) if budget_total else "—"])
    table = Table(rows, colWidths=[WIDTH - 76 * mm, 50 * mm, 26 * mm], repeatRows=1)
    table.setStyle(table_style(("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD)))
    story.append(table)

    story += _section(_("Terms and conditions"))
    language = "en" if (translation.get_language() or "fr").startswith("en") else "fr"
    custom = (getattr(data.settings, f"clauses_{language}", "") if data.settings else "") or ""
    values = {
        "tenant": tenant.name, "funder": tenant.name, "organisation": organisation.name, "grantee": organisation.name,
        "amount": amount, "amount_words": words, "reference": award.reference, "title": award.title,
        "start_date": _date(award.start_date), "end_date": _date(award.end_date), "currency": currency,
    }
    clauses = fill_placeholders(custom.strip() or default_clauses(language), values)
    for block in re.split(r"\n\s*\n", clauses.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        if len(lines) > 1 and len(lines[0]) <= 90:
            story += [para(lines[0], _bold()), para("\n".join(lines[1:]), s.body)]
        elif block.strip():
            story.append(para(block.strip(), s.body))
        story.append(Spacer(1, 2 * mm))

    story.append(Spacer(1, 4 * mm))
    blank = "\n\n\n"
    signatures = Table([
        [para(_("For the grantee"), _bold()), para(_("For the funder"), _bold())],
        [para(organisation.name, s.body), para(tenant.name, s.body)],
        [para(_("Name and position:") + blank, s.small), para(_("Name and position:") + blank, s.small)],
        [para(_("Date:"), s.small), para(_("Date:"), s.small)],
        [para(_("Signature (read and approved):") + blank + "\n", s.small),
         para(_("Signature:") + blank + "\n", s.small)],
    ], colWidths=[WIDTH / 2] * 2)
    signatures.setStyle(table_style(header=False))
    story.append(KeepTogether([para(_("Signatures"), styles().heading), signatures, Spacer(1, 2 * mm), para(
        _("The grantee may instead accept this agreement electronically on Relais: its full name, the date and "
          "time and the connection's address are recorded."), s.small)]))

    generated = date_format(timezone.localtime(), "DATETIME_FORMAT")
    note = (_("Generated on %(date)s, version %(version)s.") % {"date": generated, "version": version} if version
            else _("Generated on %(date)s.") % {"date": generated})
    story += [Spacer(1, 4 * mm), para(note, s.small)]
    return story


def agreement_pdf(*, award: Award, language: str | None = None, version: int | None = None,
                  data: AgreementData | None = None) -> bytes:
    """The agreement of `award` as A4 PDF bytes, in `language` (fr or en; default: the workspace's)."""
    register_fonts()
    data = data or agreement_data(award)
    language = language or data.award.tenant.default_language or "fr"
    language = language if language in LANGUAGES else "fr"
    with translation.override(language):
        story = _story(data, version=version)
        title = _("Grant agreement")
        footer = f"{data.award.reference} · {title} · {data.award.organisation.name}"
        page_label = _("Page %(page)s of %(total)s")
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"{title} {data.award.reference}", author="Relais",
                                initialFontName=FONT, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                                bottomMargin=16 * mm)

        def canvas(*args: Any, **kwargs: Any) -> _PageCountCanvas:
            return _PageCountCanvas(*args, footer=footer, page_label=page_label, **kwargs)

        doc.build(story, canvasmaker=canvas)
    return buffer.getvalue()
