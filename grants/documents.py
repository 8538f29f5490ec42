"""Printable PDF of an application (reportlab), for committees reading offline."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from relais.display import ReadOnlyView
from relais.money import format_money

from .models import Application


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text or "—")).replace("\n", "<br/>"), style)


TABLE_STYLE = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5ae")),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef0")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("FONTSIZE", (0, 0), (-1, -1), 9),
])


def application_pdf(application: Application | ReadOnlyView) -> bytes:
    """A4 PDF; amounts in the active language's format (French: '1 250 000 FCFA'). Prints what it is
    given: for a blind reviewer, the anonymised view (grants.selectors.application_as_seen_by)."""
    app = application
    call = app.call
    currency = call.currency
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)
    h1, h2 = styles["Title"], styles["Heading2"]
    buffer = io.BytesIO()
    title = app.title or _("Untitled application")
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Relais",
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm)
    story = [_p(title, h1)]
    facts = [
        [_("Reference"), app.reference or _("not submitted")], [_("Call"), call.title],
        [_("Organisation"), app.organisation.name], [_("Status"), app.get_status_display()],
        [_("Requested amount"), format_money(app.requested_amount, currency)],
        [_("Period"), f"{date_format(app.start_date) if app.start_date else '—'} → "
                      f"{date_format(app.end_date) if app.end_date else '—'}"],
        [_("Regions"), ", ".join(r.name for r in app.regions.all())], [_("Communes"), app.communes],
    ]
    facts_table = Table([[_p(k, small), _p(v, body)] for k, v in facts], colWidths=[45 * mm, 129 * mm])
    facts_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5ae")),
                                     ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [facts_table, Spacer(1, 5 * mm)]
    for heading, text in [(_("Summary"), app.summary), (_("Context and problem"), app.context),
                          (_("Objectives"), app.objectives), (_("Activities"), app.activities)]:
        story += [_p(heading, h2), _p(text, body)]
    timeline = list(app.timeline.all())
    if timeline:
        rows = [[_("Activity"), _("Start month"), _("End month")]]
        rows += [[_p(t.activity, small), t.start_month or "", t.end_month or ""] for t in timeline]
        table = Table(rows, colWidths=[120 * mm, 27 * mm, 27 * mm], repeatRows=1)
        table.setStyle(TABLE_STYLE)
        story += [Spacer(1, 3 * mm), table]
    story += [_p(_("Beneficiaries"), h2)]
    ben = Table([[_("Women"), _("Men"), _("Youth (15–35)")], [app.women or 0, app.men or 0, app.youth or 0]],
                colWidths=[58 * mm] * 3)
    ben.setStyle(TABLE_STYLE)
    story += [ben]
    for heading, text in [(_("Risks"), app.risks), (_("Do-no-harm measures"), app.do_no_harm)]:
        story += [_p(heading, h2), _p(text, body)]
    story += [_p(_("Budget"), h2)]
    rows = [[_("Category"), _("Description"), _("Quantity"), _("Unit cost"), _("Total")]]
    for line in app.budget_lines.select_related("category"):
        rows.append([_p(line.category.name if line.category else "", small), _p(line.description, small),
                     line.quantity if line.quantity is not None else "",
                     format_money(line.unit_cost, currency), format_money(line.total_in(currency), currency)])
    rows.append(["", _("Requested amount"), "", "", format_money(app.requested_amount, currency)])
    budget = Table(rows, colWidths=[32 * mm, 64 * mm, 18 * mm, 30 * mm, 30 * mm], repeatRows=1)
    budget.setStyle(TableStyle([*TABLE_STYLE.getCommands(), ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")]))
    story += [budget]
    if app.cofunding_amount:
        story += [Spacer(1, 2 * mm), _p(_("Co-funding: %(amount)s (%(source)s)") % {
            "amount": format_money(app.cofunding_amount, currency), "source": app.cofunding_source}, body)]
    answers = list(app.answers.select_related("question"))
    if answers:
        story += [_p(_("Eligibility answers"), h2)]
        table = Table([[_("Question"), _("Answer")]] + [[_p(a.question.text, small), _p(a.display_answer, small)]
                                                        for a in answers], colWidths=[110 * mm, 64 * mm])
        table.setStyle(TABLE_STYLE)
        story += [table]
    story += [Spacer(1, 6 * mm), _p(_("Printed on %(date)s") % {
        "date": date_format(timezone.localtime(), "DATETIME_FORMAT")}, small)]
    doc.build(story)
    return buffer.getvalue()
