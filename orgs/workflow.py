"""State tables for orgs, registered with the kernel's workflow engine. Data, so tests walk every row."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relais.actor import SYSTEM
from relais.models import Role
from relais.workflow import StateMachine, Transition, register

from .models import Organisation, OrganisationStatus

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

from .models import OrganisationDocument, ReviewStatus, Screening, ScreeningDecision  # noqa: E402


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
