"""Printable PDF of an application (reportlab), for committees reading offline."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from relais.display import ReadOnlyView
from relais.money import format_money
from relais.pdf import FONT_BOLD, build, number, para, styles, table_style
from relais.uploads import EXTENSIONS

from ..models import Application

_TYPE_LABELS = {kind.content_type: kind.label for kind in EXTENSIONS.values()}


def application_pdf(application: Application | ReadOnlyView) -> bytes:
    """A4 PDF; amounts in the active language's format (French: '1 250 000 FCFA'). Prints what it is
    given: for a blind reviewer, the anonymised view (grants.selectors.application_as_seen_by), whose
    attachments are empty, as on the page."""
    app = application
    call = app.call
    currency = call.currency
    s = styles()
    body, small = s.body, s.small
    title = app.title or _("Untitled application")
    story: list[Flowable] = [para(title, s.title)]
    facts = [
        [_("Reference"), app.reference or _("not submitted")], [_("Call"), call.title],
        [_("Organisation"), app.organisation.name], [_("Status"), app.get_status_display()],
        [_("Requested amount"), format_money(app.requested_amount, currency)],
        [_("Period"), f"{date_format(app.start_date) if app.start_date else '—'} → "
                      f"{date_format(app.end_date) if app.end_date else '—'}"],
        [_("Regions"), ", ".join(r.name for r in app.regions.all())], [_("Communes"), app.communes],
    ]
    facts_table = Table([[para(k, small), para(v, body)] for k, v in facts], colWidths=[45 * mm, 129 * mm])
    facts_table.setStyle(table_style(header=False))
    story += [facts_table, Spacer(1, 5 * mm)]
    for heading, value in [(_("Summary"), app.summary), (_("Context and problem"), app.context),
                           (_("Objectives"), app.objectives), (_("Activities"), app.activities)]:
        story += [para(heading, s.heading), para(value, body)]
    timeline = list(app.timeline.all())
    if timeline:
        rows: list[list[object]] = [[_("Activity"), _("Start month"), _("End month")]]
        rows += [[para(t.activity, small), t.start_month or "", t.end_month or ""] for t in timeline]
        table = Table(rows, colWidths=[120 * mm, 27 * mm, 27 * mm], repeatRows=1)
        table.setStyle(table_style())
        story += [Spacer(1, 3 * mm), table]
    story += [para(_("Beneficiaries"), s.heading)]
    ben = Table([[_("Women"), _("Men"), _("Youth (15–35)")], [app.women or 0, app.men or 0, app.youth or 0]],
                colWidths=[58 * mm] * 3)
    ben.setStyle(table_style())
    story += [ben]
    for heading, value in [(_("Risks"), app.risks), (_("Do-no-harm measures"), app.do_no_harm)]:
        story += [para(heading, s.heading), para(value, body)]
    story += [para(_("Budget"), s.heading)]
    rows = [[_("Category"), _("Description"), _("Quantity"), _("Unit cost"), _("Total")]]
    for line in app.budget_lines.select_related("category"):
        rows.append([para(line.category.name if line.category else "", small), para(line.description, small),
                     number(line.quantity), format_money(line.unit_cost, currency),
                     format_money(line.total_in(currency), currency)])
    rows.append(["", _("Requested amount"), "", "", format_money(app.requested_amount, currency)])
    budget = Table(rows, colWidths=[32 * mm, 64 * mm, 18 * mm, 30 * mm, 30 * mm], repeatRows=1)
    budget.setStyle(table_style(("ALIGN", (2, 1), (-1, -1), "RIGHT"), ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD)))
    story += [budget]
    if app.cofunding_amount:
        story += [Spacer(1, 2 * mm), para(_("Co-funding: %(amount)s (%(source)s)") % {
            "amount": format_money(app.cofunding_amount, currency), "source": app.cofunding_source}, body)]
    answers = list(app.answers.select_related("question"))
    if answers:
        story += [para(_("Eligibility answers"), s.heading)]
        table = Table([[_("Question"), _("Answer")]] + [[para(a.question.text, small), para(a.display_answer, small)]
                                                        for a in answers], colWidths=[110 * mm, 64 * mm])
        table.setStyle(table_style())
        story += [table]
    attachments = list(app.attachments.select_related("required"))
    if attachments:
        story += [para(_("Attachments"), s.heading)]
        rows = [[_("Document"), _("File"), _("Type"), _("Size")]]
        rows += [[para(a.required.name if a.required else _("Other document"), small), para(a.original_name, small),
                  _TYPE_LABELS.get(a.content_type, a.content_type), filesizeformat(a.size)] for a in attachments]
        table = Table(rows, colWidths=[58 * mm, 72 * mm, 24 * mm, 20 * mm], repeatRows=1)
        table.setStyle(table_style())
        story += [table]
    story += [Spacer(1, 6 * mm), para(_("Printed on %(date)s") % {
        "date": date_format(timezone.localtime(), "DATETIME_FORMAT")}, small)]
    return build(story, title=title, footer=" · ".join(filter(None, [app.reference, title])))
