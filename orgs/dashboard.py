"""Dashboard panels and navigation of the CSO registry, due diligence and screening."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.selectors import due_diligence as dd
from orgs.selectors import organisations as selectors
from relais.audit_labels import register_audit_labels
from relais.dashboard import dashboard_panel, nav_entry
from relais.models import Role

register_audit_labels({
    "organisation.created": _("Organisation registered"),
    "organisation.updated": _("Profile updated"),
    "organisation.verify": _("Organisation verified"),
    "organisation.suspend": _("Organisation suspended"),
    "organisation.reinstate": _("Organisation reinstated"),
    "organisation.suspend_sanctions_match": _("Organisation suspended after a confirmed sanctions match"),
    "organisation.exported": _("Organisations exported"),
    "organisation.imported": _("Organisation imported"),
    "contact.created": _("Contact person added"),
    "contact.deleted": _("Contact person removed"),
    "payment_details.changed": _("Payment details changed"),
    "payment_details.verify": _("Payment details verified"),
    "payment_details.change": _("Payment details to be verified again"),
    "region.created": _("Region added"),
    "commune.created": _("Commune added"),
    "focus_area.created": _("Focus area added"),
    "join_request.created": _("Request to join"),
    "join_request.approve": _("Request to join approved"),
    "join_request.decline": _("Request to join declined"),
    "contact.updated": _("Contact person changed"),
    "region.updated": _("Region renamed"),
    "commune.updated": _("Commune changed"),
    "focus_area.updated": _("Focus area changed"),
    "organisation_document.uploaded": _("Document uploaded"),
    "organisation_document.downloaded": _("Document downloaded"),
    "due_diligence.checklist_seeded": _("Default checklist created"),
    "due_diligence_item.created": _("Checklist item added"),
    "due_diligence_item.updated": _("Checklist item changed"),
    "sanctions_list.imported": _("Sanctions list imported"),
    "screening.ran": _("Sanctions screening run"),
})
# --- Organisation registry (issue 3) ---------------------------------------
STAFF = [Role.MANAGER, Role.REVIEWER, Role.FINANCE, Role.TRAINER]
nav_entry(roles=STAFF, label=_("Organisations"), url_name="orgs:organisation_list", order=20)
nav_entry(roles=[Role.APPLICANT], label=_("My organisation"), url_name="orgs:my_organisation", order=20)
nav_entry(roles=[Role.MANAGER], label=_("Geography and focus areas"), url_name="orgs:geography", order=70)
nav_entry(roles=[Role.MANAGER, Role.APPLICANT], label=_("Join requests"), url_name="orgs:join_requests", order=75)


@dashboard_panel(roles=[Role.APPLICANT], template="orgs/panels/my_organisation.html", order=10)
def my_organisation_panel(request):
    return {"organisation": request.actor.membership.organisation}


@dashboard_panel(roles=[Role.MANAGER, Role.APPLICANT], template="orgs/panels/join_requests.html", order=15)
def join_requests_panel(request):
    pending = selectors.join_request_list(actor=request.actor).count()
    return {"pending": pending} if pending else None


@dashboard_panel(roles=[Role.MANAGER], template="orgs/panels/registry.html", order=20)
def registry_panel(request):
    counts = selectors.organisation_status_counts(actor=request.actor)
    return {"counts": counts, "total": sum(counts.values())}


nav_entry(roles=[Role.MANAGER, Role.FINANCE], label=_("Due diligence"), url_name="orgs:due_diligence_overview",
          order=40)
nav_entry(roles=[Role.MANAGER], label=_("Sanctions lists"), url_name="orgs:sanctions_lists", order=45)

register_audit_labels({
    "screening.stale": _("Names changed since screening"),
    # The document and screening tables (orgs.workflow): "<machine>.<action>".
    "organisation_document.accept": _("Document accepted"),
    "organisation_document.reject": _("Document rejected"),
    "screening.clear": _("Screening cleared"),
    "screening.false_positive": _("Screening: false positive"),
    "screening.confirm": _("Sanctions match confirmed"),
})


@dashboard_panel(roles=[Role.APPLICANT], template="orgs/panels/due_diligence_mine.html", order=20)
def my_due_diligence_panel(request):
    organisation = request.actor.membership.organisation
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
    actor = request.actor
    to_screen_again = dd.organisations_to_screen_again(actor=actor, now=timezone.now())
    return {
        "documents": list(dd.documents_awaiting_review(actor=actor)[:8]),
        "screenings": list(dd.screenings_awaiting_decision(actor=actor)[:8]),
        "to_screen_again": to_screen_again[:8],
        "to_screen_again_count": len(to_screen_again),
    }
