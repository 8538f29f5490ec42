"""Ranking of a call's applications (a page at a time), its exports, and batch decisions from it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.exports import csv_response, xlsx_response
from relais.ids import pk_like
from relais.money import quantize
from relais.outbox import warn_if_nobody_reached
from relais.pagination import page_of

from .. import selectors
from ..forms import ReasonForm
from ..models import ApplicationStatus
from ..permissions import can_decide_applications, can_read_ranking
from ..services.applications import applications_decide
from ..services.calls import ranking_export_record
from ..tables import RankingTable


def call_ranking(request: HttpRequest, call_pk: int) -> HttpResponse:
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    can_read_ranking(actor).raise_if_denied()
    ranked = selectors.RankedApplications(call)
    per_page = selectors.RANKING_PER_PAGE
    page = page_of(ranked, request.GET.get("page"), per_page)
    summary = ranked.summary
    manager = bool(can_decide_applications(actor))
    table = RankingTable(page.object_list, call=call, tenant_slug=actor.tenant.slug, selectable=manager)
    return render(request, "grants/call_ranking.html", {
        "call": call, "table": table, "page": page, "summary": summary, "manager": manager,
        "page_decidable": sum(1 for r in page if r.application.status == ApplicationStatus.DECISION_PENDING),
        "last_rank": page.start_index() + len(page) - 1,
        # The page where the money runs out, when it is not this one.
        "envelope_page": (summary.first_over - 1) // per_page + 1 if summary.first_over else None,
    })


@require_POST  # an export is deliberate and audited: never a prefetchable link
def call_ranking_export(request: HttpRequest, call_pk: int) -> HttpResponse:
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    can_read_ranking(actor).raise_if_denied()
    rows = selectors.ranking(call=call)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    header = [_("Rank"), _("Reference"), _("Organisation"), _("Project"), _("Weighted score (0–5)"),
              _("Reviews done"), _("Reviews expected"), _("Spread"), _("Requested"), _("Running total"),
              _("Currency"), _("Within envelope"), _("Status")]
    # Amounts in the call currency's minor unit (XOF: whole francs, EUR: cents), named beside them.
    data = [[
        row.rank, row.application.reference,
        row.application.organisation.name,
        row.application.title, row.score, row.reviews_done, row.reviews_expected, row.spread,
        quantize(row.requested, call.currency), quantize(row.running_total, call.currency), call.currency,
        _("yes") if row.within_envelope else _("no"),
        str(row.application.get_status_display()),
    ] for row in rows]
    ranking_export_record(call=call, actor=actor, fmt=fmt, rows=len(data), blind=False)
    filename = f"ranking-{call.pk}"
    if fmt == "xlsx":
        return xlsx_response(filename, header, data)
    return csv_response(filename, header, data)


@require_POST
def call_decide(request: HttpRequest, call_pk: int) -> HttpResponse:
    """Approve (at the requested amount) or reject the ticked applications, in two steps: the ticked
    rows lead to a confirmation page (what will be approved or rejected, the amounts, the envelope
    left; no JavaScript needed), whose own form carries `confirm` and decides. Each application goes
    through the decision service on its own, so every rule of the service applies to each."""
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    can_decide_applications(actor).raise_if_denied()
    target = request.POST.get("decision")
    form = ReasonForm(request.POST, currency=call.currency)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    ids = [int(v) for v in request.POST.getlist("applications") if pk_like(v)]
    apps = selectors.applications_of_call(actor=actor, call=call, pks=ids) if ids else []
    if target not in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED) or not apps:
        messages.error(request, _("Tick at least one application and choose approve or reject."))
        return redirect("grants:call_ranking", tenant_slug=actor.tenant.slug, call_pk=call.pk)
    preview = selectors.batch_decision_preview(actor=actor, call=call, applications=apps, target=target)
    missing_reason = preview.reason_required and not reason.strip()
    if "confirm" not in request.POST or missing_reason:
        if "confirm" in request.POST:
            form.add_error("reason", _("A reason is required to reject (it is sent to the applicants)."))
        return render(request, "grants/call_decide_confirm.html", {
            "call": call, "preview": preview, "form": form, "approve": target == ApplicationStatus.APPROVED,
        })
    done, refused = applications_decide(applications=apps, target=target, actor=actor, reason=reason)
    if done:
        messages.success(request, _("%(n)s application(s) decided.") % {"n": len(done)})
    for app in done:
        warn_if_nobody_reached(request, tenant=actor.tenant, organisation_id=app.organisation_id,
                               about=app.reference or str(app.pk))
    by_pk = {a.pk: a for a in apps}
    for pk, problems in refused.items():
        messages.error(request, f"{by_pk[pk].reference or pk}: {' '.join(problems)}")
    return redirect("grants:call_ranking", tenant_slug=actor.tenant.slug, call_pk=call.pk)
