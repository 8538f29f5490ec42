"""E-mails about progress reports, through the kernel's outbox: the managers hear that a report was
submitted; the grantee (its active members and the contact people who accepted e-mails) hears that
changes were requested (with the manager's general message) or that the report was approved.

The safety section never goes into an e-mail, nor any comment on it: the messages point to the report's
page, where only those who may read it see it."""

from __future__ import annotations

from django.urls import reverse

from relais.actor import Actor
from relais.links import absolute_url
from relais.models import OutboundEmail
from relais.outbox import manager_recipients, organisation_recipients
from relais.services.outbox import email_enqueue

from ..models import ProgressReport, ReportStatus

REPORT_EMAIL_KINDS = ("submitted", "changes_requested", "approved")
# The step that each e-mail follows.
EMAIL_ON_REPORT: dict[str, str] = {ReportStatus.SUBMITTED: "submitted",
                                   ReportStatus.CHANGES_REQUESTED: "changes_requested",
                                   ReportStatus.APPROVED: "approved"}


def report_email(*, report: ProgressReport, kind: str, actor: Actor) -> list[OutboundEmail]:
    """Queue the e-mail of ``kind`` (one of REPORT_EMAIL_KINDS) inside the step's transaction."""
    if kind not in REPORT_EMAIL_KINDS:
        raise ValueError(kind)
    award = report.award
    if kind == "submitted":
        recipients = manager_recipients(tenant=actor.tenant)
        path = reverse("grants:report_detail", kwargs={"tenant_slug": actor.tenant.slug,
                                                       "progressreport_pk": report.pk})
    else:
        recipients = organisation_recipients(tenant=actor.tenant, organisation_id=award.organisation_id)
        name = "grants:report_edit" if kind == "changes_requested" else "grants:report_detail"
        path = reverse(name, kwargs={"tenant_slug": actor.tenant.slug, "progressreport_pk": report.pk})
    # Only what may travel: the report's number, the award, and the manager's general message.
    message = (report.review_comments or {}).get("general", "") if kind == "changes_requested" else ""
    return email_enqueue(
        actor=actor, kind=f"report_{kind}", target=report, recipients=recipients,
        template=f"grants/email/report_{kind}", link=path,
        context={"report_number": report.number, "kind_label": report.get_kind_display(),
                 "award_reference": award.reference, "award_title": award.title,
                 "organisation": award.organisation.name, "message": message, "url": absolute_url(path)},
    )
