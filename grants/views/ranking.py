"""Ranking of a call's applications, its exports, and batch decisions from it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.audit import audit_record
from relais.exports import csv_response, xlsx_response
from relais.ids import pk_like
from relais.models import Role

from .. import selectors
from ..forms import ReasonForm
from ..models import Application, ApplicationStatus, ReviewStatus
from ..services.applications import applications_decide
from ..tables import RankingTable


def _ranking_for(request, call):
    role = request.membership.role
    if role not in (Role.MANAGER, Role.REVIEWER):
        raise PermissionDenied(_("The ranking is for managers and reviewers."))
    rows = selectors.ranking(call=call)
    if role == Role.REVIEWER:
        # A reviewer sees only the applications whose review they have submitted.
        mine = set(call.applications.filter(reviews__reviewer=request.user, reviews__status=ReviewStatus.SUBMITTED)
                   .values_list("pk", flat=True))
        rows = [r for r in rows if r.application.pk in mine]
    hide = role == Role.REVIEWER and call.blind_review
    if hide:
        for row in rows:
            row.application = selectors.anonymised_application(row.application)
    return rows, hide


def call_ranking(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(tenant=request.tenant, membership=request.membership, pk=call_pk)
    rows, _hide = _ranking_for(request, call)
    manager = request.membership.role == Role.MANAGER
    table = RankingTable(rows, call=call, tenant_slug=request.tenant.slug, selectable=manager)
    decidable = sum(1 for r in rows if r.application.status == ApplicationStatus.DECISION_PENDING)
    return render(request, "grants/call_ranking.html", {
        "call": call, "table": table, "rows": rows, "manager": manager, "decidable": decidable,
        "reason_form": ReasonForm(),
        "awarded_total": sum((r.application.awarded_amount or 0) for r in rows
                             if r.application.status == ApplicationStatus.APPROVED),
    })


@require_POST  # an export is deliberate and audited: never a prefetchable link
def call_ranking_export(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(tenant=request.tenant, membership=request.membership, pk=call_pk)
    rows, hide = _ranking_for(request, call)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    header = [_("Rank"), _("Reference"), _("Organisation"), _("Project"), _("Weighted score (0–5)"),
              _("Reviews done"), _("Reviews expected"), _("Spread"), _("Requested"), _("Running total"),
              _("Within envelope"), _("Status")]
    data = [[
        row.rank, row.application.reference,
        row.application.organisation.name,
        row.application.title, row.score, row.reviews_done, row.reviews_expected, row.spread,
        row.requested, row.running_total, _("yes") if row.within_envelope else _("no"),
        str(row.application.get_status_display()),
    ] for row in rows]
    audit_record(tenant=request.tenant, actor=request.user, action="call.ranking_exported", target=call,
                 after={"format": fmt, "rows": len(data), "blind": hide})
    filename = f"ranking-{call.pk}"
    if fmt == "xlsx":
        return xlsx_response(filename, header, data)
    return csv_response(filename, header, data)


@require_POST
def call_decide(request: HttpRequest, call_pk: int) -> HttpResponse:
    """Approve (at the requested amount) or reject the ticked applications."""
    call = selectors.access_call(tenant=request.tenant, membership=request.membership, pk=call_pk)
    if request.membership.role != Role.MANAGER:
        raise PermissionDenied(_("Only programme managers decide."))
    target = request.POST.get("decision")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    ids = [int(v) for v in request.POST.getlist("applications") if pk_like(v)]
    apps = list(Application.objects.filter(tenant=request.tenant, call=call, pk__in=ids))
    if target not in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED) or not apps:
        messages.error(request, _("Tick at least one application and choose approve or reject."))
        return redirect("call_ranking", tenant_slug=request.tenant.slug, call_pk=call.pk)
    done, refused = applications_decide(applications=apps, target=target, actor=request.user,
                                        membership=request.membership, reason=reason or "")
    if done:
        messages.success(request, _("%(n)s application(s) decided.") % {"n": len(done)})
    by_pk = {a.pk: a for a in apps}
    for pk, problems in refused.items():
        messages.error(request, f"{by_pk[pk].reference or pk}: {' '.join(problems)}")
    return redirect("call_ranking", tenant_slug=request.tenant.slug, call_pk=call.pk)
