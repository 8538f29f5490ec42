"""Around a progress report's review: the grantee's attachments (photos, receipts, attendance lists) and
finance's comment on the financial part. Submission, approval and requests for changes are in
grants.services.reports (the report table)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.conflicts import conflict_of_interest
from relais.errors import Refused, refused
from relais.models import Role
from relais.permissions import ALLOW, Decision, deny
from relais.uploads import validate_upload

from ..models import ProgressReport, ReportAttachment, ReportStatus
from ..permissions import can_edit_report
from .common import same_tenant

FINANCE_COMMENT_MAX = 5000


def _lock_editable(report: ProgressReport, actor: Actor) -> ProgressReport:
    decision = can_edit_report(actor, report)
    if not decision:
        raise Refused(decision.reason, forbidden=True)
    locked = (ProgressReport.objects.select_for_update(of=("self",)).select_related("award")
              .get(pk=report.pk, tenant=actor.tenant))
    if not locked.is_editable:
        raise Refused(_("This report was submitted: it can no longer be changed."))
    return locked


def report_attachment_add(*, report: ProgressReport, actor: Actor, upload) -> ReportAttachment:
    """Attach a file to a report while the grantee may still change it; its content is checked first
    (relais.uploads: PDF, images, Word, Excel; no programs or web pages)."""
    same_tenant(actor, report)
    try:
        content_type = validate_upload(upload).content_type
    except ValidationError as exc:
        raise refused(exc) from exc
    with transaction.atomic():
        locked = _lock_editable(report, actor)
        attachment = ReportAttachment(tenant_id=locked.tenant_id, report=locked, original_name=upload.name[:255],
                                      content_type=content_type, size=upload.size, uploaded_by=actor.user)
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        audit_record(tenant=actor.tenant, actor=actor.user, action="report.attachment_added", target=locked,
                     after={"document": attachment.original_name})
    return attachment


def report_attachment_delete(*, attachment: ReportAttachment, actor: Actor) -> None:
    """The grantee removes one of its report's files while the report can still be changed."""
    same_tenant(actor, attachment)
    with transaction.atomic():
        locked = _lock_editable(attachment.report, actor)
        name = attachment.original_name
        deleted, _rows = ReportAttachment.objects.filter(pk=attachment.pk, tenant=actor.tenant, report=locked).delete()
        if not deleted:
            raise Refused(_("This file was already removed."))
        transaction.on_commit(lambda: attachment.file.delete(save=False))
        audit_record(tenant=actor.tenant, actor=actor.user, action="report.attachment_deleted", target=locked,
                     after={"document": name})


def can_comment_report_finances(actor: Actor, report: ProgressReport) -> Decision:
    """Finance members comment on the financial part of a report once it was submitted; not on a CSO
    they are linked to."""
    if not actor.has_role(Role.FINANCE):
        return deny(_("Only finance members comment on the financial report."))
    if report.submitted_at is None and report.status != ReportStatus.SUBMITTED:
        return deny(_("The report has not been submitted yet."))
    return conflict_of_interest(actor, report.award.organisation_id) if report.award_id else ALLOW


def report_finance_comment(*, report: ProgressReport, actor: Actor, comment: str) -> ProgressReport:
    """Finance's comment on the expenditure (replaces the previous one; empty clears it). Audited with its
    length only: the text is on the report."""
    same_tenant(actor, report)
    decision = can_comment_report_finances(actor, report)
    if not decision:
        raise Refused(decision.reason, forbidden=True)
    text = (comment or "").replace("\r\n", "\n").strip()
    if len(text) > FINANCE_COMMENT_MAX:
        raise Refused(_("The comment is too long (%(max)s characters at most).") % {"max": FINANCE_COMMENT_MAX})
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk, tenant=actor.tenant)
        before = locked.finance_comment
        locked.finance_comment = text
        locked.save(update_fields=["finance_comment", "updated_at"])
        audit_record(tenant=actor.tenant, actor=actor.user, action="report.finance_comment", target=locked,
                     before={"length": len(before)}, after={"length": len(text)})
    report.finance_comment = text
    return locked
