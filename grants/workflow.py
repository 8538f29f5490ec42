"""State tables for calls, applications, reviews, awards and disbursements, registered with the
kernel's workflow engine.

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
    AUTOMATED_RAILS,
    SCORE_LEVELS,
    AgreementDocumentKind,
    Application,
    ApplicationStatus,
    Award,
    AwardStatus,
    Call,
    CallStatus,
    Disbursement,
    DisbursementStatus,
    ProgressReport,
    Rail,
    Recommendation,
    ReportKind,
    ReportStatus,
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


# --- awards: drafted -> agreement issued -> signed by the grantee -> active -> closed / terminated ---------

def may_act_on_award(actor: Actor, award: Award) -> bool | Decision:
    """The grantee acts only on its own award; staff never on the award of a CSO they are linked to."""
    if actor.role == Role.APPLICANT:
        return actor.acts_for(award.organisation_id)
    return conflict_of_interest(actor, award.organisation_id)


def agreement_generated(award: Award, ctx: dict[str, Any]) -> list[str]:
    if award.documents.filter(kind=AgreementDocumentKind.GENERATED).exists():
        return []
    return [_("Generate the agreement before issuing it.")]


def tranches_add_up(award: Award, ctx: dict[str, Any]) -> list[str]:
    tranches = list(award.tranches.filter(cancelled_at__isnull=True))
    total = sum((t.amount for t in tranches), Decimal(0))
    if not tranches:
        return [_("Plan at least one tranche.")]
    if total != award.amount:
        return [_("The tranches add up to %(total)s, not to the awarded %(amount)s.")
                % {"total": format_money(total, award.currency), "amount": format_money(award.amount, award.currency)}]
    return []


def signature_recorded(award: Award, ctx: dict[str, Any]) -> list[str]:
    latest = award.documents.filter(kind=AgreementDocumentKind.GENERATED).order_by("-number").first()
    if latest is not None and award.signatures.filter(document=latest).exists():
        return []
    return [_("The grantee has not signed the latest version of the agreement.")]


def all_tranches_settled(award: Award, ctx: dict[str, Any]) -> list[str]:
    open_tranches = [t for t in award.tranches.all() if t.cancelled_at is None and t.paid < t.amount]
    if open_tranches:
        return [_("Tranche %(number)s is neither fully paid nor cancelled.") % {"number": t.number}
                for t in open_tranches]
    if award.disbursements.filter(status__in=[DisbursementStatus.AWAITING_APPROVAL,
                                              DisbursementStatus.PROCESSING]).exists():
        return [_("A payment is still awaiting approval or processing.")]
    return []


def final_report_approved(award: Award, ctx: dict[str, Any]) -> list[str]:
    """The award closes on its final report: approved (an award planned without one closes on its payments)."""
    final = award.reports.filter(kind=ReportKind.FINAL).order_by("-number").first()
    if final is None or final.status == ReportStatus.APPROVED:
        return []
    return [_("The final report is not approved yet (%(status)s).") % {"status": final.get_status_display()}]


def nothing_in_flight(award: Award, ctx: dict[str, Any]) -> list[str]:
    if award.disbursements.filter(status__in=[DisbursementStatus.AWAITING_APPROVAL,
                                              DisbursementStatus.PROCESSING]).exists():
        return [_("A payment is still awaiting approval or processing: settle it first.")]
    return []


W = AwardStatus
AWARD_TRANSITIONS: tuple[Transition, ...] = (
    Transition(W.DRAFTED, W.ISSUED, M, "issue", gettext_lazy("Issue the agreement"),
               (tranches_add_up, agreement_generated)),
    Transition(W.ISSUED, W.DRAFTED, M, "reopen", gettext_lazy("Withdraw the agreement to change the terms"),
               (reason_given,)),
    Transition(W.ISSUED, W.SIGNED, A, "sign", gettext_lazy("Sign the agreement"), (signature_recorded,)),
    Transition(W.SIGNED, W.ACTIVE, M, "countersign", gettext_lazy("Countersign"), (signature_recorded,)),
    Transition(W.ACTIVE, W.CLOSED, M, "close", gettext_lazy("Close the award"),
               (final_report_approved, all_tranches_settled)),
    *(Transition(s, W.TERMINATED, M, "terminate", gettext_lazy("Terminate"), (reason_given, nothing_in_flight))
      for s in (W.DRAFTED, W.ISSUED, W.SIGNED, W.ACTIVE)),
)

AWARD = register(StateMachine(
    name="award",
    model=Award,
    states=AwardStatus,
    transitions=AWARD_TRANSITIONS,
    may_act=may_act_on_award,
    wrong_step_message=gettext_lazy("An award that is “%(source)s” cannot become “%(target)s”."),
))

AWARD_CONFIRMED_TARGETS = frozenset({W.TERMINATED})


# --- disbursements: awaiting approval -> processing -> paid; failed, refused, reversed -------------------

def may_act_on_disbursement(actor: Actor, disbursement: Disbursement) -> bool | Decision:
    return conflict_of_interest(actor, disbursement.award.organisation_id)


def not_the_recorder(disbursement: Disbursement, ctx: dict[str, Any]) -> list[str]:
    """Four eyes: the finance member who recorded a payment does not approve or refuse it."""
    actor: Actor = ctx["actor"]
    if not actor.is_system and actor.user_id is not None and actor.user_id == disbursement.recorded_by_id:
        return [_("You recorded this payment: another finance member must approve it.")]
    return []


def manual_rail(disbursement: Disbursement, ctx: dict[str, Any]) -> list[str]:
    if disbursement.rail in AUTOMATED_RAILS:
        return [_("This payment is sent through the provider; it is confirmed by the provider.")]
    return []


def automated_rail(disbursement: Disbursement, ctx: dict[str, Any]) -> list[str]:
    if disbursement.rail not in AUTOMATED_RAILS:
        return [_("This payment was made by hand; approving it marks it paid.")]
    return []


def stripe_send_stalled(disbursement: Disbursement, ctx: dict[str, Any]) -> list[str]:
    """Finance marks a payment failed by hand only when it is a Stripe payment Relais could not send and
    stopped trying to: no transfer id is known (a transfer Stripe made is confirmed or reversed by Stripe,
    never failed by hand) and no retry is scheduled (one could still create the transfer)."""
    if disbursement.rail != Rail.STRIPE:
        return [_("Only a Stripe payment that could not be sent can be marked failed by hand.")]
    if disbursement.external_id:
        return [_("Stripe created the transfer of this payment: Stripe confirms or reverses it, it cannot be "
                  "marked failed by hand.")]
    if disbursement.send_stalled_at is None:
        return [_("Relais is still trying to send this payment: wait until it stops (finance is told by "
                  "e-mail) before marking it failed.")]
    return []


D = DisbursementStatus
FINANCE = frozenset({Role.FINANCE})
SYSTEM_ONLY = frozenset({SYSTEM})
DISBURSEMENT_TRANSITIONS: tuple[Transition, ...] = (
    Transition(D.AWAITING_APPROVAL, D.PAID, FINANCE, "approve", gettext_lazy("Approve the payment"),
               (not_the_recorder, manual_rail)),
    Transition(D.AWAITING_APPROVAL, D.PROCESSING, FINANCE, "approve_send", gettext_lazy("Approve and send"),
               (not_the_recorder, automated_rail)),
    Transition(D.AWAITING_APPROVAL, D.REJECTED, FINANCE, "refuse", gettext_lazy("Refuse the payment"),
               (not_the_recorder, reason_given)),
    Transition(D.PROCESSING, D.PAID, SYSTEM_ONLY, "confirm", gettext_lazy("Confirmed by the provider")),
    Transition(D.PROCESSING, D.FAILED, SYSTEM_ONLY, "fail", gettext_lazy("Failed at the provider")),
    Transition(D.PROCESSING, D.FAILED, FINANCE, "mark_not_sent", gettext_lazy("Marked failed (never sent)"),
               (stripe_send_stalled,), reason_required=True),
    Transition(D.PAID, D.REVERSED, frozenset({Role.FINANCE, SYSTEM}), "reverse", gettext_lazy("Reverse"),
               (reason_given,)),
)

DISBURSEMENT = register(StateMachine(
    name="disbursement",
    model=Disbursement,
    states=DisbursementStatus,
    transitions=DISBURSEMENT_TRANSITIONS,
    may_act=may_act_on_disbursement,
    wrong_step_message=gettext_lazy("A payment that is “%(source)s” cannot become “%(target)s”."),
))

DISBURSEMENT_CONFIRMED_TARGETS = frozenset({D.REJECTED, D.REVERSED, D.FAILED})


# --- progress reports: to write -> submitted -> approved / changes requested -> resubmitted ------------------

def may_act_on_report(actor: Actor, report: ProgressReport) -> bool | Decision:
    if actor.role == Role.APPLICANT:
        return actor.acts_for(report.award.organisation_id)
    return conflict_of_interest(actor, report.award.organisation_id)


def report_complete(report: ProgressReport, ctx: dict[str, Any]) -> list[str]:
    from .reporting import report_problems  # the rules of a complete report, shared with the form's checklist

    return report_problems(report)


def award_under_way(report: ProgressReport, ctx: dict[str, Any]) -> list[str]:
    if report.award.status not in (AwardStatus.ACTIVE, AwardStatus.SIGNED):
        return [_("The award is “%(status)s”: reports are submitted once the agreement is signed.")
                % {"status": report.award.get_status_display()}]
    return []


def comments_or_reason(report: ProgressReport, ctx: dict[str, Any]) -> list[str]:
    if (ctx.get("reason") or "").strip() or any((v or "").strip() for v in (report.review_comments or {}).values()):
        return []
    return [_("Say what to change: a general message or a comment on a section.")]


P = ReportStatus
REPORT_TRANSITIONS: tuple[Transition, ...] = (
    Transition(P.DRAFT, P.SUBMITTED, A, "submit", gettext_lazy("Submit the report"),
               (award_under_way, report_complete)),
    Transition(P.CHANGES_REQUESTED, P.SUBMITTED, A, "resubmit", gettext_lazy("Resubmit the report"),
               (award_under_way, report_complete)),
    Transition(P.SUBMITTED, P.APPROVED, M, "approve", gettext_lazy("Approve the report")),
    Transition(P.SUBMITTED, P.CHANGES_REQUESTED, M, "request_changes", gettext_lazy("Request changes"),
               (comments_or_reason,)),
)

REPORT = register(StateMachine(
    name="report",
    model=ProgressReport,
    states=ReportStatus,
    transitions=REPORT_TRANSITIONS,
    may_act=may_act_on_report,
    wrong_step_message=gettext_lazy("A report that is “%(source)s” cannot become “%(target)s”."),
))
