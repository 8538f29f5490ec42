"""Dashboard panels and navigation that orgs contributes."""

from django.utils.translation import gettext_lazy as _

from relais.audit_labels import register_audit_labels
from relais.dashboard import dashboard_panel, nav_entry

from . import selectors
from .models import Role

ALL_ROLES = Role.values

nav_entry(roles=ALL_ROLES, label=_("Dashboard"), url_name="dashboard", order=0)
nav_entry(roles=[Role.MANAGER], label=_("Members"), url_name="members", order=80)
nav_entry(roles=[Role.MANAGER], label=_("Audit log"), url_name="audit_log", order=90)
nav_entry(roles=[Role.MANAGER], label=_("Settings"), url_name="tenant_settings", order=95)


@dashboard_panel(roles=[Role.MANAGER], template="orgs/panels/team.html", order=80)
def team_panel(request):
    memberships = selectors.membership_list(tenant=request.tenant).filter(is_active=True)
    counts: dict[str, int] = {}
    for m in memberships:
        counts[m.role] = counts.get(m.role, 0) + 1
    return {
        "role_counts": [(Role(r).label, counts.get(r, 0)) for r in Role.values],
        "pending_invitations": selectors.invitation_list(tenant=request.tenant).count(),
        "recent_events": selectors.audit_list(tenant=request.tenant)[:5],
    }


@dashboard_panel(roles=[Role.APPLICANT], template="orgs/panels/my_organisation.html", order=10)
def my_organisation_panel(request):
    return {"organisation": request.membership.organisation}


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
})
