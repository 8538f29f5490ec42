"""Writers for applications: create, save a section as a draft, attachments, workflow transitions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Organisation, OrganisationStatus
from relais.audit import audit_record
from relais.models import Membership, Role, User
from relais.money import format_money, quantize

from ..models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    ApplicationVersion,
    Call,
    ReferenceSequence,
)
from ..tasks import send_application_email
from ..versions import snapshot
from ..workflow import SYSTEM, application_transition_for

S = ApplicationStatus

# Which e-mail each target state sends to the applicant.
EMAIL_ON = {
    S.SUBMITTED: "receipt", S.CHANGES_REQUESTED: "changes_requested", S.INELIGIBLE: "ineligible",
    S.APPROVED: "approved", S.REJECTED: "rejected",
}


def application_create(*, call: Call, membership: Membership, actor: User) -> Application:
    """One application per organisation and call; only applicants, only while the call accepts submissions."""
    if membership.role != Role.APPLICANT or membership.organisation_id is None:
        raise PermissionDenied(_("Only applicants can start an application."))
    if call.tenant_id != membership.tenant_id:
        raise PermissionDenied(_("This call belongs to another workspace."))
    if not call.accepts_submissions:
        raise ValidationError(_("This call does not accept applications."))
    organisation: Organisation = membership.organisation
    if organisation.status == OrganisationStatus.SUSPENDED:
        raise ValidationError(_("Your organisation is suspended in this workspace; contact the programme team."))
    existing = Application.objects.filter(call=call, organisation=organisation).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(
                tenant=call.tenant, call=call, organisation=organisation, created_by=actor,
            )
            audit_record(tenant=call.tenant, actor=actor, action="application.created", target=application,
                         after={"call": call.pk, "organisation": organisation.pk})
    except IntegrityError:  # two tabs at once: the other one won, use its row
        return Application.objects.get(call=call, organisation=organisation)
    return application


def recompute_requested_amount(application: Application) -> Decimal:
    currency = application.call.currency
    total = sum((line.total_in(currency) for line in application.budget_lines.all()), start=Decimal(0))
    return quantize(total, currency)


# What an amount_field column holds (14 digits, 2 decimal places).
MAX_AMOUNT = Decimal("999999999999.99")


def _lock_editable(application: Application, membership: Membership) -> Application:
    # of=("self",): lock the application only, not the call every applicant shares.
    app = (Application.objects.select_for_update(of=("self",)).select_related("call")
           .get(pk=application.pk, tenant=membership.tenant))
    if membership.role != Role.APPLICANT or membership.organisation_id != app.organisation_id:
        raise PermissionDenied(_("Only the applicant organisation can edit this application."))
    if not app.is_editable:
        raise ValidationError(_("This application is locked: it was submitted (%(status)s).")
                              % {"status": app.get_status_display()})
    return app


def application_section_save(*, application: Application, membership: Membership, actor: User,
                             section: str, save_form) -> Application:
    """Save one section as a draft. `save_form(app)` writes the (possibly incomplete) form data.

    Drafts never need to be complete; completeness is checked at submission.
    """
    with transaction.atomic():
        app = _lock_editable(application, membership)
        save_form(app)
        app.requested_amount = recompute_requested_amount(app)
        if app.requested_amount > MAX_AMOUNT:  # would not fit the column: refuse instead of storing garbage
            raise ValidationError(_("The budget total is too high (%(total)s): check the quantities and unit costs.")
                                  % {"total": format_money(app.requested_amount, app.call.currency)})
        app.save()
        audit_record(tenant=app.tenant, actor=actor, action="application.section_saved", target=app,
                     after={"section": section})
    return app


def attachment_add(*, application: Application, membership: Membership, actor: User, required, upload,
                   content_type: str) -> ApplicationAttachment:
    with transaction.atomic():
        app = _lock_editable(application, membership)
        if required is not None and required.call_id != app.call_id:
            raise ValidationError(_("This document is not required by the call."))
        ApplicationAttachment.objects.filter(application=app, required=required).delete()
        attachment = ApplicationAttachment(
            tenant=app.tenant, application=app, required=required, original_name=upload.name[:255],
            content_type=content_type, size=upload.size, uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        app.save(update_fields=["updated_at"])
        audit_record(tenant=app.tenant, actor=actor, action="application.attachment_added", target=app,
                     after={"document": attachment.original_name, "type": content_type})
    return attachment


def allocate_reference(application: Application) -> str:
    """Next `PREFIX-YEAR-NNN` for the tenant, on a locked counter row (call inside a transaction)."""
    tenant = application.tenant
    year = timezone.localdate().year
    ReferenceSequence.objects.get_or_create(tenant=tenant, year=year)
    sequence = ReferenceSequence.objects.select_for_update().get(tenant=tenant, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    prefix = tenant.reference_prefix or tenant.slug[:3].upper()
    return f"{prefix}-{year}-{sequence.last:03d}"


def _role_allowed(transition, app: Application, membership: Membership | None) -> bool:
    if membership is None:
        return SYSTEM in transition.roles
    if membership.tenant_id != app.tenant_id or membership.role not in transition.roles:
        return False
    if membership.role == Role.APPLICANT:
        return membership.organisation_id == app.organisation_id
    return True


def application_transition(*, application: Application, target: str, actor: User | None,
                           membership: Membership | None, reason: str = "", amount: Any = None) -> Application:
    """Move an application along APPLICATION_TRANSITIONS, or refuse with readable reasons.

    Rules: the (from, to) pair must be in the table; the actor's role must be listed
    (applicants only for their own organisation; membership=None means the system);
    every requirement of the row must hold. The row is locked, audited, and the
    applicant is e-mailed on commit where EMAIL_ON says so.
    """
    with transaction.atomic():
        # Lock the application row only: joined call/organisation/tenant rows stay free,
        # so one tenant's transitions do not queue behind each other.
        app = (Application.objects.select_for_update(of=("self",)).select_related("call", "organisation", "tenant")
               .get(pk=application.pk, tenant_id=application.tenant_id))
        transition = application_transition_for(app.status, target)
        if transition is None:
            raise ValidationError(
                _("An application that is “%(source)s” cannot become “%(target)s”.")
                % {"source": app.get_status_display(), "target": S(target).label if target in S.values else target}
            )
        if not _role_allowed(transition, app, membership):
            raise ValidationError(_("Your role does not allow this step (%(step)s).") % {"step": transition.label})
        ctx: dict[str, Any] = {"reason": reason, "amount": amount, "membership": membership, "actor": actor}
        problems = [message for requirement in transition.requires for message in requirement(app, ctx)]
        if problems:
            raise ValidationError(problems)
        before = {"status": app.status}
        now = timezone.now()
        app.status = target
        if target == S.SUBMITTED:
            app.requested_amount = recompute_requested_amount(app)
            if not app.reference:
                app.reference = allocate_reference(app)
            app.submitted_at = now
            number = app.versions.count() + 1
            ApplicationVersion.objects.create(tenant=app.tenant, application=app, number=number,
                                              snapshot=snapshot(app), created_by=actor)
        elif target == S.CHANGES_REQUESTED:
            app.changes_requested_message = reason
        elif target in (S.IN_REVIEW, S.INELIGIBLE) and before["status"] == S.SCREENING and reason:
            app.screening_reason = reason
        elif target in (S.APPROVED, S.REJECTED):
            app.awarded_amount = quantize(ctx["amount"], app.call.currency) if target == S.APPROVED else None
            app.decision_reason = reason
            app.decided_by = actor
            app.decided_at = now
        app.save()
        after = {"status": app.status}
        if reason:
            after["reason"] = reason
        if target == S.SUBMITTED:
            after["reference"] = app.reference
        if target == S.APPROVED:
            after["awarded_amount"] = app.awarded_amount
        audit_record(tenant=app.tenant, actor=actor, action=f"application.{transition.action}", target=app,
                     before=before, after=after)
        kind = EMAIL_ON.get(target)
        if kind:
            user_id = actor.pk if kind == "receipt" and actor is not None else None
            transaction.on_commit(lambda: send_application_email.enqueue(
                application_id=app.pk, kind=kind, user_id=user_id))
    application.refresh_from_db()
    return app


def applications_decide(*, applications: list[Application], target: str, actor: User, membership: Membership,
                        reason: str = "") -> tuple[list[Application], dict[int, list[str]]]:
    """Batch approve (at the requested amount) or reject; each application is its own transaction."""
    done, refused = [], {}
    for application in applications:
        try:
            done.append(application_transition(application=application, target=target, actor=actor,
                                               membership=membership, reason=reason))
        except ValidationError as exc:
            refused[application.pk] = exc.messages
    return done, refused
