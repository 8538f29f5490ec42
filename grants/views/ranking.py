"""Ranking of a call's applications, its exports, and batch decisions from it."""

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
    rows, _hidden = selectors.ranking_as_seen_by(actor=actor, call=call)
    manager = bool(can_decide_applications(actor))
    table = RankingTable(rows, call=call, tenant_slug=actor.tenant.slug, selectable=manager)
    decidable = sum(1 for r in rows if r.application.status == ApplicationStatus.DECISION_PENDING)
    return render(request, "grants/call_ranking.html", {
        "call": call, "table": table, "rows": rows, "manager": manager, "decidable": decidable,
        "reason_form": ReasonForm(currency=call.currency),
        "awarded_total": sum((r.application.awarded_amount or 0) for r in rows
                             if r.application.status == ApplicationStatus.APPROVED),
    })


@require_POST  # an export is deliberate and audited: never a prefetchable link
def call_ranking_export(request: HttpRequest, call_pk: int) -> HttpResponse:
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    can_read_ranking(actor).raise_if_denied()
    rows, hidden = selectors.ranking_as_seen_by(actor=actor, call=call)
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
    ranking_export_record(call=call, actor=actor, fmt=fmt, rows=len(data), blind=hidden)
    filename = f"ranking-{call.pk}"
    if fmt == "xlsx":
        return xlsx_response(filename, header, data)
    return csv_response(filename, header, data)


@require_POST
def call_decide(request: HttpRequest, call_pk: int) -> HttpResponse:
    """Approve (at the requested amount) or reject the ticked applications."""
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
    done, refused = applications_decide(applications=apps, target=target, actor=actor, reason=reason or "")
    if done:
        messages.success(request, _("%(n)s application(s) decided.") % {"n": len(done)})
    for app in done:
        warn_if_nobody_reached(request, tenant=actor.tenant, organisation_id=app.organisation_id,
                               about=app.reference or str(app.pk))
    by_pk = {a.pk: a for a in apps}
    for pk, problems in refused.items():
        messages.error(request, f"{by_pk[pk].reference or pk}: {' '.join(problems)}")
    return redirect("grants:call_ranking", tenant_slug=actor.tenant.slug, call_pk=call.pk)
