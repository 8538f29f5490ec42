"""How the audit log tells what happened to calls, applications and reviews (relais.audit_describe).

Imported from GrantsConfig.ready(). Sentences are in the past tense with the object's article in
its noun ("the application %(name)s" → "la demande %(name)s"); state names come from the tables.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from relais.audit_describe import AuditTarget, register_audit_target, register_audit_values
from relais.audit_labels import register_audit_sentences

from .models import Application, ApplicationAttachment, Award, Call, Disbursement, GrantSettings, ProgressReport, Review
from .models.calls import localised


def _application_name(row: dict[str, Any], prefix: str = "") -> str:
    """An application's reference, or its organisation's short name for a draft (``Application``
    read as values; ``prefix`` "application__" when read from a row pointing to it)."""
    return row[f"{prefix}reference"] or _("%(organisation)s (draft)") % {
        "organisation": row[f"{prefix}organisation__acronym"] or row[f"{prefix}organisation__name"]}


# Only what names need (an application row carries long texts a page of 50 events never reads); the
# links are the workspace's with the pk, written once per page (``link``).
NAMING_FIELDS = ("reference", "organisation__name", "organisation__acronym")
APPLICATION_LINK = ("grants:application_detail", "application_pk", "pk")


register_audit_target(AuditTarget(
    "grants.application", gettext_lazy("the application %(name)s"),
    lambda tenant: Application.objects.filter(tenant=tenant), columns=NAMING_FIELDS,
    name=_application_name, link=APPLICATION_LINK, currency="call__currency", search_fields=("reference",),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "grants.call", gettext_lazy("the call “%(name)s”"), lambda tenant: Call.objects.filter(tenant=tenant),
    columns=("title_fr", "title_en"), name=lambda call: localised(call["title_fr"], call["title_en"]),
    link=("grants:call_detail", "call_pk", "pk"), currency="currency", search_fields=("title_fr", "title_en"),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "grants.review", gettext_lazy("the review of %(name)s"), lambda tenant: Review.objects.filter(tenant=tenant),
    columns=tuple(f"application__{name}" for name in NAMING_FIELDS),
    name=partial(_application_name, prefix="application__"), link=(*APPLICATION_LINK[:2], "application_id"),
    tenant_field="tenant",
))
register_audit_values(
    money=("awarded_amount", "requested_amount", "envelope"),
    references={"call": "grants.call", "application": "grants.application"},
    labels={"coi": gettext_lazy("conflict of interest"), "section": gettext_lazy("section"),
            "rows": gettext_lazy("rows"), "blind": gettext_lazy("blind review"),
            "format": gettext_lazy("format"), "count": gettext_lazy("number"),
            "document": gettext_lazy("document"), "type": gettext_lazy("type")},
)

register_audit_target(AuditTarget(
    "grants.applicationattachment", gettext_lazy("the document “%(name)s”"),
    lambda tenant: ApplicationAttachment.objects.filter(tenant=tenant), columns=("original_name",),
    name=lambda attachment: attachment["original_name"], link=(*APPLICATION_LINK[:2], "application_id"),
    tenant_field="tenant",
))

register_audit_sentences({
    "application.attachment_downloaded": gettext_lazy("%(actor)s downloaded %(object)s"),
    "call.envelope_changed": gettext_lazy("%(actor)s changed the envelope of %(object)s"),
    "application.submit": gettext_lazy("%(actor)s submitted %(object)s"),
    "application.resubmit": gettext_lazy("%(actor)s resubmitted %(object)s"),
    "application.screening_start": gettext_lazy("%(actor)s started the screening of %(object)s"),
    "application.changes_request": gettext_lazy("%(actor)s requested changes to %(object)s"),
    "application.mark_eligible": gettext_lazy("%(actor)s found %(object)s eligible"),
    "application.mark_ineligible": gettext_lazy("%(actor)s found %(object)s ineligible"),
    "application.reviews_complete": gettext_lazy("%(actor)s closed the review of %(object)s"),
    "application.review_reopen": gettext_lazy("%(actor)s reopened the review of %(object)s"),
    "application.approve": gettext_lazy("%(actor)s approved %(object)s"),
    "application.reject": gettext_lazy("%(actor)s rejected %(object)s"),
    "application.withdraw": gettext_lazy("%(actor)s withdrew %(object)s"),
    "application.created": gettext_lazy("%(actor)s started %(object)s"),
    "application.section_saved": gettext_lazy("%(actor)s saved a section of %(object)s"),
    "application.attachment_added": gettext_lazy("%(actor)s attached a document to %(object)s"),
    "call.open": gettext_lazy("%(actor)s opened %(object)s"),
    "call.close": gettext_lazy("%(actor)s closed %(object)s"),
    "call.decide": gettext_lazy("%(actor)s marked %(object)s as decided"),
    "call.archive": gettext_lazy("%(actor)s archived %(object)s"),
    "call.created": gettext_lazy("%(actor)s created %(object)s"),
    "call.updated": gettext_lazy("%(actor)s changed %(object)s"),
    "call.ranking_exported": gettext_lazy("%(actor)s exported the ranking of %(object)s"),
    "budget_categories.updated": gettext_lazy("%(actor)s changed the budget categories"),
    "review.assigned": gettext_lazy("%(actor)s assigned %(object)s"),
    "review.draft_saved": gettext_lazy("%(actor)s saved a draft of %(object)s"),
    "review.declare_no_conflict": gettext_lazy("%(actor)s declared no conflict of interest for %(object)s"),
    "review.declare_conflict": gettext_lazy("%(actor)s declared a conflict of interest for %(object)s"),
    # "déposer" a demand, "soumettre" an evaluation: the same English verb needs its context.
    "review.submit": pgettext_lazy("review", "%(actor)s submitted %(object)s"),
})


# --- awards and payments -----------------------------------------------------------------

AWARD_LINK = ("grants:award_detail", "award_pk", "pk")

register_audit_target(AuditTarget(
    "grants.award", gettext_lazy("the award %(name)s"), lambda tenant: Award.objects.filter(tenant=tenant),
    columns=("reference",), name=lambda award: award["reference"], link=AWARD_LINK, currency="currency",
    search_fields=("reference",),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "grants.disbursement", gettext_lazy("the payment of tranche %(name)s"),
    lambda tenant: Disbursement.objects.filter(tenant=tenant), columns=("tranche__number", "award__reference"),
    name=lambda payment: f"{payment['tranche__number']} ({payment['award__reference']})",
    link=(*AWARD_LINK[:2], "award_id"), currency="currency",
    tenant_field="tenant",
))
register_audit_values(
    money=("amount", "paid_amount"),
    references={"award": "grants.award"},
    labels={"tranche": gettext_lazy("tranche"), "tranches": gettext_lazy("tranches"),
            "rail": gettext_lazy("payment method"), "rate": gettext_lazy("exchange rate"),
            "paid_currency": gettext_lazy("currency paid"), "event": gettext_lazy("provider event")},
)
register_audit_sentences({
    "award.create": gettext_lazy("%(actor)s created %(object)s"),
    "award.tranche_cancelled": gettext_lazy("%(actor)s cancelled a tranche of %(object)s"),
    "award.issue": gettext_lazy("%(actor)s issued the agreement of %(object)s"),
    "award.reopen": gettext_lazy("%(actor)s withdrew the agreement of %(object)s to change its terms"),
    "award.sign": gettext_lazy("%(actor)s signed the agreement of %(object)s"),
    "award.countersign": gettext_lazy("%(actor)s countersigned the agreement of %(object)s"),
    "award.close": gettext_lazy("%(actor)s closed %(object)s"),
    "award.terminate": gettext_lazy("%(actor)s terminated %(object)s"),
    "disbursement.record": gettext_lazy("%(actor)s recorded %(object)s"),
    "disbursement.approve": gettext_lazy("%(actor)s approved %(object)s"),
    "disbursement.approve_send": gettext_lazy("%(actor)s approved and sent %(object)s"),
    "disbursement.refuse": gettext_lazy("%(actor)s refused %(object)s"),
    "disbursement.confirm": gettext_lazy("%(actor)s confirmed %(object)s"),
    "disbursement.fail": gettext_lazy("%(actor)s marked %(object)s as failed"),
    "disbursement.reverse": gettext_lazy("%(actor)s reversed %(object)s"),
    "agreement.generate": gettext_lazy("%(actor)s generated a version of the agreement of %(object)s"),
    "agreement.accept": gettext_lazy("%(actor)s accepted the agreement of %(object)s electronically"),
    "agreement.upload_scan": gettext_lazy("%(actor)s uploaded the signed agreement of %(object)s"),
    "disbursement.stripe_sent": gettext_lazy("%(actor)s created the Stripe transfer of %(object)s"),
    "disbursement.send_stalled": gettext_lazy("%(actor)s could not send %(object)s to Stripe and stopped trying"),
    "disbursement.send_retried": gettext_lazy("%(actor)s sent %(object)s to Stripe again"),
    "disbursement.mark_not_sent": gettext_lazy("%(actor)s marked %(object)s as failed (never sent)"),
    "grant_settings.stripe_changed": gettext_lazy("%(actor)s changed the Stripe settings"),
    "disbursement.hub2_sent": gettext_lazy("%(actor)s sent %(object)s to HUB2"),
    "hub2.settings_changed": gettext_lazy("%(actor)s changed the HUB2 settings"),
})
register_audit_values(labels={
    "hub2_transfer": gettext_lazy("HUB2 transfer"), "hub2_status": gettext_lazy("HUB2 status"),
    "hub2_enabled": gettext_lazy("HUB2 switched on"), "hub2_environment": gettext_lazy("HUB2 environment"),
    "hub2_merchant_id": gettext_lazy("HUB2 merchant ID"), "hub2_secrets_changed": gettext_lazy("HUB2 secrets changed"),
})
register_audit_values(labels={
    "transfer": gettext_lazy("Stripe transfer"), "stripe_enabled": gettext_lazy("Stripe transfers enabled"),
    "stripe_own_secret_key": gettext_lazy("workspace's own Stripe secret key"),
    "stripe_own_webhook_secret": gettext_lazy("workspace's own webhook signing secret"),
    "stripe_keys_replaced": gettext_lazy("Stripe keys replaced"),
    "attempts": gettext_lazy("attempts"), "stalled": gettext_lazy("stopped trying"),
})


# --- progress reports ------------------------------------------------------------------------

register_audit_target(AuditTarget(
    "grants.progressreport", gettext_lazy("progress report %(name)s"),
    lambda tenant: ProgressReport.objects.filter(tenant=tenant), columns=("number", "award__reference"),
    name=lambda report: f"{report['number']} ({report['award__reference']})",
    link=("grants:report_detail", "progressreport_pk", "pk"),
    tenant_field="tenant",
))
register_audit_values(labels={"sections": gettext_lazy("sections"), "version": gettext_lazy("version")})
register_audit_sentences({
    "report.saved": gettext_lazy("%(actor)s saved %(object)s"),
    "report.submit": gettext_lazy("%(actor)s submitted %(object)s"),
    "report.resubmit": gettext_lazy("%(actor)s resubmitted %(object)s"),
    "report.approve": gettext_lazy("%(actor)s approved %(object)s"),
    "report.request_changes": gettext_lazy("%(actor)s requested changes to %(object)s"),
    "report.attachment_added": gettext_lazy("%(actor)s attached a file to %(object)s"),
    "report.attachment_deleted": gettext_lazy("%(actor)s removed a file from %(object)s"),
    "report.finance_comment": gettext_lazy("%(actor)s commented on the finances of %(object)s"),
    "indicators.updated": gettext_lazy("%(actor)s changed the indicators"),
    "award.targets_changed": gettext_lazy("%(actor)s changed the indicator targets of %(object)s"),
})
register_audit_values(labels={"version": gettext_lazy("version"), "sha256": gettext_lazy("SHA-256 fingerprint"),
                              "method": gettext_lazy("method"), "full_name": gettext_lazy("full name"),
                              "language": gettext_lazy("language")})
register_audit_sentences({
    "award.exported": gettext_lazy("%(actor)s exported the list of awards and their payments"),
})


# --- award terms and the workspace's grant settings -------------------------------------------

register_audit_target(AuditTarget(
    "grants.grantsettings", gettext_lazy("the grant settings"),
    lambda tenant: GrantSettings.objects.filter(tenant=tenant),
    name=lambda settings: "", page="grants:grant_settings", action_prefixes=("grant_settings",),
    tenant_field="tenant",
))
register_audit_values(labels={
    "due_dates": gettext_lazy("planned dates"), "budget": gettext_lazy("budget lines"),
    "tranche_plan": gettext_lazy("default tranche plan (%)"),
    "approval_thresholds": gettext_lazy("second approval above"),
    "clauses_fr": gettext_lazy("agreement clauses (French)"), "clauses_en": gettext_lazy("agreement clauses (English)"),
})
register_audit_sentences({
    "award.terms_saved": gettext_lazy("%(actor)s changed the terms of %(object)s"),
    "grant_settings.saved": gettext_lazy("%(actor)s changed %(object)s"),
})
