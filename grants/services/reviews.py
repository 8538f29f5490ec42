"""Writers for reviews: assignment (manual and balanced), conflict declaration, scoring."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.audit import audit_record
from relais.models import Membership, Role, User

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

ASSIGNABLE_STATUSES = (ApplicationStatus.SCREENING, ApplicationStatus.IN_REVIEW)


def _require_manager(membership: Membership) -> None:
    if membership.role != Role.MANAGER:
        raise PermissionDenied(_("Only programme managers assign reviewers."))


def reviewer_memberships(*, tenant) -> list[Membership]:
    return list(Membership.objects.filter(tenant=tenant, role=Role.REVIEWER, is_active=True)
                .select_related("user").order_by("user__full_name", "user__email"))


def reviewer_conflict(membership: Membership, application: Application) -> str:
    """Why this reviewer may not review the application ('' when they may)."""
    if membership.organisation_id and membership.organisation_id == application.organisation_id:
        return _("%(user)s is a member of the applicant organisation.") % {"user": membership.user.display_name}
    return ""


def review_assign(*, application: Application, reviewer: User, actor: User, membership: Membership) -> Review:
    """Manager assigns one reviewer; never a member of the applicant organisation, never twice."""
    _require_manager(membership)
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk, tenant=membership.tenant)
        if app.status not in ASSIGNABLE_STATUSES:
            raise ValidationError(_("Reviewers can be assigned only during screening or review."))
        reviewer_membership = Membership.objects.filter(
            tenant=membership.tenant, user=reviewer, role=Role.REVIEWER, is_active=True
        ).select_related("user").first()
        if reviewer_membership is None:
            raise ValidationError(_("This person is not a reviewer in this workspace."))
        conflict = reviewer_conflict(reviewer_membership, app)
        if conflict:
            raise ValidationError(conflict)
        if Review.objects.filter(application=app, reviewer=reviewer).exists():
            raise ValidationError(_("%(user)s is already assigned to this application.")
                                  % {"user": reviewer.display_name})
        review = Review.objects.create(tenant=app.tenant, application=app, reviewer=reviewer, assigned_by=actor)
        audit_record(tenant=app.tenant, actor=actor, action="review.assigned", target=review,
                     after={"application": app.pk, "reviewer": reviewer.pk})
    return review


def reviews_assign_automatically(*, call: Call, actor: User, membership: Membership) -> int:
    """Fill every application in screening/review up to the call's reviewers per application.

    Picks, for each open slot, the eligible reviewer with the fewest active reviews
    in the tenant (ties: by name), skipping members of the applicant organisation
    and reviewers already on (or recused from) that application.
    """
    _require_manager(membership)
    reviewers = reviewer_memberships(tenant=membership.tenant)
    load = Counter(
        Review.objects.filter(tenant=membership.tenant).exclude(status=ReviewStatus.RECUSED)
        .exclude(application__status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED,
                                          ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE])
        .values_list("reviewer_id", flat=True)
    )
    created = 0
    applications = (Application.objects.filter(tenant=membership.tenant, call=call, status__in=ASSIGNABLE_STATUSES)
                    .prefetch_related("reviews").order_by("reference", "id"))
    for app in applications:
        current = [r for r in app.reviews.all()]
        taken = {r.reviewer_id for r in current}
        active = sum(1 for r in current if r.status != ReviewStatus.RECUSED)
        needed = call.reviewers_per_application - active
        candidates = [m for m in reviewers if m.user_id not in taken and not reviewer_conflict(m, app)]
        for _slot in range(max(0, needed)):
            if not candidates:
                break
            candidates.sort(key=lambda m: (load[m.user_id], m.user.display_name, m.user_id))
            chosen = candidates.pop(0)
            review_assign(application=app, reviewer=chosen.user, actor=actor, membership=membership)
            load[chosen.user_id] += 1
            created += 1
    return created


def _lock_own_review(review: Review, actor: User) -> Review:
    locked = Review.objects.select_for_update(of=("self",)).select_related("application__call").get(pk=review.pk)
    if locked.reviewer_id != actor.pk:
        raise PermissionDenied(_("This review is assigned to someone else."))
    return locked


def review_declare_conflict(*, review: Review, actor: User, has_conflict: bool, details: str = "") -> Review:
    """The reviewer declares no conflict (review opens) or a conflict (recused; the manager reassigns)."""
    with transaction.atomic():
        locked = _lock_own_review(review, actor)
        if locked.status != ReviewStatus.ASSIGNED:
            raise ValidationError(_("The conflict-of-interest declaration was already made."))
        if locked.application.status not in ASSIGNABLE_STATUSES:  # else it would open a closed application
            raise ValidationError(_("The application is not in review any more."))
        if has_conflict and not details.strip():
            raise ValidationError(_("Describe the conflict of interest."))
        locked.coi = ConflictOfInterest.DECLARED if has_conflict else ConflictOfInterest.NONE
        locked.coi_text = details.strip() if has_conflict else ""
        locked.coi_declared_at = timezone.now()
        locked.status = ReviewStatus.RECUSED if has_conflict else ReviewStatus.DRAFT
        locked.save()
        audit_record(tenant=locked.tenant, actor=actor,
                     action="review.recused" if has_conflict else "review.no_conflict_declared", target=locked,
                     before={"status": ReviewStatus.ASSIGNED}, after={"status": locked.status, "coi": locked.coi})
    return locked


def review_save(*, review: Review, actor: User, scores: dict[int, tuple[int | None, str]], recommendation: str,
                comment: str, submit: bool) -> Review:
    """Save the scores as a draft, or submit them (all criteria scored and a recommendation); then locked.

    An incomplete submission is still saved as a draft before the problems are
    raised: nothing the reviewer typed is lost.
    """
    from .applications import application_transition

    problems: list = []
    with transaction.atomic():
        locked = _lock_own_review(review, actor)
        if locked.status != ReviewStatus.DRAFT:
            raise ValidationError(_("This review is locked (%(status)s).") % {"status": locked.get_status_display()})
        if locked.application.status != ApplicationStatus.IN_REVIEW:
            raise ValidationError(_("The application is not in review any more."))
        criteria = list(locked.application.call.criteria.all())
        wrong = [c.name for c in criteria if scores.get(c.pk, (None, ""))[0] not in (None, *SCORE_LEVELS)]
        if wrong:
            raise ValidationError(_("Scores go from 0 to 5: %(criteria)s.") % {"criteria": ", ".join(wrong)})
        for criterion in criteria:
            score, text = scores.get(criterion.pk, (None, ""))
            ReviewScore.objects.update_or_create(
                review=locked, criterion=criterion,
                defaults={"tenant": locked.tenant, "score": score, "comment": text or ""},
            )
        locked.recommendation = recommendation if recommendation in Recommendation.values else ""
        locked.comment = comment or ""
        if submit:
            problems = [_("Score the criterion: %(name)s") % {"name": c.name}
                        for c in criteria if scores.get(c.pk, (None, ""))[0] is None]
            if not locked.recommendation:
                problems.append(_("Choose a recommendation."))
            if not problems:
                locked.status = ReviewStatus.SUBMITTED
                locked.submitted_at = timezone.now()
        submitted = submit and not problems
        locked.save()
        audit_record(tenant=locked.tenant, actor=actor,
                     action="review.submitted" if submitted else "review.draft_saved", target=locked,
                     after={"status": locked.status})
        if submitted:
            # Lock the application: when the last two reviewers submit at once, the
            # second waits here and then sees the first one's review as submitted.
            app = (Application.objects.select_for_update(of=("self",)).select_related("call")
                   .get(pk=locked.application_id, tenant_id=locked.tenant_id))
            reviews = list(app.reviews.exclude(status=ReviewStatus.RECUSED))
            if (len(reviews) >= app.call.reviewers_per_application
                    and all(r.status == ReviewStatus.SUBMITTED for r in reviews)):
                application_transition(application=app, target=ApplicationStatus.DECISION_PENDING,
                                       actor=None, membership=None)
    if problems:
        raise ValidationError(problems)
    return locked
