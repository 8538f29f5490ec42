"""Self-registration (global URLs /join/ and /join/<slug>/) and join requests (inside a tenant).

/join/<slug>/ lives outside the tenant prefix on purpose: TenantMiddleware
answers 404 to non-members under /<tenant_slug>/, and these visitors are not
members yet: they act as themselves in the tenant (an Actor without membership).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.models import JoinRequestStatus
from orgs.permissions.organisations import can_decide_join_request
from orgs.selectors import organisations as selectors
from relais import selectors as kernel_selectors
from relais.actor import Actor
from relais.confirm import Confirmation, confirmation_response
from relais.errors import Refused, refusal_text, refused_message

from ..forms.organisations import JoinRequestForm, SelfRegistrationForm
from ..services import registration as services


@login_required
def join_index(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/join_index.html", {"tenants": kernel_selectors.self_registration_tenants()})


@login_required
def join_tenant(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = kernel_selectors.open_workspace(slug=slug)
    if kernel_selectors.is_member(user=request.user, tenant=tenant):
        messages.info(request, _("You are already a member of this workspace."))
        return redirect("relais:dashboard", tenant_slug=tenant.slug)
    if not tenant.applicants_may_self_register:
        return render(request, "orgs/join_tenant.html", {"tenant": tenant, "closed": True})
    actor = Actor(tenant=tenant, user=request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    register_form = SelfRegistrationForm(request.POST if action == "register" else None, actor=actor, prefix="new")
    join_form = JoinRequestForm(request.POST if action == "join" else None, prefix="join")
    if action == "register" and register_form.is_valid():
        try:
            organisation = services.organisation_self_register(actor=actor, data=register_form.service_data())
        except Refused as exc:
            register_form.add_error(None, exc)
        else:
            messages.success(request, _("Your organisation is registered. The programme team will verify it; "
                                        "meanwhile, complete its profile."))
            return redirect("orgs:organisation_detail", tenant_slug=tenant.slug, organisation_pk=organisation.pk)
    elif action == "join" and join_form.is_valid():
        try:
            services.join_request_create(actor=actor, **join_form.cleaned_data)
        except Refused as exc:
            join_form.add_error(None, exc)
        else:
            messages.success(request, _("Your request was sent. You will receive an e-mail when a member of "
                                        "the organisation or the programme team answers."))
            return redirect("join_tenant", slug=tenant.slug)
    return render(request, "orgs/join_tenant.html", {
        "tenant": tenant, "closed": False, "register_form": register_form, "join_form": join_form,
    })


def join_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/join_requests.html",
                  {"join_requests": selectors.join_request_list(actor=request.actor)})


def join_request_decide(request: HttpRequest, joinrequest_pk: int) -> HttpResponse:
    """POST: approve or decline. Declining is final: it first shows its confirmation page, on GET (the list
    links here) and on any POST without the confirmation."""
    actor = request.actor
    join_request = selectors.access_join_request(actor=actor, pk=joinrequest_pk)
    can_decide_join_request(actor, join_request).raise_if_denied()
    requests_url = reverse("orgs:join_requests", kwargs={"tenant_slug": actor.tenant.slug})
    decision = (request.POST if request.method == "POST" else request.GET).get("decision")
    if join_request.status != JoinRequestStatus.PENDING:
        messages.info(request, _("This request has already been answered."))
        return redirect(requests_url)
    if decision == "decline":
        page = confirmation_response(request, Confirmation(
            title=_("Decline this request?"), cancel_url=requests_url, fields={"decision": decision},
            subject=f"{join_request.user.display_name} — {join_request.organisation.short_name}",
            consequence=_("The person is told by e-mail that the request was declined; they will not join "
                          "the organisation in this workspace."),
            button=_("Decline the request")))
        if page is not None:
            return page
    elif request.method != "POST":
        return redirect(requests_url)
    if decision not in ("approve", "decline"):
        # A POST without a decision (a stray or replayed form) must not decline the request.
        messages.error(request, _("Choose to approve or to decline the request."))
        return redirect(requests_url)
    approve = decision == "approve"
    try:
        services.join_request_decide(join_request=join_request, actor=actor, approve=approve)
    except Refused as exc:
        if exc.forbidden:
            raise PermissionDenied(refusal_text(exc)) from exc
        refused_message(request, exc)
    else:
        messages.success(request, _("Request approved.") if approve else _("Request declined."))
    return redirect(requests_url)
