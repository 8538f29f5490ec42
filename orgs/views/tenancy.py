"""Workspace views: landing, picker, dashboard, members, invitations, audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.permissions.organisations import can_change_membership, role_required
from orgs.selectors import organisations as selectors
from relais.models import Invitation, Role, Tenant, User
from relais.views import error_text

from ..forms.tenancy import InvitationForm, MembershipRoleForm, ProfileForm, TenantSettingsForm
from ..services import tenancy as tenancy_services


def home(request: HttpRequest) -> HttpResponse:
    """Visitors get an explanation; members go to their workspace or the picker."""
    if not request.user.is_authenticated:
        return render(request, "orgs/landing.html")
    memberships = list(selectors.memberships_of_user(user=request.user))
    if len(memberships) == 1:
        return redirect("dashboard", tenant_slug=memberships[0].tenant.slug)
    return render(request, "orgs/workspaces.html", {"memberships": memberships})


@login_required
def workspaces(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_of_user(user=request.user)
    return render(request, "orgs/workspaces.html", {"memberships": memberships})


def dashboard(request: HttpRequest) -> HttpResponse:
    """One page per tenant; its panels depend on the member's role.

    Apps contribute panels through ``relais.dashboard`` so this view does not
    import upwards into grants or training.
    """
    from relais.dashboard import panels_for

    panels = panels_for(request)
    return render(request, "orgs/dashboard.html", {"panels": panels})


@role_required(Role.MANAGER)
def members(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    form = InvitationForm(tenant=tenant)
    if request.method == "POST":
        form = InvitationForm(request.POST, tenant=tenant)
        if form.is_valid():
            try:
                invitation, _token = tenancy_services.invitation_create(
                    tenant=tenant, actor=request.user, **form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("members", tenant_slug=tenant.slug)
    memberships = selectors.membership_list(tenant=tenant)
    rows = [
        (m, MembershipRoleForm(tenant=tenant, initial={"role": m.role, "organisation": m.organisation_id},
                               prefix=f"m{m.pk}"), can_change_membership(request.membership, m))
        for m in memberships
    ]
    # Every row's form lists the tenant's organisations: read them once, not once per member.
    if rows:
        organisation_choices = list(rows[0][1].fields["organisation"].choices)
        for _membership, role_form, _decision in rows:
            role_form.fields["organisation"].choices = organisation_choices
    return render(
        request,
        "orgs/members.html",
        {"form": form, "rows": rows, "invitations": selectors.invitation_list(tenant=tenant)},
    )


@require_POST
@role_required(Role.MANAGER)
def membership_change_role(request: HttpRequest, membership_pk: int) -> HttpResponse:
    tenant = request.tenant
    membership = selectors.access_membership(tenant=tenant, pk=membership_pk)
    form = MembershipRoleForm(request.POST, tenant=tenant, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            tenancy_services.membership_change_role(membership=membership, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Role updated for %(user)s.") % {"user": membership.user.display_name})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("members", tenant_slug=tenant.slug)


@require_POST
@role_required(Role.MANAGER)
def membership_revoke(request: HttpRequest, membership_pk: int) -> HttpResponse:
    membership = selectors.access_membership(tenant=request.tenant, pk=membership_pk)
    try:
        tenancy_services.membership_revoke(membership=membership, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Access removed for %(user)s.") % {"user": membership.user.display_name})
    return redirect("members", tenant_slug=request.tenant.slug)


@require_POST
@role_required(Role.MANAGER)
def invitation_revoke(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    invitation = selectors.access_invitation(tenant=request.tenant, pk=invitation_pk)
    try:
        tenancy_services.invitation_revoke(invitation=invitation, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Invitation cancelled."))
    return redirect("members", tenant_slug=request.tenant.slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation; only POST accepts it (links get prefetched)."""
    invitation = Invitation.objects.select_related("tenant").filter(token_hash=Invitation.hash(token)).first()
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = tenancy_services.invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Welcome to the %(tenant)s workspace.") % {"tenant": membership.tenant.name})
            return redirect("dashboard", tenant_slug=membership.tenant.slug)
    return render(
        request,
        "orgs/invitation_accept.html",
        {
            "invitation": invitation if invitation and invitation.is_usable else None,
            "login_url": reverse("account_login") + "?next=" + request.path,
            "signup_url": reverse("account_signup") + "?next=" + request.path,
        },
        status=200 if invitation and invitation.is_usable else 404,
    )


@role_required(Role.MANAGER)
def audit_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.audit_list(tenant=request.tenant), 50).get_page(request.GET.get("page"))
    return render(request, "orgs/audit_log.html", {"page": page})


@role_required(Role.MANAGER)
def tenant_settings(request: HttpRequest) -> HttpResponse:
    form = TenantSettingsForm(instance=request.tenant)
    if request.method == "POST":
        form = TenantSettingsForm(request.POST, instance=Tenant.objects.get(pk=request.tenant.pk))
        if form.is_valid():
            try:
                tenancy_services.tenant_update_settings(
                    tenant=request.tenant, actor=request.user,
                    **{name: form.cleaned_data[name] for name in form.Meta.fields},
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Workspace settings saved."))
                return redirect("tenant_settings", tenant_slug=request.tenant.slug)
    return render(request, "orgs/tenant_settings.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(instance=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=User.objects.get(pk=request.user.pk))
        if form.is_valid():
            tenancy_services.user_update_profile(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your profile is saved."))
            return redirect("profile")
    return render(request, "orgs/profile.html", {"form": form})
