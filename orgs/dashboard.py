"""Dashboard panels and navigation of the CSO registry, due diligence and screening."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.selectors import due_diligence as dd
from orgs.selectors import organisations as selectors
from relais.audit_labels import register_audit_labels
from relais.dashboard import dashboard_panel, nav_entry
from relais.models import Role

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
    "organisation.created": _("Organisation registered"),
    "organisation.updated": _("Profile updated"),
    "organisation.status_changed": _("Status changed"),
    "organisation.verify": _("Organisation verified"),
    "organisation.suspend": _("Organisation suspended"),
    "organisation.reinstate": _("Organisation reinstated"),
    "organisation.suspend_sanctions_match": _("Organisation suspended after a confirmed sanctions match"),
    "organisation.exported": _("Organisations exported"),
    "organisation.imported": _("Organisation imported"),
    "contact.created": _("Contact person added"),
    "contact.deleted": _("Contact person removed"),
    "payment_details.changed": _("Payment details changed"),
    "payment_details.verified": _("Payment details verified"),
    "region.created": _("Region added"),
    "commune.created": _("Commune added"),
    "focus_area.created": _("Focus area added"),
    "join_request.created": _("Request to join"),
    "join_request.approved": _("Request to join approved"),
    "join_request.declined": _("Request to join declined"),
    "contact.updated": _("Contact person changed"),
    "region.updated": _("Region renamed"),
    "commune.updated": _("Commune changed"),
    "focus_area.updated": _("Focus area changed"),
    "organisation.suspended": _("Organisation suspended"),
    "organisation_document.uploaded": _("Document uploaded"),
    "organisation_document.downloaded": _("Document downloaded"),
    "organisation_document.accepted": _("Document accepted"),
    "organisation_document.rejected": _("Document rejected"),
    "due_diligence.checklist_seeded": _("Default checklist created"),
    "due_diligence_item.created": _("Checklist item added"),
    "due_diligence_item.updated": _("Checklist item changed"),
    "sanctions_list.imported": _("Sanctions list imported"),
    "screening.ran": _("Sanctions screening run"),
    "screening.decided": _("Screening decision"),
})
# --- Organisation registry (issue 3) ---------------------------------------
STAFF = [Role.MANAGER, Role.REVIEWER, Role.FINANCE, Role.TRAINER]
nav_entry(roles=STAFF, label=_("Organisations"), url_name="organisation_list", order=20)
nav_entry(roles=[Role.APPLICANT], label=_("My organisation"), url_name="my_organisation", order=20)
nav_entry(roles=[Role.MANAGER], label=_("Geography and focus areas"), url_name="geography", order=70)
nav_entry(roles=[Role.MANAGER, Role.APPLICANT], label=_("Join requests"), url_name="join_requests", order=75)


@dashboard_panel(roles=[Role.MANAGER, Role.APPLICANT], template="orgs/panels/join_requests.html", order=15)
def join_requests_panel(request):
    pending = selectors.join_request_list(tenant=request.tenant, membership=request.membership).count()
    return {"pending": pending} if pending else None


@dashboard_panel(roles=[Role.MANAGER], template="orgs/panels/registry.html", order=20)
def registry_panel(request):
    from django.db.models import Count

    from orgs.models import Organisation

    counts = dict(
        Organisation.objects.filter(tenant=request.tenant).values_list("status").annotate(n=Count("pk"))
    )
    return {"counts": counts, "total": sum(counts.values())}


nav_entry(roles=[Role.MANAGER, Role.FINANCE], label=_("Due diligence"), url_name="due_diligence_overview", order=40)
nav_entry(roles=[Role.MANAGER], label=_("Sanctions lists"), url_name="sanctions_lists", order=45)

register_audit_labels({"screening.stale": _("Names changed since screening")})


@dashboard_panel(roles=[Role.APPLICANT], template="orgs/panels/due_diligence_mine.html", order=20)
def my_due_diligence_panel(request):
    organisation = request.membership.organisation
    if organisation is None:
        return None
    today = timezone.localdate()
    rows, status = dd.due_diligence_overview(organisation=organisation, today=today)
    return {
        "organisation": organisation,
        "dd_status": status,
        "to_do": [r for r in rows if r.state in ("missing", "rejected", "expired", "expiring")],
    }


@dashboard_panel(roles=[Role.MANAGER], template="orgs/panels/due_diligence_queue.html", order=30)
def due_diligence_queue_panel(request):
    to_screen_again = dd.organisations_to_screen_again(tenant=request.tenant, now=timezone.now())
    return {
        "documents": list(dd.documents_awaiting_review(tenant=request.tenant)[:8]),
        "screenings": list(dd.screenings_awaiting_decision(tenant=request.tenant)[:8]),
        "to_screen_again": to_screen_again[:8],
        "to_screen_again_count": len(to_screen_again),
    }
