"""Writers for reviews: assignment (manual and balanced), conflict declaration, scoring."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.conflicts import conflict_of_interest
from relais.errors import Refused
from relais.models import Membership, Role, User
from relais.workflow import transition

from ..models import (
    SCORE_LEVELS,
    Application,
    ApplicationStatus,
    Call,
    ConflictOfInterest,
    Recommendation,
    Review,
    ReviewScore,
    ReviewStatus,
)
from ..permissions import can_assign_reviewers, reviewer_conflict
from ..selectors import reviewer_memberships
from ..workflow import ASSIGNABLE_STATUSES, REVIEW, SUBMISSION_REQUIREMENTS
from .common import same_tenant
from .ranking import ranking_facts_refresh


def _require(decision) -> None:
    if not decision:
        raise Refused(decision.reason, forbidden=True)


def review_assign(*, application: Application, reviewer: User, actor: Actor) -> Review:
    """Manager assigns one reviewer; never a member of the applicant organisation, never twice, and
    never by a manager linked to the applicant CSO (conflict of interest)."""
    _require(can_assign_reviewers(actor))
    same_tenant(actor, application)
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk, tenant=actor.tenant)
        _require(conflict_of_interest(actor, app.organisation_id))
        if app.status not in ASSIGNABLE_STATUSES:
            raise Refused(_("Reviewers can be assigned only during screening or review."))
        reviewer_membership = Membership.objects.filter(
            tenant=actor.tenant, user=reviewer, role=Role.REVIEWER, is_active=True
        ).select_related("user").first()
        if reviewer_membership is None:
            raise Refused(_("This person is not a reviewer in this workspace."))
        conflict = reviewer_conflict(reviewer_membership, app)
        if conflict:
            raise Refused(conflict)
        if Review.objects.filter(application=app, reviewer=reviewer).exists():
            raise Refused(_("%(user)s is already assigned to this application.") % {"user": reviewer.display_name})
        review = Review.objects.create(tenant_id=app.tenant_id, application=app, reviewer=reviewer,
                                       assigned_by=actor.user)
        ranking_facts_refresh(call_id=app.call_id, application_ids=[app.pk])
        audit_record(tenant=actor.tenant, actor=actor.user, action="review.assigned", target=review,
                     after={"application": app.pk, "reviewer": reviewer.pk})
    return review


def reviews_assign_automatically(*, call: Call, actor: Actor) -> int:
    """Fill every application in screening/review up to the call's reviewers per application.

    Picks, for each open slot, the eligible reviewer with the fewest active reviews
    in the tenant (ties: by name), skipping members of the applicant organisation
    and reviewers already on (or recused from) that application. Applications of a CSO
    the manager is linked to are left to another manager (conflict of interest).
    """
    _require(can_assign_reviewers(actor))
    same_tenant(actor, call)
    reviewers = reviewer_memberships(actor=actor)
    load = Counter(
        Review.objects.filter(tenant=actor.tenant).exclude(status=ReviewStatus.RECUSED)
        .exclude(application__status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED,
                                          ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE])
        .values_list("reviewer_id", flat=True)
    )
    created = 0
    applications = (Application.objects.filter(tenant=actor.tenant, call=call, status__in=ASSIGNABLE_STATUSES)
                    .prefetch_related("reviews").order_by("reference", "id"))
    for app in applications:
        if not conflict_of_interest(actor, app.organisation_id):
            continue  # the manager's own CSO: another manager assigns its reviewers
        current = list(app.reviews.all())
        taken = {r.reviewer_id for r in current}
        active = sum(1 for r in current if r.status != ReviewStatus.RECUSED)
        needed = call.reviewers_per_application - active
        candidates = [m for m in reviewers if m.user_id not in taken and not reviewer_conflict(m, app)]
        for _slot in range(max(0, needed)):
            if not candidates:
                break
            candidates.sort(key=lambda m: (load[m.user_id], m.user.display_name, m.user_id))
            chosen = candidates.pop(0)
            review_assign(application=app, reviewer=chosen.user, actor=actor)
            load[chosen.user_id] += 1
            created += 1
    return created


def _lock_own_review(review: Review, actor: Actor) -> Review:
    same_tenant(actor, review)
    locked = (Review.objects.select_for_update(of=("self",)).select_related("application__call")
              .get(pk=review.pk, tenant=actor.tenant))
    if locked.reviewer_id != actor.user_id:
        raise Refused(REVIEW.role_message, forbidden=True)
    return locked


def review_declare_conflict(*, review: Review, actor: Actor, has_conflict: bool, details: str = "") -> Review:
    """The reviewer declares no conflict (review opens) or a conflict (recused; the manager reassigns)."""
    details = details.strip()

    def record(locked: Review, ctx: dict[str, Any]) -> dict[str, Any]:
        locked.coi = ConflictOfInterest.DECLARED if has_conflict else ConflictOfInterest.NONE
        locked.coi_text = details if has_conflict else ""
        locked.coi_declared_at = timezone.now()
        return {"coi": locked.coi}

    with transaction.atomic():
        locked = _lock_own_review(review, actor)
        if locked.status != ReviewStatus.ASSIGNED:
            raise Refused(_("The conflict-of-interest declaration was already made."))
        target = ReviewStatus.RECUSED if has_conflict else ReviewStatus.DRAFT
        locked = transition(REVIEW, obj=locked, target=target, actor=actor, context={"details": details},
                            apply=record, lock_related=("application__call",))
        ranking_facts_refresh(call_id=locked.application.call_id, application_ids=[locked.application_id])
    review.refresh_from_db()
    return locked


def review_save(*, review: Review, actor: Actor, scores: Mapping[int, tuple[int | None, str]], recommendation: str,
                comment: str, submit: bool, expected_version: int | None = None) -> Review:
    """Save the scores as a draft, or submit them (all criteria scored and a recommendation); then locked.

    An incomplete submission is still saved as a draft before the problems are
    raised: nothing the reviewer typed is lost. `expected_version`: the version the page was loaded
    from; if the review was saved since (another tab), nothing is written and Stale is raised.
    """
    from .applications import application_transition

    problems: list[str] = []
    with transaction.atomic():
        locked = _lock_own_review(review, actor)
        if locked.status != ReviewStatus.DRAFT:
            raise Refused(_("This review is locked (%(status)s).") % {"status": locked.get_status_display()})
        if locked.application.status != ApplicationStatus.IN_REVIEW:
            raise Refused(_("The application is not in review any more."))
        claim_version(locked, expected=expected_version)
        criteria = list(locked.application.call.criteria.all())
        wrong = [c.name for c in criteria if scores.get(c.pk, (None, ""))[0] not in (None, *SCORE_LEVELS)]
        if wrong:
            raise Refused(_("Scores go from 0 to 5: %(criteria)s.") % {"criteria": ", ".join(wrong)})
        for criterion in criteria:
            score, text = scores.get(criterion.pk, (None, ""))
            ReviewScore.objects.update_or_create(
                review=locked, criterion=criterion,
                defaults={"tenant_id": locked.tenant_id, "score": score, "comment": text or ""},
            )
        locked.recommendation = recommendation if recommendation in Recommendation.values else ""
        locked.comment = comment or ""
        locked.save()
        if submit:
            problems = [problem for requirement in SUBMISSION_REQUIREMENTS for problem in requirement(locked, {})]
        if not submit or problems:
            audit_record(tenant=actor.tenant, actor=actor.user, action="review.draft_saved", target=locked,
                         after={"status": locked.status})
        else:
            locked = transition(REVIEW, obj=locked, target=ReviewStatus.SUBMITTED, actor=actor,
                                apply=_stamp_submitted, lock_related=("application__call",))
            # Lock the application: when the last two reviewers submit at once, the
            # second waits here and then sees the first one's review as submitted.
            app = (Application.objects.select_for_update(of=("self",)).select_related("call")
                   .get(pk=locked.application_id, tenant_id=locked.tenant_id))
            reviews = list(app.reviews.exclude(status=ReviewStatus.RECUSED))
            if (len(reviews) >= app.call.reviewers_per_application
                    and all(r.status == ReviewStatus.SUBMITTED for r in reviews)):
                application_transition(application=app, target=ApplicationStatus.DECISION_PENDING,
                                       actor=Actor.system(actor.tenant))
        # After any status change above, which saves the application row as it was read.
        ranking_facts_refresh(call_id=locked.application.call_id, application_ids=[locked.application_id])
    if problems:
        raise Refused(problems)
    review.refresh_from_db()
    return locked


def _stamp_submitted(locked: Review, ctx: dict[str, Any]) -> None:
    locked.submitted_at = timezone.now()
