"""Dashboard panels and navigation that grants contributes."""

from django.utils.translation import gettext_lazy as _

from relais.audit_labels import register_audit_labels
from relais.dashboard import dashboard_panel, nav_entry
from relais.models import Role

from . import selectors
from .models import ReviewStatus
from .selectors.finance import awards_of_applications
from .views.applications import next_step_for_applicant
from .workflow import APPLICATION, AWARD, CALL, DISBURSEMENT, REPORT, REVIEW

# Readable names for grants' audit actions, on timelines and in the audit log: every step of the
# state tables ("<machine>.<action>"), then the writes outside them.
for machine in (APPLICATION, CALL, AWARD, DISBURSEMENT, REPORT):
    register_audit_labels({f"{machine.name}.{t.action}": t.label for t in machine.transitions})
register_audit_labels({
    f"{REVIEW.name}.declare_no_conflict": _("No conflict of interest declared"),
    f"{REVIEW.name}.declare_conflict": _("Reviewer recused (conflict of interest)"),
    f"{REVIEW.name}.submit": _("Review submitted"),
})
register_audit_labels({
    "application.created": _("Application started"),
    "application.section_saved": _("Section saved"),
    "application.attachment_added": _("Document attached"),
    "application.attachment_downloaded": _("Document downloaded"),
    "call.created": _("Call created"),
    "call.updated": _("Call changed"),
    "call.ranking_exported": _("Ranking exported"),
    "call.envelope_changed": _("Envelope changed"),
    "budget_categories.updated": _("Budget categories changed"),
    "review.assigned": _("Reviewer assigned"),
    "review.draft_saved": _("Review draft saved"),
    "award.create": _("Award created"),
    "award.tranche_cancelled": _("Tranche cancelled"),
    "report.saved": _("Report saved"),
    "report.attachment_added": _("File attached to a report"),
    "report.attachment_deleted": _("File removed from a report"),
    "report.finance_comment": _("Finance comment on a report"),
    "disbursement.record": _("Payment recorded"),
    "agreement.generate": _("Agreement generated"),
    "agreement.accept": _("Agreement accepted electronically"),
    "agreement.upload_scan": _("Signed agreement uploaded"),
    "disbursement.stripe_sent": _("Stripe transfer created"),
    "disbursement.send_stalled": _("Stripe payment not sent (attempts used up)"),
    "disbursement.send_retried": _("Stripe payment sent again"),
    "grant_settings.stripe_changed": _("Stripe settings changed"),
    "disbursement.hub2_sent": _("Payment sent to HUB2"),
    "hub2.settings_changed": _("HUB2 settings changed"),
    "award.terms_saved": _("Award terms changed"),
    "grant_settings.saved": _("Grant settings changed"),
    "indicators.updated": _("Indicators changed"),
    "award.targets_changed": _("Indicator targets changed"),
})

nav_entry(roles=[Role.MANAGER, Role.APPLICANT, Role.REVIEWER, Role.FINANCE], label=_("Calls"),
          url_name="grants:call_list", order=20)
nav_entry(roles=[Role.MANAGER, Role.APPLICANT, Role.FINANCE], label=_("Applications"),
          url_name="grants:application_list", order=30)
nav_entry(roles=[Role.MANAGER, Role.APPLICANT, Role.FINANCE], label=_("Awards"), url_name="grants:award_list",
          order=35)
nav_entry(roles=[Role.MANAGER, Role.APPLICANT, Role.FINANCE], label=_("Reports"), url_name="grants:report_list",
          order=37)
nav_entry(roles=[Role.MANAGER, Role.REVIEWER], label=_("Reviews"), url_name="grants:review_list", order=40)
nav_entry(roles=[Role.MANAGER, Role.FINANCE], label=_("Mobile money (HUB2)"), url_name="grants:hub2_settings",
          order=90)


@dashboard_panel(roles=[Role.APPLICANT], template="grants/panels/applicant.html", order=20)
def applicant_panel(request):
    apps = list(selectors.application_list(actor=request.actor)[:10])
    awards = awards_of_applications(actor=request.actor, applications=[a for a in apps if a.status == "approved"])
    return {
        "applications": [(app, next_step_for_applicant(app, awards.get(app.pk))) for app in apps],
        "open_calls": selectors.call_list(actor=request.actor)[:5],
    }


@dashboard_panel(roles=[Role.REVIEWER], template="grants/panels/reviewer.html", order=20)
def reviewer_panel(request):
    reviews = selectors.review_list(actor=request.actor).exclude(
        status=ReviewStatus.RECUSED).order_by(*selectors.REVIEW_LIST_ORDER)[:15]  # the list's indexed order
    return {"reviews": [selectors.review_as_seen_by(review=review, actor=request.actor) for review in reviews]}


@dashboard_panel(roles=[Role.MANAGER], template="grants/panels/manager.html", order=20)
def manager_panel(request):
    return {"pipeline": selectors.pipeline(actor=request.actor)}


from . import panels_finance  # noqa: E402, F401  (the award and money panels)

nav_entry(roles=[Role.MANAGER, Role.FINANCE], label=_("Finance"), url_name="grants:finance", order=36)
register_audit_labels({"award.exported": _("Awards exported")})
