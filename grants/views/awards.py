"""Award pages: the list, the award's page (terms, tranches and their conditions, agreement, payments,
ledger, history) and its steps. The agreement's and the payments' own pages are in
grants.views.agreements and grants.views.disbursements."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.confirm import REASON_REQUIRED, Confirmation, confirmation_response
from relais.errors import Refused, refused_message
from relais.models import Role
from relais.money import format_money
from relais.pagination import page_of
from relais.selectors import audit_timeline

from ..models import AwardStatus
from ..permissions import can_configure_stripe, can_manage_award, can_pay_award, can_read_finance, can_see_payee_numbers
from ..selectors import awards as award_selectors
from ..selectors import finance as finance_selectors
from ..selectors.finance import AwardFilters
from ..selectors.indicators import award_progress
from ..services.awards import award_transition
from ..services.awards import tranche_cancel as tranche_cancel_service
from ..services.grant_settings import can_edit_grant_settings
from ..tables import award_filters_html, award_rows_html
from ..workflow import AWARD, AWARD_CONFIRMED_TARGETS
from .agreements import agreement_actions
from .disbursements import payments_context

W = AwardStatus
# Steps with their own page (the agreement's: issue needs a generated document, sign a signature,
# countersign e-mails the grantee): grants.views.agreements.
STEPS_WITH_OWN_PAGE = frozenset({W.ISSUED, W.SIGNED, W.ACTIVE})


def award_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    filters = AwardFilters.from_query(request.GET)
    awards = finance_selectors.filtered_awards(actor=actor, filters=filters)
    page = page_of(awards.only(*finance_selectors.AWARD_ROW_FIELDS), request.GET.get("page"), 25)
    applicant = actor.has_role(Role.APPLICANT)
    choices = {"calls": [], "regions": []} if applicant else finance_selectors.filter_choices(actor=actor)
    return render(request, "grants/award_list.html", {
        "page": page, "filters": filters,
        "filters_html": award_filters_html(filters=filters, **choices),
        "rows_html": award_rows_html(page, tenant_slug=actor.tenant.slug),
        "title": _("My awards") if applicant else _("Awards"),
        "finance_link": bool(can_read_finance(actor)),
        "can_configure_stripe": bool(can_configure_stripe(actor)),
        "can_edit_settings": bool(can_edit_grant_settings(actor)),
    })


def award_detail(request: HttpRequest, award_pk: int) -> HttpResponse:
    actor = request.actor
    award = award_selectors.access_award(actor=actor, pk=award_pk)
    available = [t for t in AWARD.available(actor, award) if t.target not in STEPS_WITH_OWN_PAGE]
    manage = can_manage_award(actor, award)
    context = {
        "award": award,
        "transitions": [t for t in available if t.target not in AWARD_CONFIRMED_TARGETS],
        "final_steps": [t for t in available if t.target in AWARD_CONFIRMED_TARGETS],
        "tranches": award_selectors.tranche_states(actor=actor, award=award, today=timezone.localdate()),
        "budget_lines": list(award.budget_lines.select_related("category")),
        "documents": list(award_selectors.award_documents(award=award)),
        "signatures": list(award_selectors.award_signatures(award=award)),
        "disbursements": list(award_selectors.award_disbursements(award=award)),
        "ledger": list(award_selectors.award_ledger(award=award)),
        "can_manage": bool(manage), "conflict": "" if manage or not actor.is_manager else manage.reason,
        "can_pay": bool(can_pay_award(actor, award)),
        "show_payee": can_see_payee_numbers(actor, award),
        "timeline": audit_timeline(actor=actor, target=award)[:50] if not actor.has_role(Role.APPLICANT) else [],
        "agreement": agreement_actions(actor, award),
        "reports": list(award_selectors.award_reports(award=award).select_related("gates_tranche")),
        "indicator_progress": award_progress(award=award),
    }
    context.update(payments_context(actor=actor, award=award, disbursements=context["disbursements"],
                                    ledger=context["ledger"]))
    return render(request, "grants/award_detail.html", context)


def _confirmation(request: HttpRequest, award, target: str) -> Confirmation:
    cancel = reverse("grants:award_detail", kwargs={"tenant_slug": request.actor.tenant.slug, "award_pk": award.pk})
    return Confirmation(
        title=_("Terminate this award?"), subject=f"{award.reference} — {award.title} — {award.organisation.name}",
        consequence=_("No further payment can be made on it. Payments already made stay in the ledger."),
        button=_("Terminate the award"), cancel_url=cancel, fields={"target": target},
        reason=REASON_REQUIRED, reason_label=_("Reason"), reason_help=_("The grantee will read it."))


def award_change_status(request: HttpRequest, award_pk: int) -> HttpResponse:
    """POST: take a step of the award table; terminating first shows its confirmation page."""
    actor = request.actor
    award = award_selectors.access_award(actor=actor, pk=award_pk)
    can_manage_award(actor, award).raise_if_denied()  # 403 with the reason, not a 500
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target", "")
    detail = redirect("grants:award_detail", tenant_slug=actor.tenant.slug, award_pk=award.pk)
    if target in STEPS_WITH_OWN_PAGE:
        return detail
    if target in AWARD_CONFIRMED_TARGETS:
        if not any(t.target == target for t in AWARD.available(actor, award)):
            if request.method != "POST":
                messages.info(request, _("This step is no longer possible: the award is “%(status)s”.")
                              % {"status": award.get_status_display()})
                return detail
        else:
            page = confirmation_response(request, _confirmation(request, award, target))
            if page is not None:
                return page
    elif request.method != "POST":
        return detail
    try:
        award_transition(award=award, actor=actor, target=target, reason=(request.POST.get("reason") or "").strip())
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("The award is now “%(status)s”.") % {"status": award.get_status_display()})
    return detail


def tranche_cancel(request: HttpRequest, award_pk: int, tranche_pk: int) -> HttpResponse:
    """Cancel a tranche that will not be paid: a confirmation page with the reason, then the service."""
    actor = request.actor
    award = award_selectors.access_award(actor=actor, pk=award_pk)
    tranche = award_selectors.access_tranche(actor=actor, award=award, pk=tranche_pk)
    can_manage_award(actor, award).raise_if_denied()
    detail = reverse("grants:award_detail", kwargs={"tenant_slug": actor.tenant.slug, "award_pk": award.pk})
    page = confirmation_response(request, Confirmation(
        title=_("Cancel tranche %(number)s?") % {"number": tranche.number},
        subject=f"{award.reference} — {format_money(tranche.amount, award.currency)}",
        consequence=_("It will not be paid. The award can be closed once its other tranches are paid."),
        button=_("Cancel the tranche"), cancel_url=detail, reason=REASON_REQUIRED, reason_label=_("Reason")))
    if page is not None:
        return page
    try:
        tranche_cancel_service(tranche=tranche, actor=actor, reason=(request.POST.get("reason") or ""))
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Tranche %(number)s is cancelled.") % {"number": tranche.number})
    return redirect(detail)
