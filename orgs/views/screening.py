"""Sanctions screening: lists, running a screening, deciding on it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import ScreeningDecision
from orgs.permissions.due_diligence import can_decide_screening, can_run_screening, can_view_screening
from orgs.permissions.organisations import role_required
from orgs.selectors import due_diligence as dd
from orgs.selectors import organisations as selectors
from relais.models import Role

from ..forms.screening import SanctionsListUploadForm, ScreeningDecisionForm
from ..services import screening as screening_services
from .documents import error_text


@require_POST
def screening_run(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = selectors.access_organisation(actor=request.actor, pk=organisation_pk)
    can_run_screening(request.membership).raise_if_denied()
    try:
        screening = screening_services.screening_run(organisation=organisation, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("due_diligence", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)
    if screening.decision == ScreeningDecision.PENDING:
        messages.warning(request, _("Possible matches were found: review them and record your decision."))
    else:
        messages.success(request, _("No name came close to an entry of the list: the screening is clear."))
    return redirect("screening_detail", tenant_slug=request.tenant.slug, screening_pk=screening.pk)


def screening_detail(request: HttpRequest, screening_pk: int) -> HttpResponse:
    screening = dd.access_screening(tenant=request.tenant, pk=screening_pk)
    can_view_screening(request.membership).raise_if_denied()
    may_decide = bool(can_decide_screening(request.membership, screening))
    return render(request, "orgs/screening/detail.html", {
        "screening": screening,
        "candidates": screening.candidates.select_related("entry"),
        "state": dd.screening_status(screening, tenant=request.tenant, now=timezone.now()),
        "form": ScreeningDecisionForm() if may_decide else None,
    })


@require_POST
def screening_decide(request: HttpRequest, screening_pk: int) -> HttpResponse:
    screening = dd.access_screening(tenant=request.tenant, pk=screening_pk)
    can_run_screening(request.membership).raise_if_denied()
    form = ScreeningDecisionForm(request.POST)
    if form.is_valid():
        try:
            screening_services.screening_decide(screening=screening, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            if form.cleaned_data["decision"] == ScreeningDecision.CONFIRMED:
                messages.warning(request, _("Match confirmed: the organisation is now suspended."))
            else:
                messages.success(request, _("Decision recorded."))
            return redirect("screening_detail", tenant_slug=request.tenant.slug, screening_pk=screening.pk)
    return render(request, "orgs/screening/detail.html", {
        "screening": screening,
        "candidates": screening.candidates.select_related("entry"),
        "state": dd.screening_status(screening, tenant=request.tenant, now=timezone.now()),
        "form": form,
    }, status=400)


@role_required(Role.MANAGER)
def sanctions_lists(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    form = SanctionsListUploadForm()
    if request.method == "POST":
        form = SanctionsListUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version, created = screening_services.sanctions_list_import(
                    tenant=tenant, data=form.cleaned_data["file"].read(), name=form.cleaned_data["name"],
                    source_format=form.cleaned_data["source_format"], source=form.cleaned_data["source"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error("file", error_text(exc))
            else:
                if created:
                    messages.success(request, _("%(count)s entries imported.") % {"count": version.entry_count})
                else:
                    messages.info(request, _("This file was already imported on %(date)s.")
                                  % {"date": timezone.localtime(version.imported_at).strftime("%Y-%m-%d")})
                return redirect("sanctions_lists", tenant_slug=tenant.slug)
    return render(request, "orgs/screening/lists.html", {
        "versions": dd.list_versions(tenant=tenant),
        "current": {v.pk for v in dd.current_list_versions(tenant=tenant)},
        "form": form,
        "awaiting": dd.screenings_awaiting_decision(tenant=tenant),
    })
