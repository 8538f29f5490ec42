"""Sanctions screening: lists, running a screening, deciding on it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import Screening, ScreeningDecision
from orgs.permissions.due_diligence import can_decide_screening, can_run_screening, can_view_screening
from orgs.selectors import due_diligence as dd
from relais.confirm import REASON_REQUIRED, Confirmation, confirmation_response
from relais.errors import Refused, refusal_text, refused_message
from relais.models import Role
from relais.permissions import role_required

from ..forms.screening import SanctionsListUploadForm, ScreeningDecisionForm
from ..services import screening as screening_services


@require_POST
def screening_run(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = dd.access_organisation_due_diligence(actor=actor, pk=organisation_pk)
    can_run_screening(actor).raise_if_denied()
    try:
        screening = screening_services.screening_run(actor=actor, organisation=organisation)
    except Refused as exc:
        refused_message(request, exc)
        return redirect("orgs:due_diligence", tenant_slug=actor.tenant.slug, organisation_pk=organisation.pk)
    if screening.decision == ScreeningDecision.PENDING:
        messages.warning(request, _("Possible matches were found: review them and record your decision."))
    else:
        messages.success(request, _("No name came close to an entry of the list: the screening is clear."))
    return redirect("orgs:screening_detail", tenant_slug=actor.tenant.slug, screening_pk=screening.pk)


def _render_detail(request: HttpRequest, screening: Screening, form: ScreeningDecisionForm | None,
                   status: int = 200) -> HttpResponse:
    return render(request, "orgs/screening/detail.html", {
        "screening": screening,
        "candidates": dd.screening_candidates(screening),
        "state": dd.screening_status(screening, tenant=request.actor.tenant, now=timezone.now()),
        "form": form,
    }, status=status)


def screening_detail(request: HttpRequest, screening_pk: int) -> HttpResponse:
    actor = request.actor
    screening = dd.access_screening(actor=actor, pk=screening_pk)
    can_view_screening(actor).raise_if_denied()
    may_decide = can_decide_screening(actor, screening)
    return _render_detail(request, screening, ScreeningDecisionForm() if may_decide else None)


@require_POST
def screening_decide(request: HttpRequest, screening_pk: int) -> HttpResponse:
    actor = request.actor
    screening = dd.access_screening(actor=actor, pk=screening_pk)
    can_run_screening(actor).raise_if_denied()
    form = ScreeningDecisionForm(request.POST)
    if (form.is_valid() and form.cleaned_data["decision"] == ScreeningDecision.CONFIRMED
            and screening.decision == ScreeningDecision.PENDING):
        # A confirmed match is final and suspends the CSO: the typed reason goes to a confirmation page first.
        page = confirmation_response(request, Confirmation(
            title=_("Confirm the match and suspend the organisation?"), subject=screening.organisation.name,
            cancel_url=reverse("orgs:screening_detail", kwargs={"tenant_slug": actor.tenant.slug,
                                                                "screening_pk": screening.pk}),
            consequence=_("The screening is decided once and for all, and the organisation is suspended at once: "
                          "it can no longer start or submit applications."),
            button=_("Confirm the match"), reason=REASON_REQUIRED,
            fields={"decision": ScreeningDecision.CONFIRMED}))
        if page is not None:
            return page
    if form.is_valid():
        try:
            screening_services.screening_decide(actor=actor, screening=screening, **form.cleaned_data)
        except Refused as exc:
            if exc.forbidden:
                raise PermissionDenied(refusal_text(exc)) from exc
            refused_message(request, exc)
        else:
            if form.cleaned_data["decision"] == ScreeningDecision.CONFIRMED:
                messages.warning(request, _("Match confirmed: the organisation is now suspended."))
            else:
                messages.success(request, _("Decision recorded."))
            return redirect("orgs:screening_detail", tenant_slug=actor.tenant.slug, screening_pk=screening.pk)
    return _render_detail(request, screening, form, status=400)


@role_required(Role.MANAGER)
def sanctions_lists(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = SanctionsListUploadForm()
    if request.method == "POST":
        form = SanctionsListUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version, created = screening_services.sanctions_list_import(
                    actor=actor, data=form.cleaned_data["file"].read(), name=form.cleaned_data["name"],
                    source_format=form.cleaned_data["source_format"], source=form.cleaned_data["source"],
                )
            except Refused as exc:
                form.add_error(None, exc)
            else:
                if created:
                    messages.success(request, _("%(count)s entries imported.") % {"count": version.entry_count})
                else:
                    messages.info(request, _("This file was already imported on %(date)s.")
                                  % {"date": timezone.localtime(version.imported_at).strftime("%Y-%m-%d")})
                return redirect("orgs:sanctions_lists", tenant_slug=actor.tenant.slug)
    return render(request, "orgs/screening/lists.html", {
        "versions": dd.list_versions(actor=actor),
        "current": {v.pk for v in dd.current_list_versions(actor=actor)},
        "form": form,
        "awaiting": dd.screenings_awaiting_decision(actor=actor),
    })
