"""Writers for calls: create and edit (with the rules of what may still change), status changes from
the table, automatic closing at the deadline, budget categories, the audited ranking export."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.money import format_money, quantize
from relais.permissions import require
from relais.workflow import transition

from ..models import (
    Application,
    ApplicationStatus,
    BudgetCategory,
    Call,
    CallStatus,
    EligibilityAnswer,
    EligibilityQuestion,
    RequiredAttachment,
    Review,
    ReviewScore,
    RubricCriterion,
)
from ..permissions import can_edit_calls
from ..workflow import CALL, approved_total
from .applications import MAX_AMOUNT
from .common import same_tenant
from .ranking import ranking_facts_refresh

S = ApplicationStatus


def call_transition(*, call: Call, target: str, actor: Actor) -> Call:
    """Take a step of the call table (grants.workflow.CALL); Actor.system(tenant) for the deadline task."""
    same_tenant(actor, call)
    return transition(CALL, obj=call, target=target, actor=actor)


def close_due_calls() -> int:
    """Close every open call whose closing time has passed. Returns how many were closed."""
    closed = 0
    for call in Call.objects.filter(status=CallStatus.OPEN, closes_at__lte=timezone.now()).select_related("tenant"):
        call_transition(call=call, target=CallStatus.CLOSED, actor=Actor.system(call.tenant))
        closed += 1
    return closed


# --- create and edit ----------------------------------------------------------------

CALL_FIELDS = ("title_fr", "title_en", "description_fr", "description_en", "envelope", "currency", "min_grant",
               "max_grant", "opens_at", "closes_at", "review_deadline", "reviewers_per_application", "blind_review")
CALL_M2M = ("eligible_regions", "focus_areas")
# A call's rows, by the key of the call data that carries them: the model and the fields of one row.
CALL_ROWS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "criteria": (RubricCriterion, ("name_fr", "name_en", "description", "weight", "levels", "order")),
    "questions": (EligibilityQuestion, ("text_fr", "text_en", "kind", "disqualifying_answer", "order")),
    "documents": (RequiredAttachment, ("name_fr", "name_en", "description", "order")),
}
# At most this many rows of each kind per call (the formsets' max_num).
MAX_CALL_ROWS = {"criteria": 30, "questions": 50, "documents": 30}


def _changed(locked: Call, data: dict[str, Any], name: str) -> bool:
    return name in data and data[name] != getattr(locked, name)


def _call_problems(locked: Call | None, data: dict[str, Any]) -> dict[str, list[str]]:
    """What may not be saved, by field ('__all__' for the call as a whole)."""
    problems: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    opens, closes = data.get("opens_at"), data.get("closes_at")
    if opens and closes and closes <= opens:
        refuse("closes_at", _("The call must close after it opens."))
    low, high = data.get("min_grant"), data.get("max_grant")
    if low is not None and high is not None and high < low:
        refuse("max_grant", _("The maximum grant is lower than the minimum grant."))
    if locked is None:
        return problems
    applications = Application.objects.filter(tenant_id=locked.tenant_id, call=locked)
    if _changed(locked, data, "currency") and applications.exists():
        # Amounts already requested are in the old currency: changing it would silently re-denominate them.
        refuse("currency", _("The currency can no longer change: applications were already made."))
    reviews = Review.objects.filter(tenant_id=locked.tenant_id, application__call=locked)
    if _changed(locked, data, "blind_review") and reviews.exists():
        # Reviewers already opened applications under one rule; switching it would reveal or hide names mid-way.
        refuse("blind_review", _("Blind review can no longer change: reviewers are already assigned."))
    if _changed(locked, data, "reviewers_per_application") and reviews.exists():
        # Assignment and the move to decision count on this number: changing it would leave applications
        # waiting for reviews nobody will be asked for, or close reviews early.
        refuse("reviewers_per_application",
               _("The number of reviewers per application can no longer change: reviewers are already assigned."))
    if (_changed(locked, data, "min_grant") or _changed(locked, data, "max_grant")) and applications.exclude(
            status=S.DRAFT).exists():
        # Submitted budgets were checked against the range; moving it would make them wrong after the fact.
        refuse("max_grant" if _changed(locked, data, "max_grant") else "min_grant",
               _("The grant size range can no longer change: applications were already submitted."))
    if _changed(locked, data, "envelope") and applications.filter(status=S.APPROVED).exists():
        # Decisions were taken against the envelope: it changes only with a reason, audited (call_envelope_change).
        refuse("envelope", _("Applications were already approved against this envelope: change it from the call "
                             "page, with a reason."))
    return problems


def _by_field(exc: ValidationError) -> dict[str, list[str]]:
    """A call's model errors by field; errors of fields callers do not edit go to the call as a whole."""
    errors: dict[str, list[str]] = {}
    for field, messages in exc.message_dict.items():
        errors.setdefault(field if field in CALL_FIELDS else "__all__", []).extend(messages)
    return errors


def _save_call_rows(call: Call, key: str, rows: list[dict[str, Any]], problems: dict[str, list[str]]) -> None:
    """Write one kind of call rows: dicts with `id` (an existing row of this call or None), `delete` and fields.
    A criterion already scored or a question already answered cannot be deleted: the cascade would erase
    what reviewers or applicants typed."""
    model, fields = CALL_ROWS[key]
    existing = {row.pk: row for row in model._default_manager.filter(tenant_id=call.tenant_id, call=call)}
    count = len(existing)
    for data in rows:
        pk = data.get("id")
        obj = existing.get(pk) if pk is not None else None
        if pk is not None and obj is None:
            raise Refused(_("This row belongs to another call."), forbidden=True)
        if data.get("delete"):
            if obj is None:
                continue
            answered = (key == "criteria" and ReviewScore.objects.filter(criterion_id=obj.pk).exists()) or (
                key == "questions" and EligibilityAnswer.objects.filter(question_id=obj.pk).exists())
            if answered:
                problems.setdefault("__all__", []).append(
                    _("“%(name)s” already has scores or answers: it cannot be deleted.") % {"name": obj})
                continue
            obj.delete()
            count -= 1
            continue
        if obj is None:
            obj = model(tenant_id=call.tenant_id, call=call)
            count += 1
        for name in fields:
            if name in data:
                setattr(obj, name, data[name])
        try:
            obj.full_clean(exclude=["tenant", "call"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:  # a row's problems are the call's, named by the row
            raise Refused([f"{obj}: {message}" for message in exc.messages]) from exc
        obj.save()
    if count > MAX_CALL_ROWS[key]:
        problems.setdefault("__all__", []).append(_("At most %(n)s rows can be saved here.")
                                                  % {"n": MAX_CALL_ROWS[key]})


def _call_save(*, call: Call | None, actor: Actor, data: dict[str, Any], expected_version: int | None = None) -> Call:
    decision = can_edit_calls(actor)
    if not decision:
        raise Refused(decision.reason, forbidden=True)
    same_tenant(actor, call, *data.get("eligible_regions", ()), *data.get("focus_areas", ()))
    with transaction.atomic():
        locked = None
        if call is not None:
            locked = Call.objects.select_for_update().get(pk=call.pk, tenant=actor.tenant)
            claim_version(locked, expected=expected_version)
        problems = _call_problems(locked, data)
        if problems:
            raise Refused(ValidationError(problems))
        saved = locked or Call(tenant=actor.tenant, status=CallStatus.DRAFT)
        for name in CALL_FIELDS:
            if name in data:
                setattr(saved, name, data[name])
        try:
            saved.full_clean(exclude=["tenant"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise Refused(ValidationError(_by_field(exc))) from exc
        saved.save()
        for name in CALL_M2M:
            if name in data:
                getattr(saved, name).set(data[name])
        for key in CALL_ROWS:
            if key in data:
                _save_call_rows(saved, key, list(data[key]), problems)
        if problems:  # rows that may not go: nothing of this save is kept
            raise Refused(ValidationError(problems))
        if locked is not None and "criteria" in data:  # weights added, changed or removed: every score moves
            ranking_facts_refresh(call_id=saved.pk)
        audit_record(tenant=actor.tenant, actor=actor.user, action="call.created" if locked is None else "call.updated",
                     target=saved, after={"title": saved.title_fr, "envelope": saved.envelope})
    if call is not None:
        call.refresh_from_db()
    return saved


def call_create(*, actor: Actor, data: dict[str, Any]) -> Call:
    """A new call, in draft. `data`: the call's fields (CALL_FIELDS, CALL_M2M) and its rows under
    "criteria", "questions" and "documents" (dicts with `id`, `delete` and the row's fields)."""
    return _call_save(call=None, actor=actor, data=data)


def call_update(*, call: Call, actor: Actor, data: dict[str, Any], expected_version: int | None = None) -> Call:
    """Change a call, refusing what may no longer change once applications, reviews or decisions exist:
    the currency and blind review, the number of reviewers per application, the grant size range once
    applications are submitted, the envelope once applications are approved against it (it then changes
    through call_envelope_change, with a reason), scored criteria and answered questions.
    `expected_version`: the version the page was loaded from; if the call was saved since, nothing is
    written and Stale is raised."""
    return _call_save(call=call, actor=actor, data=data, expected_version=expected_version)


def call_envelope_change(*, call: Call, actor: Actor, envelope: Decimal, reason: str) -> Call:
    """A manager raises (or lowers) a call's envelope, saying why; audited with both amounts and the reason.

    Refused without a reason, for an amount that is not a positive number, and below what the call's
    approved applications were already awarded. Under the call's row lock, like approvals
    (grants.workflow.within_envelope), so an approval and a change cannot cross.
    """
    require(can_edit_calls(actor))
    same_tenant(actor, call)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Say why the envelope changes: the reason is kept in the audit trail."))
    if not isinstance(envelope, Decimal) or not envelope.is_finite() or envelope < 0:
        raise Refused(_("The envelope must be a positive amount."))
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk, tenant=actor.tenant)
        new = quantize(envelope, locked.currency)
        if new > MAX_AMOUNT:
            raise Refused(_("The envelope must be a positive amount."))
        awarded = approved_total(locked)
        if new < awarded:
            raise Refused(_("The envelope cannot be lower than the amount already awarded (%(awarded)s).")
                          % {"awarded": format_money(awarded, locked.currency)})
        if new == locked.envelope:
            raise Refused(_("The envelope is already %(envelope)s.")
                          % {"envelope": format_money(new, locked.currency)})
        before = locked.envelope
        claim_version(locked, expected=None)  # a call form opened before this change is now out of date
        locked.envelope = new
        locked.save(update_fields=["envelope", "version"])
        audit_record(tenant=actor.tenant, actor=actor.user, action="call.envelope_changed", target=locked,
                     before={"envelope": before}, after={"envelope": new, "reason": reason,
                                                         "approved_total": awarded})
    call.refresh_from_db()
    return locked


# --- budget categories ------------------------------------------------------------

BUDGET_CATEGORY_FIELDS = ("name_fr", "name_en", "order", "is_active")
MAX_BUDGET_CATEGORIES = 100


def budget_categories_save(*, actor: Actor, rows: list[dict[str, Any]]) -> int:
    """Create or change the tenant's budget categories (dicts with `id` or None and the fields).
    Returns how many the tenant has."""
    decision = can_edit_calls(actor)
    if not decision:
        raise Refused(decision.reason, forbidden=True)
    try:
        with transaction.atomic():
            existing = {c.pk: c for c in BudgetCategory.objects.filter(tenant=actor.tenant)}
            for data in rows:
                pk = data.get("id")
                category = existing.get(pk) if pk is not None else BudgetCategory(tenant=actor.tenant)
                if category is None:
                    raise Refused(_("This belongs to another workspace."), forbidden=True)
                for name in BUDGET_CATEGORY_FIELDS:
                    if name in data:
                        setattr(category, name, data[name])
                category.save()
            count = BudgetCategory.objects.filter(tenant=actor.tenant).count()
            if count > MAX_BUDGET_CATEGORIES:
                raise Refused(_("At most %(n)s rows can be saved here.") % {"n": MAX_BUDGET_CATEGORIES})
            audit_record(tenant=actor.tenant, actor=actor.user, action="budget_categories.updated",
                         target=actor.tenant, after={"count": count})
    except IntegrityError as exc:
        raise Refused(_("Two budget categories cannot have the same French name.")) from exc
    return count


# --- the ranking export -------------------------------------------------------------

def ranking_export_record(*, call: Call, actor: Actor, fmt: str, rows: int, blind: bool) -> None:
    """An export is deliberate and audited (what, how many rows, anonymised or not)."""
    same_tenant(actor, call)
    audit_record(tenant=actor.tenant, actor=actor.user, action="call.ranking_exported", target=call,
                 after={"format": fmt, "rows": rows, "blind": blind})
