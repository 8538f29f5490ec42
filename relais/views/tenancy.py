"""Workspace pages: landing, picker, dashboard, members, invitations, audit log, settings, profile."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from relais import selectors
from relais.audit_describe import describe_events, events_html, export_header, export_rows
from relais.concurrency import Stale, Stamp, save_versioned
from relais.confirm import Confirmation, confirmation_response
from relais.dashboard import panels_for
from relais.errors import Refused, refused_message
from relais.exports import csv_streaming_response
from relais.forms import AuditFilterForm, InvitationForm, MembershipRoleForm, ProfileForm, TenantSettingsForm
from relais.http import TenantRequest
from relais.links import absolute_url
from relais.models import EmailStatus, Role, User
from relais.pagination import page_of
from relais.permissions import can_change_membership, can_revoke_membership, role_required
from relais.services import outbox as outbox_services
from relais.services import tenancy as services
from relais.tables import member_rows_html


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


MEMBERS_PER_PAGE = 25


def _members_page(request: TenantRequest, form: InvitationForm) -> HttpResponse:
    """One page of members (searchable by name or e-mail) with a link to each one's edit page:
    no per-row form, so the page weighs the same with 20 or 2,000 organisations."""
    actor = request.actor
    # A pending invitation's link, rebuilt (never stored) for a manager to copy when the e-mail does not
    # arrive. `link_token()` only reads: an invitation whose link cannot be rebuilt shows none.
    invitations = []
    for invitation in selectors.invitation_list(actor=actor):
        token = invitation.link_token() if invitation.is_usable else None
        link = absolute_url(reverse("invitation_accept", kwargs={"token": token})) if token else ""
        invitations.append((invitation, link))
    search = request.GET.get("q", "").strip()[:100]
    # The columns the rows show, not the users' password hashes or the CSOs' descriptions (issue 10).
    memberships = selectors.membership_list(actor=actor, search=search).only(*selectors.MEMBER_ROW_FIELDS)
    page = page_of(memberships, request.GET.get("page"), MEMBERS_PER_PAGE)
    rows = [(membership, can_change_membership(actor, membership)) for membership in page]
    return render(request, "relais/members.html", {
        "form": form, "rows": rows, "page": page, "search": search,
        "rows_html": member_rows_html(rows, tenant_slug=actor.tenant.slug),
        "invitations": invitations,
    })


@never_cache  # the page carries invitation links: no copy in a shared cache or the browser's
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


@role_required(Role.MANAGER)
def membership_change_role(request: TenantRequest, membership_pk: int) -> HttpResponse:
    """The edit page of one membership: its role and, for an applicant, the organisation, named by
    acronym or legal name (validated against this workspace's CSOs)."""
    actor = request.actor
    membership = selectors.access_membership(actor=actor, pk=membership_pk)
    decision = can_change_membership(actor, membership)
    initial = {"role": membership.role,
               "organisation": selectors.organisation_label(membership.organisation) if membership.organisation else ""}
    form = MembershipRoleForm(request.POST or None, initial=initial,
                              organisations=selectors.organisation_choices(actor=actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(actor=actor, membership=membership, **form.cleaned_data)
        except Refused as exc:
            if exc.forbidden:
                refused_message(request, exc)
                return redirect("relais:members", tenant_slug=actor.tenant.slug)
            form.add_error(None, exc)
        else:
            messages.success(request, _("Role updated for %(user)s.") % {"user": membership.user.display_name})
            return redirect("relais:members", tenant_slug=actor.tenant.slug)
    return render(request, "relais/membership_edit.html",
                  {"membership": membership, "form": form, "decision": decision})


@role_required(Role.MANAGER)
def membership_revoke(request: TenantRequest, membership_pk: int) -> HttpResponse:
    """GET (or a POST without confirmation): the confirmation page; the confirmed POST removes the access."""
    actor = request.actor
    membership = selectors.access_membership(actor=actor, pk=membership_pk)
    members_url = reverse("relais:members", kwargs={"tenant_slug": actor.tenant.slug})
    decision = can_revoke_membership(actor, membership)
    if not decision or not membership.is_active:
        if decision:
            messages.info(request, _("%(user)s no longer has access.") % {"user": membership.user.display_name})
        else:
            messages.error(request, decision.reason)
        return redirect(members_url)
    page = confirmation_response(request, Confirmation(
        title=_("Remove this person's access?"), cancel_url=members_url, final=False,
        subject=f"{membership.user.display_name} — {membership.get_role_display()}",
        consequence=_("They will no longer be able to open this workspace. Their past work stays in the audit "
                      "trail. To give access again, send a new invitation."),
        button=_("Remove access")))
    if page is not None:
        return page
    try:
        services.membership_revoke(actor=actor, membership=membership)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Access removed for %(user)s.") % {"user": membership.user.display_name})
    return redirect(members_url)


@role_required(Role.MANAGER)
def invitation_revoke(request: TenantRequest, invitation_pk: int) -> HttpResponse:
    """GET (or a POST without confirmation): the confirmation page; the confirmed POST cancels the invitation."""
    actor = request.actor
    invitation = selectors.access_invitation(actor=actor, pk=invitation_pk)
    members_url = reverse("relais:members", kwargs={"tenant_slug": actor.tenant.slug})
    if invitation.accepted_at or invitation.revoked_at:
        messages.info(request, _("This invitation is no longer pending."))
        return redirect(members_url)
    page = confirmation_response(request, Confirmation(
        title=_("Cancel this invitation?"), cancel_url=members_url,
        subject=f"{invitation.email} — {invitation.get_role_display()}",
        consequence=_("The link sent by e-mail will stop working. To invite this person later, send a new "
                      "invitation."),
        button=_("Cancel the invitation")))
    if page is not None:
        return page
    try:
        services.invitation_revoke(actor=actor, invitation=invitation)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Invitation cancelled."))
    return redirect(members_url)


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
        filters = _audit_filters(form)
        # Unfiltered (the log as first opened): the trail read as values with one written statement.
        events: Any = selectors.audit_search(actor=request.actor, **filters) if any(filters.values()) \
            else selectors.audit_recent(actor=request.actor)
        page = page_of(events, request.GET.get("page"), 50)
        # Names and links of the page's objects: one statement for their types, not one query per event.
        rows = describe_events(page.object_list, tenant=request.actor.tenant)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "relais/audit_log.html",
                  {"form": form, "page": page, "rows": rows, "rows_html": events_html(rows),
                   "query": query.urlencode()}, status=status)


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
def outbox(request: TenantRequest) -> HttpResponse:
    """Every e-mail of the workspace, newest first: who, what, whether it left (and why not)."""
    status = request.GET.get("status", "")
    query = request.GET.get("q", "")[:100]
    page = page_of(selectors.outbox_list(actor=request.actor, status=status, query=query), request.GET.get("page"), 50)
    return render(request, "relais/outbox.html", {
        "page": page, "status": status if status in EmailStatus.values else "", "q": query.strip(),
        "statuses": EmailStatus.choices,
    })


@require_POST
@role_required(Role.MANAGER)
def outbound_email_resend(request: TenantRequest, outboundemail_pk: int) -> HttpResponse:
    actor = request.actor
    email = selectors.access_outbound_email(actor=actor, pk=outboundemail_pk)
    try:
        outbox_services.outbox_resend(actor=actor, email=email)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("The e-mail to %(email)s is queued again.") % {"email": email.recipient})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith(
            reverse("relais:outbox", kwargs={"tenant_slug": actor.tenant.slug})):
        return redirect(back)
    return redirect("relais:outbox", tenant_slug=actor.tenant.slug)


@role_required(Role.MANAGER)
def tenant_settings(request: TenantRequest) -> HttpResponse:
    actor = request.actor

    def current() -> tuple[int, list[TenantSettingsForm]]:
        tenant = selectors.workspace_for_settings(actor=actor)
        return tenant.version, [TenantSettingsForm(instance=tenant)]

    version, (form,) = current()
    stamp, stale = Stamp.of(version, [form]), None
    if request.method == "POST":
        stamp = Stamp.posted(request.POST)
        form = TenantSettingsForm(request.POST, instance=selectors.workspace_for_settings(actor=actor))
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                               save=lambda expected: services.tenant_update_settings(
                                   actor=actor, expected_version=expected, **values))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                form = TenantSettingsForm(exc.data, instance=selectors.workspace_for_settings(actor=actor))
            except Refused as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Workspace settings saved."))
                return redirect("relais:tenant_settings", tenant_slug=actor.tenant.slug)
    return render(request, "relais/tenant_settings.html", {"form": form, "stamp": stamp, "stale": stale},
                  status=409 if stale else 200)


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
