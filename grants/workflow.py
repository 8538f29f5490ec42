"""State tables for calls, applications and reviews, registered with the kernel's workflow engine.

Each row says: from which state, to which state, which roles may take it, and what it
requires (functions returning the readable problems that block it). The services in
grants.services call `relais.workflow.transition` with these machines; tests walk
every table for every role (tests/relais/test_workflow_engine.py).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.actor import SYSTEM, Actor
from relais.conflicts import conflict_of_interest
from relais.models import Role
from relais.money import format_money, quantize
from relais.permissions import Decision
from relais.workflow import StateMachine, Transition, register

from .completeness import completeness_problems
from .models import (
    SCORE_LEVELS,
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Recommendation,
    Review,
    ReviewStatus,
)

S = ApplicationStatus

# Reviewers are assigned, declare and score while the application is screened or reviewed.
ASSIGNABLE_STATUSES = (S.SCREENING, S.IN_REVIEW)


# --- requirements on applications -------------------------------------------------

def complete(app: Application, ctx: dict[str, Any]) -> list[str]:
    return [p.message for p in completeness_problems(app)]


def call_accepts_submissions(app: Application, ctx: dict[str, Any]) -> list[str]:
    call = app.call
    now = timezone.now()
    if call.status != CallStatus.OPEN or now >= call.closes_at:
        return [_("This call closed on %(date)s; it no longer accepts submissions.")
                % {"date": timezone.localtime(call.closes_at).strftime("%d/%m/%Y %H:%M")}]
    if now < call.opens_at:
        return [_("This call is not open yet.")]
    return []


def reason_given(app: Application, ctx: dict[str, Any]) -> list[str]:
    return [] if (ctx.get("reason") or "").strip() else [_("Give a reason; the applicant will read it.")]


def reviews_done(app: Application, ctx: dict[str, Any]) -> list[str]:
    statuses = [r.status for r in app.reviews.all()]
    if ReviewStatus.SUBMITTED not in statuses:
        return [_("At least one review must be submitted first.")]
    return []


def not_member_of_applicant(app: Application, ctx: dict[str, Any]) -> list[str]:
    actor: Actor | None = ctx.get("actor")
    if actor is not None and actor.acts_for(app.organisation_id):
        return [_("You are a member of the applicant organisation: another manager must decide.")]
    return []


def valid_award(app: Application, ctx: dict[str, Any]) -> list[str]:
    call = app.call
    raw = ctx.get("amount")
    try:
        amount = app.requested_amount if raw in (None, "") else Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return [_("The awarded amount is not a number.")]
    if not amount.is_finite():  # NaN cannot even be compared; infinity is no amount
        return [_("The awarded amount is not a number.")]
    problems = []
    if amount > app.requested_amount:
        problems.append(_("The awarded amount cannot exceed the requested amount (%(req)s).")
                        % {"req": format_money(app.requested_amount, call.currency)})
    if not (call.min_grant <= amount <= call.max_grant):
        problems.append(_("The awarded amount must be between %(min)s and %(max)s.")
                        % {"min": format_money(call.min_grant, call.currency),
                           "max": format_money(call.max_grant, call.currency)})
    if amount < app.requested_amount and not (ctx.get("reason") or "").strip():
        problems.append(_("Explain why the awarded amount is lower than requested."))
    ctx["amount"] = amount
    return problems


def approved_total(call: Call, *, excluding: int | None = None) -> Decimal:
    """What the call's approved applications were awarded (the envelope's used part)."""
    approved = Application.objects.filter(tenant_id=call.tenant_id, call_id=call.pk, status=S.APPROVED)
    if excluding is not None:
        approved = approved.exclude(pk=excluding)
    return approved.aggregate(total=Sum("awarded_amount"))["total"] or Decimal(0)


def within_envelope(app: Application, ctx: dict[str, Any]) -> list[str]:
    """The envelope is a limit: an approval may not take the call's approved total past it.

    grants.services.applications.application_transition locks the call row before the step, so two
    approvals of one call are checked one after the other and cannot both pass on the same room."""
    amount = ctx.get("amount")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return []  # valid_award already says the amount is wrong
    call = app.call
    left = call.envelope - approved_total(call, excluding=app.pk)
    if quantize(amount, call.currency) <= left:
        return []
    return [_("This approval would take the call past its envelope of %(envelope)s: %(left)s left. "
              "Approve a lower amount, or raise the envelope first from the call page.")
            % {"envelope": format_money(call.envelope, call.currency),
               "left": format_money(max(left, Decimal(0)), call.currency)}]


def may_act_on_application(actor: Actor, app: Application) -> bool | Decision:
    """An applicant takes steps only on their own organisation's application; staff never on the
    application of a CSO they are linked to (conflict of interest, relais.conflicts)."""
    if actor.role == Role.APPLICANT:
        return actor.acts_for(app.organisation_id)
    return conflict_of_interest(actor, app.organisation_id)


A, M = frozenset({Role.APPLICANT}), frozenset({Role.MANAGER})
WITHDRAWABLE = (S.DRAFT, S.SUBMITTED, S.SCREENING, S.IN_REVIEW, S.DECISION_PENDING, S.CHANGES_REQUESTED)

APPLICATION_TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, S.SUBMITTED, A, "submit", gettext_lazy("Submit"), (call_accepts_submissions, complete)),
    Transition(S.CHANGES_REQUESTED, S.SUBMITTED, A, "resubmit", gettext_lazy("Resubmit"),
               (call_accepts_submissions, complete)),
    Transition(S.SUBMITTED, S.SCREENING, M, "screening_start", gettext_lazy("Start screening")),
    Transition(S.SUBMITTED, S.CHANGES_REQUESTED, M, "changes_request", gettext_lazy("Request changes"),
               (reason_given,)),
    Transition(S.SCREENING, S.CHANGES_REQUESTED, M, "changes_request", gettext_lazy("Request changes"),
               (reason_given,)),
    Transition(S.SCREENING, S.IN_REVIEW, M, "mark_eligible", gettext_lazy("Eligible: send to review")),
    Transition(S.SCREENING, S.INELIGIBLE, M, "mark_ineligible", gettext_lazy("Ineligible"), (reason_given,)),
    Transition(S.IN_REVIEW, S.DECISION_PENDING, frozenset({Role.MANAGER, SYSTEM}), "reviews_complete",
               gettext_lazy("Close the review"), (reviews_done,)),
    Transition(S.DECISION_PENDING, S.IN_REVIEW, M, "review_reopen", gettext_lazy("Reopen the review")),
    Transition(S.DECISION_PENDING, S.APPROVED, M, "approve", gettext_lazy("Approve"),
               (not_member_of_applicant, valid_award, within_envelope)),
    Transition(S.DECISION_PENDING, S.REJECTED, M, "reject", gettext_lazy("Reject"),
               (not_member_of_applicant, reason_given)),
    *(Transition(s, S.WITHDRAWN, A, "withdraw", gettext_lazy("Withdraw")) for s in WITHDRAWABLE),
)

APPLICATION = register(StateMachine(
    name="application",
    model=Application,
    states=ApplicationStatus,
    transitions=APPLICATION_TRANSITIONS,
    may_act=may_act_on_application,
    wrong_step_message=gettext_lazy("An application that is “%(source)s” cannot become “%(target)s”."),
))

# Final negative steps: the record page links to a confirmation page (relais.confirm) instead of acting.
CONFIRMED_TARGETS = frozenset({S.WITHDRAWN, S.REJECTED, S.INELIGIBLE})


# --- calls -----------------------------------------------------------------------

def call_has_rubric(call: Call, ctx: dict[str, Any]) -> list[str]:
    return [] if call.criteria.exists() else [_("Add at least one rubric criterion before opening the call.")]


def call_dates_valid(call: Call, ctx: dict[str, Any]) -> list[str]:
    problems = []
    if call.closes_at <= timezone.now():
        problems.append(_("The closing date is in the past."))
    if call.max_grant < call.min_grant:
        problems.append(_("The maximum grant is lower than the minimum grant."))
    return problems


def call_closing_time_reached(call: Call, ctx: dict[str, Any]) -> list[str]:
    if ctx.get("system") and call.closes_at > timezone.now():
        return [_("The closing time has not been reached.")]
    return []


def call_all_decided(call: Call, ctx: dict[str, Any]) -> list[str]:
    pending = call.applications.exclude(
        status__in=[S.DRAFT, S.APPROVED, S.REJECTED, S.WITHDRAWN, S.INELIGIBLE]
    ).count()
    if pending:
        return [_("%(n)s application(s) still await a decision.") % {"n": pending}]
    return []


C = CallStatus
CALL_TRANSITIONS: tuple[Transition, ...] = (
    Transition(C.DRAFT, C.OPEN, M, "open", gettext_lazy("Open the call"), (call_has_rubric, call_dates_valid)),
    Transition(C.OPEN, C.CLOSED, frozenset({Role.MANAGER, SYSTEM}), "close", gettext_lazy("Close the call"),
               (call_closing_time_reached,)),
    Transition(C.CLOSED, C.DECIDED, M, "decide", gettext_lazy("Mark as decided"), (call_all_decided,)),
    Transition(C.DECIDED, C.ARCHIVED, M, "archive", gettext_lazy("Archive")),
)

CALL = register(StateMachine(
    name="call",
    model=Call,
    states=CallStatus,
    transitions=CALL_TRANSITIONS,
    wrong_step_message=gettext_lazy("A call that is “%(source)s” cannot become “%(target)s”."),
))


# --- reviews: the conflict-of-interest declaration, then the submission -----------------

def application_in_review_phase(review: Review, ctx: dict[str, Any]) -> list[str]:
    """A declaration after the review phase would open a closed application to the reviewer."""
    if review.application.status not in ASSIGNABLE_STATUSES:
        return [_("The application is not in review any more.")]
    return []


def conflict_described(review: Review, ctx: dict[str, Any]) -> list[str]:
    return [] if (ctx.get("details") or "").strip() else [_("Describe the conflict of interest.")]


def application_in_review(review: Review, ctx: dict[str, Any]) -> list[str]:
    if review.application.status != S.IN_REVIEW:
        return [_("The application is not in review any more.")]
    return []


def every_criterion_scored(review: Review, ctx: dict[str, Any]) -> list[str]:
    scored = {s.criterion_id for s in review.scores.all() if s.score in SCORE_LEVELS}
    return [_("Score the criterion: %(name)s") % {"name": c.name}
            for c in review.application.call.criteria.all() if c.pk not in scored]


def recommendation_chosen(review: Review, ctx: dict[str, Any]) -> list[str]:
    return [] if review.recommendation in Recommendation.values else [_("Choose a recommendation.")]


def reviewer_acts_on_own_review(actor: Actor, review: Review) -> bool:
    """A reviewer declares and scores only the reviews assigned to them."""
    return review.reviewer_id == actor.user_id


R = ReviewStatus
REVIEWER = frozenset({Role.REVIEWER})
# What a submission needs; the scoring service checks it first, to keep an incomplete submission as a draft.
SUBMISSION_REQUIREMENTS = (application_in_review, every_criterion_scored, recommendation_chosen)
REVIEW_TRANSITIONS: tuple[Transition, ...] = (
    Transition(R.ASSIGNED, R.DRAFT, REVIEWER, "declare_no_conflict", gettext_lazy("Declare no conflict of interest"),
               (application_in_review_phase,)),
    Transition(R.ASSIGNED, R.RECUSED, REVIEWER, "declare_conflict", gettext_lazy("Declare a conflict of interest"),
               (application_in_review_phase, conflict_described)),
    Transition(R.DRAFT, R.SUBMITTED, REVIEWER, "submit", gettext_lazy("Submit the review"),
               SUBMISSION_REQUIREMENTS),
)

REVIEW = register(StateMachine(
    name="review",
    model=Review,
    states=ReviewStatus,
    transitions=REVIEW_TRANSITIONS,
    may_act=reviewer_acts_on_own_review,
    wrong_step_message=gettext_lazy("A review that is “%(source)s” cannot become “%(target)s”."),
    role_message=gettext_lazy("This review is assigned to someone else."),
))
