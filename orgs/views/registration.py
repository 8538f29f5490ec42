"""Self-registration (global URLs /join/ and /join/<slug>/) and join requests (inside a tenant).

/join/<slug>/ lives outside the tenant prefix on purpose: TenantMiddleware
answers 404 to non-members under /<tenant_slug>/, and these visitors are not
members yet.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.permissions.organisations import can_decide_join_request
from orgs.selectors import organisations as selectors
from relais.models import Membership, Tenant
from relais.views import error_text

from ..forms.organisations import JoinRequestForm, SelfRegistrationForm
from ..services import registration as services


@login_required
def join_index(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/join_index.html", {"tenants": selectors.self_registration_tenants()})


@login_required
def join_tenant(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = get_object_or_404(Tenant, slug=slug, is_active=True)
    if Membership.objects.filter(tenant=tenant, user=request.user, is_active=True).exists():
        messages.info(request, _("You are already a member of this workspace."))
        return redirect("dashboard", tenant_slug=tenant.slug)
    if not tenant.applicants_may_self_register:
        return render(request, "orgs/join_tenant.html", {"tenant": tenant, "closed": True})
    register_form = SelfRegistrationForm(tenant=tenant, prefix="new")
    join_form = JoinRequestForm(prefix="join")
    if request.method == "POST" and request.POST.get("action") == "register":
        register_form = SelfRegistrationForm(request.POST, tenant=tenant, prefix="new")
        if register_form.is_valid():
            try:
                organisation = services.organisation_self_register(
                    tenant=tenant, user=request.user, data=register_form.service_data()
                )
            except (ValidationError, PermissionDenied) as exc:
                register_form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Your organisation is registered. The programme team will verify it; "
                                            "meanwhile, complete its profile."))
                return redirect("organisation_detail", tenant_slug=tenant.slug, organisation_pk=organisation.pk)
    elif request.method == "POST" and request.POST.get("action") == "join":
        join_form = JoinRequestForm(request.POST, prefix="join")
        if join_form.is_valid():
            try:
                services.join_request_create(tenant=tenant, user=request.user, **join_form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                join_form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Your request was sent. You will receive an e-mail when a member of "
                                            "the organisation or the programme team answers."))
                return redirect("join_tenant", slug=tenant.slug)
    return render(request, "orgs/join_tenant.html", {
        "tenant": tenant, "closed": False, "register_form": register_form, "join_form": join_form,
    })


def join_requests(request: HttpRequest) -> HttpResponse:
    requests = selectors.join_request_list(tenant=request.tenant, membership=request.membership)
    return render(request, "orgs/join_requests.html", {"join_requests": requests})


@require_POST
def join_request_decide(request: HttpRequest, joinrequest_pk: int) -> HttpResponse:
    join_request = selectors.access_join_request(tenant=request.tenant, membership=request.membership,
                                                 pk=joinrequest_pk)
    decision = can_decide_join_request(request.membership, join_request)
    if not decision:
        raise PermissionDenied(decision.reason)
    if request.POST.get("decision") not in ("approve", "decline"):
        # A POST without a decision (a stray or replayed form) must not decline the request.
        messages.error(request, _("Choose to approve or to decline the request."))
        return redirect("join_requests", tenant_slug=request.tenant.slug)
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_request_decide(join_request=join_request, actor=request.user, approve=approve)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Request approved.") if approve else _("Request declined."))
    return redirect("join_requests", tenant_slug=request.tenant.slug)
