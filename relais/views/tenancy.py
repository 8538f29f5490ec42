"""Workspace pages: landing, picker, dashboard, members, invitations, audit log, settings, profile."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais import selectors
from relais.audit_describe import describe_events, export_header, export_rows
from relais.dashboard import panels_for
from relais.errors import Refused, refused_message
from relais.exports import csv_streaming_response
from relais.forms import AuditFilterForm, InvitationForm, MembershipRoleForm, ProfileForm, TenantSettingsForm
from relais.http import TenantRequest
from relais.models import Role, User
from relais.pagination import page_of
from relais.permissions import can_change_membership, role_required
from relais.services import tenancy as services


def home(request: HttpRequest) -> HttpResponse:
    """Visitors get an explanation; members go to their workspace or the picker."""
    if not request.user.is_authenticated:
        return render(request, "relais/landing.html")
    memberships = list(selectors.memberships_of_user(user=request.user))
    if len(memberships) == 1:
        return redirect("relais:dashboard", tenant_slug=memberships[0].tenant.slug)
    return render(request, "relais/workspaces.html", {"memberships": memberships})


@login_required
def workspaces(request: HttpRequest) -> HttpResponse:
    return render(request, "relais/workspaces.html",
                  {"memberships": selectors.memberships_of_user(user=cast(User, request.user))})


def dashboard(request: TenantRequest) -> HttpResponse:
    """One page per tenant; its panels depend on the member's role.

    Apps contribute panels through ``relais.dashboard``: the kernel imports none of them.
    """
    return render(request, "relais/dashboard.html", {"panels": panels_for(request)})


def _members_page(request: TenantRequest, form: InvitationForm) -> HttpResponse:
    actor = request.actor
    # Every row's form lists the tenant's organisations: read them once, not once per member.
    organisations = selectors.organisation_choices(actor=actor)
    choices = None
    rows = []
    for membership in selectors.membership_list(actor=actor):
        role_form = MembershipRoleForm(organisations=organisations, prefix=f"m{membership.pk}",
                                       initial={"role": membership.role, "organisation": membership.organisation_id})
        field = cast(ModelChoiceField, role_form.fields["organisation"])
        if choices is None:
            choices = list(cast(Any, field.choices))
        field.choices = choices
        rows.append((membership, role_form, can_change_membership(actor, membership)))
    return render(request, "relais/members.html", {
        "form": form, "rows": rows, "invitations": selectors.invitation_list(actor=actor),
    })


@role_required(Role.MANAGER)
def members(request: TenantRequest) -> HttpResponse:
    actor = request.actor
    organisations = selectors.organisation_choices(actor=actor)
    form = InvitationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(actor=actor, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("relais:members", tenant_slug=actor.tenant.slug)
    return _members_page(request, form)


@require_POST
@role_required(Role.MANAGER)
def membership_change_role(request: TenantRequest, membership_pk: int) -> HttpResponse:
    actor = request.actor
    membership = selectors.access_membership(actor=actor, pk=membership_pk)
    form = MembershipRoleForm(request.POST, organisations=selectors.organisation_choices(actor=actor),
                              prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            services.membership_change_role(actor=actor, membership=membership, **form.cleaned_data)
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Role updated for %(user)s.") % {"user": membership.user.display_name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("relais:members", tenant_slug=actor.tenant.slug)


@require_POST
@role_required(Role.MANAGER)
def membership_revoke(request: TenantRequest, membership_pk: int) -> HttpResponse:
    actor = request.actor
    membership = selectors.access_membership(actor=actor, pk=membership_pk)
    try:
        services.membership_revoke(actor=actor, membership=membership)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Access removed for %(user)s.") % {"user": membership.user.display_name})
    return redirect("relais:members", tenant_slug=actor.tenant.slug)


@require_POST
@role_required(Role.MANAGER)
def invitation_revoke(request: TenantRequest, invitation_pk: int) -> HttpResponse:
    actor = request.actor
    invitation = selectors.access_invitation(actor=actor, pk=invitation_pk)
    try:
        services.invitation_revoke(actor=actor, invitation=invitation)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Invitation cancelled."))
    return redirect("relais:members", tenant_slug=actor.tenant.slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation; only POST accepts it (links get prefetched)."""
    invitation = selectors.invitation_by_token(token=token)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Welcome to the %(tenant)s workspace.") % {"tenant": membership.tenant.name})
            return redirect("relais:dashboard", tenant_slug=membership.tenant.slug)
    usable = invitation is not None and invitation.is_usable
    return render(
        request,
        "relais/invitation_accept.html",
        {
            "invitation": invitation if usable else None,
            "login_url": reverse("account_login") + "?next=" + request.path,
            "signup_url": reverse("account_signup") + "?next=" + request.path,
        },
        status=200 if usable else 404,
    )


AUDIT_FILTERS = ("who", "action", "target_type", "target", "date_from", "date_to")


def _audit_filters(form: AuditFilterForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) or (None if name.startswith("date") else "") for name in AUDIT_FILTERS}


def _audit_page(request: TenantRequest, form: AuditFilterForm, *, status: int = 200) -> HttpResponse:
    page, rows = None, []
    if form.is_valid():
        events = selectors.audit_search(actor=request.actor, **_audit_filters(form))
        page = page_of(events, request.GET.get("page"), 50)
        # Names and links of the page's objects: one query per object type, not one per event.
        rows = describe_events(page.object_list, tenant=request.actor.tenant)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "relais/audit_log.html",
                  {"form": form, "page": page, "rows": rows, "query": query.urlencode()}, status=status)


@role_required(Role.MANAGER)
def audit_log(request: TenantRequest) -> HttpResponse:
    return _audit_page(request, AuditFilterForm(request.GET))


@require_POST  # an export is deliberate and audited: never a prefetchable link
@role_required(Role.MANAGER)
def audit_log_export(request: TenantRequest) -> HttpResponseBase:
    """The filtered events as CSV, streamed: 220,000 rows never sit in memory together."""
    actor = request.actor
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _audit_page(request, form, status=400)
    filters = _audit_filters(form)
    try:
        services.audit_log_export_record(actor=actor, filters=filters)
    except Refused as exc:
        refused_message(request, exc)
        return redirect("relais:audit_log", tenant_slug=actor.tenant.slug)
    events = selectors.audit_search(actor=actor, **filters)
    return csv_streaming_response(f"audit-{actor.tenant.slug}", export_header(),
                                  export_rows(events, tenant=actor.tenant, language=get_language() or "fr"))


@role_required(Role.MANAGER)
def tenant_settings(request: TenantRequest) -> HttpResponse:
    actor = request.actor
    form = TenantSettingsForm(request.POST or None, instance=selectors.workspace_for_settings(actor=actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.tenant_update_settings(actor=actor, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("relais:tenant_settings", tenant_slug=actor.tenant.slug)
    return render(request, "relais/tenant_settings.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    form = ProfileForm(request.POST or None, instance=selectors.user_for_profile(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile")
    return render(request, "relais/profile.html", {"form": form})
