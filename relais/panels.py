"""The kernel's own navigation entries, dashboard panel and audit labels (imported from ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from relais import selectors
from relais.audit_describe import AuditTarget, register_audit_target, register_audit_values
from relais.audit_labels import register_audit_labels, register_audit_sentences
from relais.dashboard import dashboard_panel, nav_entry
from relais.models import Invitation, Membership, OutboundEmail, Role, Tenant, User

if TYPE_CHECKING:  # pragma: no cover - typing only
    from relais.http import TenantRequest

nav_entry(roles=Role.values, label=_("Dashboard"), url_name="relais:dashboard", order=0)
nav_entry(roles=[Role.MANAGER], label=_("Members"), url_name="relais:members", order=80)
nav_entry(roles=[Role.MANAGER], label=_("Outbox"), url_name="relais:outbox", order=88)
nav_entry(roles=[Role.MANAGER], label=_("Audit log"), url_name="relais:audit_log", order=90)
nav_entry(roles=[Role.MANAGER], label=_("Settings"), url_name="relais:tenant_settings", order=95)


@dashboard_panel(roles=[Role.MANAGER], template="relais/panels/team.html", order=80)
def team_panel(request: TenantRequest) -> dict[str, Any]:
    actor = request.actor
    counts: dict[str, int] = {}
    for membership in selectors.membership_list(actor=actor).filter(is_active=True):
        counts[membership.role] = counts.get(membership.role, 0) + 1
    return {
        "role_counts": [(Role(r).label, counts.get(r, 0)) for r in Role.values],
        "pending_invitations": selectors.invitation_list(actor=actor).count(),
        "recent_events": selectors.audit_list(actor=actor)[:5],
    }


register_audit_labels({
    "tenant.created": _("Workspace created"),
    "tenant.changed": _("Workspace changed"),
    "tenant.settings_changed": _("Workspace settings changed"),
    "membership.granted": _("Role granted"),
    "membership.role_changed": _("Role changed"),
    "membership.revoked": _("Access removed"),
    "membership.changed_in_admin": _("Membership changed in the admin"),
    "invitation.created": _("Invitation sent"),
    "invitation.revoked": _("Invitation cancelled"),
    "invitation.accepted": _("Invitation accepted"),
    "outbound_email.sent": _("E-mail sent"),
    "outbound_email.failed": _("E-mail not sent"),
    "outbound_email.resend": _("E-mail queued again"),
})

register_audit_labels({"audit_log.exported": _("Audit log exported")})

# How the audit log tells what happened to the kernel's own objects (relais.audit_describe).
register_audit_sentences({
    "tenant.created": _("%(actor)s created %(object)s"),
    "tenant.changed": _("%(actor)s changed %(object)s in the admin"),
    "tenant.settings_changed": _("%(actor)s changed the settings of %(object)s"),
    "membership.granted": _("%(actor)s granted a role to %(object)s"),
    "membership.role_changed": _("%(actor)s changed the role of %(object)s"),
    "membership.revoked": _("%(actor)s removed the access of %(object)s"),
    "membership.changed_in_admin": _("%(actor)s changed the membership of %(object)s in the admin"),
    "invitation.created": _("%(actor)s invited %(object)s"),
    "invitation.revoked": _("%(actor)s cancelled the invitation of %(object)s"),
    "invitation.accepted": _("%(actor)s accepted the invitation"),
    "audit_log.exported": _("%(actor)s exported the audit log"),
    "outbound_email.sent": _("%(actor)s sent %(object)s"),
    "outbound_email.failed": _("%(actor)s could not send %(object)s"),
    "outbound_email.resend": _("%(actor)s queued %(object)s again"),
})


def _display_name(full_name: str, email: str) -> str:
    """``User.display_name`` of a row read as values."""
    return full_name or email


register_audit_target(AuditTarget(
    "relais.tenant", _("the workspace %(name)s"), lambda tenant: Tenant.objects.filter(pk=tenant.pk),
    columns=("name",), name=lambda t: t["name"], page="relais:tenant_settings", currency="default_currency",
))
register_audit_target(AuditTarget(
    "relais.membership", "%(name)s",
    # A name and a link: not the person's password hash and account columns.
    lambda tenant: Membership.objects.filter(tenant=tenant), columns=("user__full_name", "user__email"),
    name=lambda m: _display_name(m["user__full_name"], m["user__email"]), page="relais:members",
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "relais.invitation", "%(name)s", lambda tenant: Invitation.objects.filter(tenant=tenant),
    columns=("email",), name=lambda i: i["email"], page="relais:members",
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "relais.outboundemail", _("the e-mail “%(name)s”"), lambda tenant: OutboundEmail.objects.filter(tenant=tenant),
    columns=("subject", "recipient"), name=lambda e: f"{e['subject']} → {e['recipient']}", page="relais:outbox",
    tenant_field="tenant",
))
# Users are global: a tenant names only the people who are or were its members.
register_audit_target(AuditTarget(
    "relais.user", "%(name)s", lambda tenant: User.objects.filter(memberships__tenant=tenant).distinct(),
    columns=("full_name", "email"), name=lambda u: _display_name(u["full_name"], u["email"]),
    search_fields=("email",),
))
register_audit_values(references={"reviewer": "relais.user"}, labels={
    "role": _("role"), "user": _("person"), "email": _("e-mail address"), "is_active": _("active"),
})
