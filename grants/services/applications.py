"""Writers for applications: create, save a section as a draft, attachments, workflow transitions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import OrganisationStatus
from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused, refused
from relais.money import format_money, minor_unit_problem, quantize
from relais.uploads import validate_upload
from relais.workflow import transition

from ..models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    ApplicationVersion,
    BudgetLine,
    Call,
    EligibilityAnswer,
    ReferenceSequence,
    RequiredAttachment,
    TimelineActivity,
)
from ..permissions import can_edit_application, can_start_application, is_own_application
from ..sections import MAX_ROWS, ROW_FIELDS, SECTION_FIELDS, SECTION_ROWS
from ..versions import snapshot
from ..workflow import APPLICATION
from .common import same_tenant
from .emails import EMAIL_ON, application_email

S = ApplicationStatus


def application_create(*, call: Call, actor: Actor) -> Application:
    """One live application per organisation and call (a withdrawn one does not count); only applicants, only
    while the call accepts submissions."""
    decision = can_start_application(actor)
    if not decision:
        raise Refused(decision.reason, forbidden=True)
    if call.tenant_id != actor.tenant.pk:
        raise Refused(_("This call belongs to another workspace."), forbidden=True)
    if not call.accepts_submissions:
        raise Refused(_("This call does not accept applications."))
    organisation = actor.membership.organisation if actor.membership is not None else None
    if organisation is None:
        raise Refused(decision.reason or _("Only applicants can start an application."), forbidden=True)
    if organisation.status == OrganisationStatus.SUSPENDED:
        raise Refused(_("Your organisation is suspended in this workspace; contact the programme team."))
    # A withdrawn application does not count: the organisation may start again while the call is open.
    live = Application.objects.filter(call=call, organisation=organisation).exclude(status=S.WITHDRAWN)
    existing = live.first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(
                tenant=actor.tenant, call=call, organisation=organisation, created_by=actor.user,
            )
            audit_record(tenant=actor.tenant, actor=actor.user, action="application.created", target=application,
                         after={"call": call.pk, "organisation": organisation.pk})
    except IntegrityError:  # two tabs at once: the other one won, use its row
        return live.get()
    return application


def recompute_requested_amount(application: Application) -> Decimal:
    currency = application.call.currency
    total = sum((line.total_in(currency) for line in application.budget_lines.all()), start=Decimal(0))
    return quantize(total, currency)


# What an amount_field column holds (14 digits, 2 decimal places).
MAX_AMOUNT = Decimal("999999999999.99")


def _lock_editable(application: Application, actor: Actor) -> Application:
    same_tenant(actor, application)
    # of=("self",): lock the application only, not the call every applicant shares.
    app = (Application.objects.select_for_update(of=("self",)).select_related("call")
           .get(pk=application.pk, tenant=actor.tenant))
    decision = can_edit_application(actor, app)
    if not decision:
        raise Refused(decision.reason, forbidden=not is_own_application(actor, app))
    return app


def _save_rows(app: Application, key: str, rows: list[dict[str, Any]]) -> None:
    """Write a section's rows: each a dict of ROW_FIELDS[key] values, with `id` (an existing row of
    this application, or None for a new one) and `delete`."""
    model: type[TimelineActivity] | type[BudgetLine] = TimelineActivity if key == "timeline" else BudgetLine
    existing = {row.pk: row for row in model.objects.filter(tenant_id=app.tenant_id, application=app)}
    kept = len(existing)
    for data in rows:
        pk = data.get("id")
        obj = existing.get(pk) if pk is not None else None
        if pk is not None and obj is None:
            raise Refused(_("This row belongs to another application."), forbidden=True)
        if data.get("delete"):
            if obj is not None:
                obj.delete()
                kept -= 1
            continue
        if obj is None:
            obj = model(tenant_id=app.tenant_id, application=app)
            kept += 1
        for name in ROW_FIELDS[key]:
            if name in data:
                setattr(obj, name, data[name])
        problem = minor_unit_problem(getattr(obj, "unit_cost", None), app.call.currency)
        if problem:
            raise Refused(problem)
        category = getattr(obj, "category", None)
        if category is not None and category.tenant_id != app.tenant_id:
            raise Refused(_("This belongs to another workspace."), forbidden=True)
        obj.save()
    if kept > MAX_ROWS[key]:
        raise Refused(_("At most %(n)s rows can be saved here.") % {"n": MAX_ROWS[key]})


def _save_answers(app: Application, answers: dict[int, str]) -> None:
    questions = set(app.call.questions.values_list("pk", flat=True))
    for question_id, answer in answers.items():
        if question_id not in questions:
            raise Refused(_("This question is not asked by the call."))
        EligibilityAnswer.objects.update_or_create(
            application=app, question_id=question_id, defaults={"tenant_id": app.tenant_id, "answer": answer})


def application_section_save(*, application: Application, actor: Actor, section: str,
                             data: dict[str, Any], expected_version: int | None = None) -> Application:
    """Save one section as a draft from plain cleaned data.

    `data` holds the section's fields that validated (grants.sections.SECTION_FIELDS), for a
    section with rows their list under SECTION_ROWS[section] (dicts with `id`, `delete` and the
    row fields), and for the eligibility section `answers` ({question id: answer}). Drafts never
    need to be complete; completeness is checked at submission. `expected_version` is the version the
    page was loaded from: if the application was saved since, nothing is written and Stale is raised.
    """
    return application_sections_save(application=application, actor=actor, sections={section: data},
                                     expected_version=expected_version)


def application_sections_save(*, application: Application, actor: Actor,
                              sections: dict[str, dict[str, Any]], expected_version: int | None = None) -> Application:
    """Save several sections at once ({section: data}, as application_section_save): one lock, one
    total, one audit event naming the sections."""
    unknown = [section for section in sections if section not in SECTION_FIELDS]
    if unknown:
        raise Refused(_("This section does not exist."))
    with transaction.atomic():
        app = _lock_editable(application, actor)
        claim_version(app, expected=expected_version)
        for section, data in sections.items():
            _write_section(app, actor, section, data)
        app.requested_amount = recompute_requested_amount(app)
        if app.requested_amount > MAX_AMOUNT:  # would not fit the column: refuse instead of storing garbage
            raise Refused(_("The budget total is too high (%(total)s): check the quantities and unit costs.")
                          % {"total": format_money(app.requested_amount, app.call.currency)})
        app.save()
        audit_record(tenant=actor.tenant, actor=actor.user, action="application.section_saved", target=app,
                     after={"section": ", ".join(sections), "version": app.version})
    application.version = app.version
    return app


def _write_section(app: Application, actor: Actor, section: str, data: dict[str, Any]) -> None:
    for name in SECTION_FIELDS[section]:
        if name not in data:
            continue
        if name == "regions":
            regions = list(data[name])
            same_tenant(actor, *regions)
            app.regions.set(regions)
        else:
            if name == "cofunding_amount":
                problem = minor_unit_problem(data[name], app.call.currency)
                if problem:
                    raise Refused(problem)
            setattr(app, name, data[name])
    if section == "eligibility":
        _save_answers(app, data.get("answers") or {})
    key = SECTION_ROWS.get(section)
    if key is not None and key in data:
        _save_rows(app, key, list(data[key]))


def attachment_add(*, application: Application, actor: Actor, required: RequiredAttachment | None,
                   upload) -> ApplicationAttachment:
    """Attach (or replace) the document a call requires; the upload's content is checked first."""
    try:
        content_type = validate_upload(upload).content_type
    except ValidationError as exc:
        raise refused(exc) from exc
    with transaction.atomic():
        app = _lock_editable(application, actor)
        if required is not None and required.call_id != app.call_id:
            raise Refused(_("This document is not required by the call."))
        ApplicationAttachment.objects.filter(application=app, required=required).delete()
        attachment = ApplicationAttachment(
            tenant_id=app.tenant_id, application=app, required=required, original_name=upload.name[:255],
            content_type=content_type, size=upload.size, uploaded_by=actor.user,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        app.save(update_fields=["updated_at"])
        audit_record(tenant=actor.tenant, actor=actor.user, action="application.attachment_added", target=app,
                     after={"document": attachment.original_name, "type": content_type})
    return attachment


def attachment_download_record(*, attachment: ApplicationAttachment, actor: Actor) -> None:
    """Who read which application document, as for organisation documents (they carry names, budgets,
    sometimes bank details). On the attachment, not the application: it stays off the applicant's timeline."""
    same_tenant(actor, attachment)
    audit_record(tenant=actor.tenant, actor=actor.user, action="application.attachment_downloaded",
                 target=attachment, after={"application": attachment.application_id,
                                           "document": attachment.original_name})


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


def application_transition(*, application: Application, actor: Actor, target: str, reason: str = "",
                           amount: Any = None, notify: bool = True) -> Application:
    """Take a step of the application table (grants.workflow.APPLICATION), or refuse with readable reasons.

    The engine checks the step, the role (applicants only for their own organisation; the
    system for the automatic steps) and the row's requirements, then audits. An approval is
    refused when it would take the call past its envelope (the amount left is given), checked
    under a lock of the call's row so that concurrent approvals cannot both pass. This service
    writes what goes with the step (reference, version, decision) and, where EMAIL_ON says so,
    queues the e-mail in the outbox (receipt: the submitter; decisions: the organisation's members
    and consenting contacts), sent after commit (`notify=False`: demo seeding).
    """
    same_tenant(actor, application)

    def apply(app: Application, ctx: dict[str, Any]) -> dict[str, Any]:
        now = timezone.now()
        reason = ctx["reason"]
        extra: dict[str, Any] = {}
        if target == S.SUBMITTED:
            app.requested_amount = recompute_requested_amount(app)
            if not app.reference:
                app.reference = allocate_reference(app)
            app.submitted_at = now
            number = app.versions.count() + 1
            ApplicationVersion.objects.create(tenant_id=app.tenant_id, application=app, number=number,
                                              snapshot=snapshot(app), created_by=actor.user)
            extra["reference"] = app.reference
        elif target == S.CHANGES_REQUESTED:
            app.changes_requested_message = reason
        elif target in (S.IN_REVIEW, S.INELIGIBLE) and source == S.SCREENING and reason:
            app.screening_reason = reason
        elif target in (S.APPROVED, S.REJECTED):
            app.awarded_amount = quantize(ctx["amount"], app.call.currency) if target == S.APPROVED else None
            app.decision_reason = reason
            app.decided_by = actor.user
            app.decided_at = now
            if target == S.APPROVED:
                extra["awarded_amount"] = app.awarded_amount
        return extra

    kind = EMAIL_ON.get(target)
    with transaction.atomic():
        if target == S.APPROVED:
            # The envelope is a limit (grants.workflow.within_envelope): approvals of one call queue on the
            # call's row, taken before the application's like every writer that locks both.
            Call.objects.select_for_update().filter(pk=application.call_id, tenant=actor.tenant).first()
        # The state the step starts from, read under the row lock the engine takes again: a screening
        # note is kept when the application leaves screening, not when a review is reopened.
        source = (Application.objects.select_for_update().filter(pk=application.pk, tenant=actor.tenant)
                  .values_list("status", flat=True).first())
        # The engine locks the application row only: joined call/organisation/tenant rows stay
        # free, so one tenant's transitions do not queue behind each other.
        app = transition(APPLICATION, obj=application, target=target, actor=actor, reason=reason,
                         context={"amount": amount}, apply=apply, lock_related=("call", "organisation", "tenant"))
        if target == S.APPROVED:  # the award starts with the approval, in the same transaction
            from .awards import award_create

            award_create(application=app, actor=actor)
        if kind and notify:  # stored in the outbox with the step; leaves after commit
            application_email(application=app, kind=kind, actor=actor)
    application.refresh_from_db()
    return app


def applications_decide(*, applications: list[Application], target: str, actor: Actor,
                        reason: str = "") -> tuple[list[Application], dict[int, list[str]]]:
    """Batch approve (at the requested amount) or reject; each application is its own transaction."""
    done, refused = [], {}
    for application in applications:
        try:
            done.append(application_transition(application=application, target=target, actor=actor, reason=reason))
        except Refused as exc:
            refused[application.pk] = exc.messages
    return done, refused
