"""State tables for orgs, registered with the kernel's workflow engine. Data, so tests walk every row."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relais.actor import SYSTEM
from relais.models import Membership, Role
from relais.workflow import StateMachine, Transition, register

from .models import (
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    OrganisationDocument,
    OrganisationStatus,
    PaymentDetails,
    PaymentDetailsStatus,
    ReviewStatus,
    Screening,
    ScreeningDecision,
)
from .permissions.organisations import four_eyes_problem

S = OrganisationStatus
M = frozenset({Role.MANAGER})

ORGANISATION = register(StateMachine(
    name="organisation",
    model=Organisation,
    states=OrganisationStatus,
    transitions=(
        Transition(S.PENDING, S.VERIFIED, M, "verify", _("Verify")),
        Transition(S.PENDING, S.SUSPENDED, M, "suspend", _("Suspend"), reason_required=True),
        Transition(S.VERIFIED, S.SUSPENDED, M, "suspend", _("Suspend"), reason_required=True),
        # Reinstating a suspended CSO is a decision too: say why.
        Transition(S.SUSPENDED, S.VERIFIED, M, "reinstate", _("Reinstate"), reason_required=True),
        # A confirmed sanctions match suspends the CSO, whatever its state (the screening decision is audited too).
        Transition(S.PENDING, S.SUSPENDED, frozenset({SYSTEM}), "suspend_sanctions_match", _("Suspend"),
                   reason_required=True),
        Transition(S.VERIFIED, S.SUSPENDED, frozenset({SYSTEM}), "suspend_sanctions_match", _("Suspend"),
                   reason_required=True),
    ),
    wrong_step_message=_("An organisation cannot go from « %(source)s » to « %(target)s »."),
    role_message=_("Only a programme manager can change an organisation's status."),
))


# --- due diligence and sanctions screening ------------------------------------------------

def rejection_explained(document: OrganisationDocument, ctx: dict) -> list[str]:
    """A rejected document needs a comment the CSO can act on (the reason of the step)."""
    if (ctx.get("reason") or "").strip():
        return []
    return [_("Say why the document is rejected, so the organisation can fix it.")]


def decision_explained(screening: Screening, ctx: dict) -> list[str]:
    if (ctx.get("reason") or "").strip():
        return []
    return [_("Give the reason for your decision: it is kept in the audit trail.")]


R = ReviewStatus
# A manager may review a document again (the review form is offered on every document):
# accepting or rejecting it whatever its review, never sending it back to "awaiting review".
ORGANISATION_DOCUMENT = register(StateMachine(
    name="organisation_document",
    model=OrganisationDocument,
    states=ReviewStatus,
    state_field="review_status",
    transitions=tuple(
        Transition(source, target, M, action, label, requires=requires)
        for source in (R.PENDING, R.ACCEPTED, R.REJECTED)
        for target, action, label, requires in (
            (R.ACCEPTED, "accept", _("Accept"), ()),
            (R.REJECTED, "reject", _("Reject"), (rejection_explained,)),
        )
    ),
    wrong_step_message=_("A document cannot go from « %(source)s » to « %(target)s »."),
    role_message=_("Only a programme manager can accept or reject documents."),
))

D = ScreeningDecision
# A screening with candidates waits for a manager's decision, taken once: a new screening
# is needed to decide again. A confirmed match also suspends the CSO (organisation table,
# system row "suspend_sanctions_match"), in the same transaction (orgs.services.screening).
SCREENING = register(StateMachine(
    name="screening",
    model=Screening,
    states=ScreeningDecision,
    state_field="decision",
    transitions=(
        Transition(D.PENDING, D.CLEAR, M, "clear", _("Clear"), requires=(decision_explained,)),
        Transition(D.PENDING, D.FALSE_POSITIVE, M, "false_positive", _("False positive"),
                   requires=(decision_explained,)),
        Transition(D.PENDING, D.CONFIRMED, M, "confirm", _("Confirmed match"), requires=(decision_explained,)),
    ),
    wrong_step_message=_("This screening has already been decided; run a new screening to decide again."),
    role_message=_("Only a programme manager can run a sanctions screening or import a list."),
))


# --- join requests: a manager, or a current applicant member of the CSO, answers ------------------------


def _answers_join_request(actor, join_request: JoinRequest) -> bool:
    """A manager answers any request of the tenant; an applicant only those for their own CSO."""
    return actor.is_manager or actor.acts_for(join_request.organisation_id)


def requester_not_yet_member(join_request: JoinRequest, ctx) -> list[str]:
    """Approving makes the requester an applicant member: refused when they already are a member."""
    if Membership.objects.filter(tenant_id=join_request.tenant_id, user_id=join_request.user_id,
                                 is_active=True).exists():
        return [str(_("This person is already a member of the workspace."))]
    return []


J = JoinRequestStatus
ANSWER = frozenset({Role.MANAGER, Role.APPLICANT})

JOIN_REQUEST = register(StateMachine(
    name="join_request",
    model=JoinRequest,
    states=JoinRequestStatus,
    transitions=(
        Transition(J.PENDING, J.APPROVED, ANSWER, "approve", _("Approve"), requires=(requester_not_yet_member,)),
        Transition(J.PENDING, J.DECLINED, ANSWER, "decline", _("Decline")),
    ),
    may_act=_answers_join_request,
    wrong_step_message=_("This request has already been answered."),
    role_message=_("Only a programme manager or a current member of the organisation can answer this request."),
))


# --- payment details: finance verifies; a change makes them unverified again -------------------------------


def _may_handle_payment_details(actor, details: PaymentDetails) -> bool:
    """Finance handles every CSO's payment details; an applicant only their own CSO's."""
    return actor.role != Role.APPLICANT or actor.acts_for(details.organisation_id)


def verified_by_a_second_person(details: PaymentDetails, ctx) -> list[str]:
    """Four eyes: whoever changed the details cannot verify them; another finance member must."""
    problem = four_eyes_problem(ctx.get("actor"), details)
    return [problem] if problem else []


P = PaymentDetailsStatus

PAYMENT_DETAILS = register(StateMachine(
    name="payment_details",
    model=PaymentDetails,
    states=PaymentDetailsStatus,
    transitions=(
        Transition(P.UNVERIFIED, P.VERIFIED, frozenset({Role.FINANCE}), "verify",
                   pgettext_lazy("payment details", "Mark as verified"), requires=(verified_by_a_second_person,)),
        # Whoever may edit the details (finance, the CSO's own members) changes them: finance verifies again.
        Transition(P.VERIFIED, P.UNVERIFIED, frozenset({Role.FINANCE, Role.APPLICANT}), "change",
                   _("Change the payment details")),
    ),
    may_act=_may_handle_payment_details,
    wrong_step_message=_("These payment details are already verified."),
    role_message=_("Only a finance officer can verify payment details."),
))
