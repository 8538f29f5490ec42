"""Dashboard panels and navigation for due diligence and sanctions screening."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.audit_labels import register_audit_labels
from relais.dashboard import dashboard_panel, nav_entry

from . import selectors_due_diligence as dd
from .models import Role

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
