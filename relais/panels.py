"""The kernel's own navigation entries, dashboard panel and audit labels (imported from ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from relais import selectors
from relais.audit_labels import register_audit_labels
from relais.dashboard import dashboard_panel, nav_entry
from relais.models import Role

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
