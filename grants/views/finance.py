"""The finance page: where the money stands per award and per currency, what is ready to pay, what waits
for a second approval or for the provider (a Stripe payment not sent yet says so, and finance tries again or
marks it failed from here); and its CSV / XLSX exports. Finance members and managers."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.context_processors import csrf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.exports import csv_response, xlsx_response
from relais.models import Role
from relais.money import quantize
from relais.pagination import pagination_html
from relais.permissions import role_required

from ..models import Rail
from ..permissions import can_record_disbursement
from ..selectors import finance as finance_selectors
from ..selectors.finance import AwardFilters, PaymentRow
from ..services.finance import award_export_record
from ..services.stripe import MAX_SEND_ATTEMPTS
from ..tables import (
    awaiting_rows_html,
    award_filters_html,
    finance_award_rows_html,
    finance_sections_html,
    processing_rows_html,
    tranche_rows_html,
)

SECTION_ROWS = 10  # the first rows of each to-do list; the filters narrow them
AWARDS_PER_PAGE = 25


@dataclass(frozen=True)
class ProcessingRow:
    """A payment at a provider; ``not_sent``: a Stripe payment whose transfer Relais has no id of yet
    (its attempts and whether Relais stopped trying are on the payment)."""

    payment: PaymentRow
    not_sent: bool


def processing_rows(payments: list[PaymentRow]) -> list[ProcessingRow]:
    return [ProcessingRow(payment=p, not_sent=p.rail == Rail.STRIPE and not p.external_id) for p in payments]


@role_required(Role.FINANCE, Role.MANAGER)
def finance(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    filters = AwardFilters.from_query(request.GET)
    page, totals = finance_selectors.finance_awards(actor=actor, filters=filters, page=request.GET.get("page"),
                                                    per_page=AWARDS_PER_PAGE)
    tranches = finance_selectors.first_tranches_to_pay(actor=actor, filters=filters, n=SECTION_ROWS + 1)
    awaiting, processing = finance_selectors.payments_to_follow(actor=actor, filters=filters, n=SECTION_ROWS + 1)
    to_pay = finance_selectors.with_conditions(tranches[:SECTION_ROWS], actor=actor, today=timezone.localdate())
    slug = actor.tenant.slug
    shown = processing_rows(processing[:SECTION_ROWS])
    can_resend = bool(can_record_disbursement(actor))  # finance; the service checks each payment again
    sections = {
        "tranche_rows": tranche_rows_html(to_pay, tenant_slug=slug), "more_tranches": len(tranches) > SECTION_ROWS,
        "awaiting_rows": awaiting_rows_html(awaiting[:SECTION_ROWS], tenant_slug=slug, user_pk=actor.user.pk),
        "more_awaiting": len(awaiting) > SECTION_ROWS,
        "processing_rows": processing_rows_html(shown, tenant_slug=slug, can_resend=can_resend,
                                                max_send_attempts=MAX_SEND_ATTEMPTS,
                                                csrf_token=csrf(request)["csrf_token"]),
        "more_processing": len(processing) > SECTION_ROWS,
        "award_rows": finance_award_rows_html(page, tenant_slug=slug),
    }
    return render(request, "grants/finance.html", {  # the sections' parts stay in the context for the tests
        "page": page, "filters": filters, "totals": totals, "tranches": to_pay, "awaiting": awaiting[:SECTION_ROWS],
        "processing": shown, **sections,
        "filters_html": award_filters_html(filters=filters, **finance_selectors.filter_choices(actor=actor)),
        "export_filters": filters.query(),
        "sections_html": finance_sections_html(totals=totals, pagination=pagination_html(page, request.GET),
                                               **sections),
    })


@role_required(Role.FINANCE, Role.MANAGER)
@require_POST
def finance_export(request: HttpRequest) -> HttpResponse:
    """The filtered awards with their money, as CSV or XLSX (cells cannot become formulas); audited, so a
    POST (a GET never writes, even an audit event)."""
    actor = request.actor
    filters = AwardFilters.from_query(request.POST)
    awards = finance_selectors.award_export_rows(finance_selectors.filtered_awards(actor=actor, filters=filters))
    fmt = "xlsx" if request.POST.get("format") == "xlsx" else "csv"
    header = [_("Reference"), _("Organisation"), _("Region"), _("Call"), _("Project"), _("Status"), _("Currency"),
              _("Awarded"), _("Committed"), _("Paid"), _("Remaining"), _("Start date"), _("End date")]
    # Amounts in the award currency's minor unit (XOF: whole francs), the currency beside them: never summed.
    data = [[
        award.reference, award.organisation.name, award.organisation.region.name if award.organisation.region else "",
        award.call.title, award.title, str(award.get_status_display()), award.currency,
        quantize(award.amount, award.currency), quantize(award.committed, award.currency),
        quantize(award.paid, award.currency), quantize(award.remaining, award.currency),
        award.start_date.isoformat() if award.start_date else "", award.end_date.isoformat() if award.end_date else "",
    ] for award in awards.iterator(chunk_size=2000)]
    award_export_record(actor=actor, fmt=fmt, rows=len(data), filters=filters.query())
    filename = f"awards-{timezone.localdate().isoformat()}"
    if fmt == "xlsx":
        return xlsx_response(filename, header, data)
    return csv_response(filename, header, data)
