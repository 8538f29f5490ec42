"""The remittance advice of a paid payment (reportlab): who paid whom, on which award and tranche, how
much (both amounts and the rate when it was sent in another currency), when, with which reference.
The payee's account is masked: the advice is forwarded and printed."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from orgs.models.organisations import mask_number
from relais.money import format_money
from relais.pdf import FONT_BOLD, build, para, styles, table_style

from .models import Disbursement


def _payee(d: Disbursement) -> str:
    """The organisation, the account holder when another name, and the account masked to its last four."""
    payee = d.payee or {}
    lines = [d.award.organisation.name]
    holder = payee.get("holder") or ""
    if holder and holder != lines[0]:
        lines.append(holder)
    number = mask_number(payee.get("account") or payee.get("number") or "")
    account = " ".join(part for part in (payee.get("bank") or payee.get("operator") or "", number) if part)
    if account:
        lines.append(account)
    return "\n".join(lines)


def remittance_filename(d: Disbursement) -> str:
    name = _("remittance-advice")
    return f"{name}-{d.award.reference}-{d.pk}.pdf".replace("/", "-")


def remittance_pdf(d: Disbursement, *, tenant: object) -> bytes:
    """A4, one page, in the active language."""
    s = styles()
    award = d.award
    story: list[Flowable] = [para(_("Remittance advice"), s.title)]
    facts: list[tuple[str, str]] = [
        (_("Payer"), str(getattr(tenant, "name", ""))),
        (_("Payee"), _payee(d)),
        (_("Award"), f"{award.reference} — {award.title}"),
        (_("Tranche"), str(d.tranche.number)),
        (_("Amount"), format_money(d.amount, d.currency)),
    ]
    if d.paid_currency != d.currency:
        facts += [
            (_("Amount sent"), format_money(d.paid_amount, d.paid_currency)),
            (_("Exchange rate"), _("1 %(from)s = %(rate)s %(to)s (%(source)s, %(date)s)") % {
                "from": d.currency, "rate": f"{d.rate.normalize():f}" if d.rate is not None else "—",
                "to": d.paid_currency, "source": d.rate_source,
                "date": date_format(d.rate_date) if d.rate_date else "—"}),
        ]
    facts += [
        (_("Payment date"), date_format(d.paid_on)),
        (_("Payment method"), str(d.get_rail_display())),
        (_("Payment reference"), d.reference or "—"),
    ]
    table = Table([[para(k, s.small), para(v, s.body)] for k, v in facts], colWidths=[45 * mm, 129 * mm])
    table.setStyle(table_style(("FONTNAME", (0, 4), (-1, 4), FONT_BOLD), header=False))
    story += [table, Spacer(1, 6 * mm),
              para(_("This advice confirms a payment recorded in Relais. Keep it with your accounting documents."),
                   s.small)]
    footer = _("Remittance advice %(reference)s — %(date)s") % {
        "reference": award.reference, "date": date_format(timezone.localdate())}
    return build(story, title=str(_("Remittance advice")), footer=footer)
