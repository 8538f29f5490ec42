"""Readers for grants. Every query takes the tenant; access_* functions 404 for foreign or hidden rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.selectors.organisations import audit_timeline
from relais.display import ReadOnlyView
from relais.models import Membership, Role, Tenant

from . import scoring
from .models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    ApplicationVersion,
    BudgetLine,
    Call,
    CallStatus,
    EligibilityAnswer,
    Review,
    ReviewScore,
    ReviewStatus,
    TimelineActivity,
)
from .permissions import identity_hidden

S = ApplicationStatus
STAFF_SEE_ALL = (Role.MANAGER, Role.FINANCE)


def call_list(*, tenant: Tenant, membership: Membership) -> QuerySet[Call]:
    calls = Call.objects.filter(tenant=tenant)
    if membership.role == Role.APPLICANT:
        calls = calls.filter(status=CallStatus.OPEN, closes_at__gt=timezone.now())
    elif membership.role != Role.MANAGER:
        calls = calls.exclude(status=CallStatus.DRAFT)
    return calls.order_by("closes_at") if membership.role == Role.APPLICANT else calls


def access_call(*, tenant: Tenant, membership: Membership, pk: int) -> Call:
    return get_object_or_404(call_list(tenant=tenant, membership=membership), pk=pk)


def application_list(*, tenant: Tenant, membership: Membership) -> QuerySet[Application]:
    """Applicants: their organisation's; reviewers: the ones assigned to them (not recused); staff: all."""
    apps = Application.objects.filter(tenant=tenant).select_related("call", "organisation")
    if membership.role == Role.APPLICANT:
        return apps.filter(organisation_id=membership.organisation_id)
    if membership.role == Role.REVIEWER:
        # A recused reviewer is out: the application is no longer theirs to read.
        mine = Review.objects.filter(reviewer_id=membership.user_id).exclude(status=ReviewStatus.RECUSED)
        return apps.filter(pk__in=mine.values("application_id")).exclude(status=S.DRAFT)
    if membership.role in STAFF_SEE_ALL:
        return apps.exclude(status=S.DRAFT)
    return apps.none()


def organisations_under_review(*, tenant: Tenant, membership: Membership) -> QuerySet:
    """Ids of the CSOs a reviewer may see in the registry: applicants of the applications
    assigned to them (not recused), in calls without blind review. Registered with
    orgs.selectors.register_reviewer_organisations."""
    if membership.role != Role.REVIEWER:
        return Application.objects.none().values("organisation_id")
    return (application_list(tenant=tenant, membership=membership).filter(call__blind_review=False)
            .values("organisation_id"))


def access_application(*, tenant: Tenant, membership: Membership, pk: int) -> Application:
    return get_object_or_404(application_list(tenant=tenant, membership=membership), pk=pk)


def access_attachment(*, tenant: Tenant, membership: Membership, pk: int) -> ApplicationAttachment:
    attachment = get_object_or_404(
        ApplicationAttachment.objects.select_related("application__call"), tenant=tenant, pk=pk
    )
    # Same 404 when the application is not visible to this member.
    access_application(tenant=tenant, membership=membership, pk=attachment.application_id)
    return attachment


# --- what a reader may see of an application -------------------------------------------

@dataclass(frozen=True)
class HiddenOrganisation:
    """Stands in for the applicant organisation under blind review."""

    name: str

    @property
    def short_name(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


# What a blind reviewer may read of an application: the proposal, not who wrote it. A field
# added to Application later stays hidden from them until it is listed here.
BLIND_APPLICATION_FIELDS = frozenset({
    "pk", "id", "tenant_id", "call", "call_id", "reference", "status", "get_status_display", "is_editable",
    "currency", "title", "summary", "context", "objectives", "activities", "regions", "communes",
    "start_date", "end_date", "women", "men", "youth", "beneficiaries_total", "risks", "do_no_harm",
    "requested_amount", "cofunding_amount", "cofunding_source", "submitted_at", "awarded_amount", "decided_at",
})
BLIND_REVIEW_FIELDS = frozenset({
    "pk", "id", "tenant_id", "application_id", "reviewer", "reviewer_id", "status", "get_status_display",
    "is_locked", "coi", "get_coi_display", "coi_text", "coi_declared_at", "recommendation",
    "get_recommendation_display", "comment", "assigned_at", "submitted_at",
})


def anonymised_application(application: Application) -> ReadOnlyView:
    """The application without its applicant: an anonymised label for the organisation; no
    documents, versions or messages written to the applicant (they may name the organisation).
    Its rows (timeline, budget, answers) are read apart from the application object, so none of
    them carries it back (a related manager sets `row.application` to the very instance)."""
    own = {"tenant_id": application.tenant_id, "application_id": application.pk}
    return ReadOnlyView(
        application, fields=BLIND_APPLICATION_FIELDS,
        organisation=HiddenOrganisation(_("Hidden (blind review)")), organisation_id=None,
        changes_requested_message="", screening_reason="", decision_reason="",
        attachments=ApplicationAttachment.objects.none(), versions=ApplicationVersion.objects.none(),
        timeline=TimelineActivity.objects.filter(**own), budget_lines=BudgetLine.objects.filter(**own),
        answers=EligibilityAnswer.objects.filter(**own),
    )


def application_as_seen_by(*, application: Application, membership: Membership) -> Application | ReadOnlyView:
    """What a page may show this member: the application, or for a blind reviewer its anonymised view."""
    if identity_hidden(membership, application):
        return anonymised_application(application)
    return application


def review_as_seen_by(*, review: Review, membership: Membership) -> Review | ReadOnlyView:
    """A review whose application this member may not see by name reaches pages anonymised too
    (its scores read apart, as they would carry the review and its application back)."""
    if identity_hidden(membership, review.application):
        scores = ReviewScore.objects.filter(tenant_id=review.tenant_id, review_id=review.pk).select_related("criterion")
        return ReadOnlyView(review, fields=BLIND_REVIEW_FIELDS, application=anonymised_application(review.application),
                            scores=scores)
    return review


# Reasons typed for the applicant; other reasons (screening notes...) stay among staff.
APPLICANT_REASONS = {"application.changes_request", "application.mark_ineligible", "application.approve",
                     "application.reject"}


@dataclass(frozen=True)
class TimelineEntry:
    created_at: datetime
    action: str
    reason: str  # the reason this reader may see, or ""
    actor: str  # who acted, as this reader may know them


def application_timeline(*, tenant: Tenant, application: Application, membership: Membership) -> list[TimelineEntry]:
    """Audit events of the application as this member may read them. Blind reviewers see no reason
    (staff messages to the applicant may name the organisation) and no names; applicants see only
    the reasons written for them."""
    hidden = identity_hidden(membership, application)
    applicant = membership.role == Role.APPLICANT
    entries = []
    events = audit_timeline(tenant=tenant, target=application).exclude(action="application.section_saved")
    for event in events.select_related("actor"):
        reason = (event.after or {}).get("reason", "")
        if hidden or (applicant and event.action not in APPLICANT_REASONS):
            reason = ""
        if event.actor is None:
            actor = _("system")
        else:
            actor = _("someone") if hidden else str(event.actor)
        entries.append(TimelineEntry(created_at=event.created_at, action=event.action, reason=reason, actor=actor))
    return entries


def review_list(*, tenant: Tenant, membership: Membership) -> QuerySet[Review]:
    reviews = Review.objects.filter(tenant=tenant).select_related("application__call", "application__organisation")
    if membership.role == Role.MANAGER:
        return reviews.select_related("reviewer")
    return reviews.filter(reviewer_id=membership.user_id)


def access_review(*, tenant: Tenant, membership: Membership, pk: int) -> Review:
    return get_object_or_404(review_list(tenant=tenant, membership=membership), pk=pk)


def reviews_visible_to(*, review: Review) -> QuerySet[Review]:
    """Other reviews of the same application, only once this reviewer submitted their own."""
    if review.status != ReviewStatus.SUBMITTED:
        return Review.objects.none()
    return (Review.objects.filter(application_id=review.application_id, status=ReviewStatus.SUBMITTED)
            .exclude(pk=review.pk).select_related("reviewer", "application__call")
            .prefetch_related("scores__criterion"))


# --- ranking -----------------------------------------------------------------------

RANKED_STATUSES = (S.SCREENING, S.IN_REVIEW, S.DECISION_PENDING, S.APPROVED, S.REJECTED)


@dataclass
class RankingRow:
    application: Application | ReadOnlyView  # anonymised for a blind reviewer
    score: Decimal | None
    review_scores: list[Decimal | None]
    reviews_done: int
    reviews_expected: int
    spread: Decimal | None
    requested: Decimal
    running_total: Decimal = Decimal(0)
    within_envelope: bool = True
    first_over: bool = False
    rank: int = 0

    @property
    def disputed(self) -> bool:
        return scoring.is_disputed(self.spread)


def ranking(*, call: Call) -> list[RankingRow]:
    """Applications of a call ranked by weighted mean score, with the running total against the envelope.

    Four queries whatever the number of applications: criteria, applications,
    reviews, scores.
    """
    weights = {c.pk: c.weight for c in call.criteria.all()}
    submitted = Prefetch(
        "reviews", queryset=Review.objects.exclude(status=ReviewStatus.RECUSED).prefetch_related(
            Prefetch("scores", queryset=ReviewScore.objects.only("id", "review_id", "criterion_id", "score"))
        ), to_attr="active_reviews",
    )
    apps = (Application.objects.filter(tenant_id=call.tenant_id, call=call, status__in=RANKED_STATUSES)
            .select_related("organisation").prefetch_related(submitted))
    rows = []
    for app in apps:
        done = [r for r in app.active_reviews if r.status == ReviewStatus.SUBMITTED]
        per_review = [scoring.review_weighted_score({s.criterion_id: s.score for s in r.scores.all()}, weights)
                      for r in done]
        rows.append(RankingRow(
            application=app, score=scoring.mean_score(per_review), review_scores=per_review,
            reviews_done=len(done), reviews_expected=max(call.reviewers_per_application, len(app.active_reviews)),
            spread=scoring.spread(per_review), requested=app.requested_amount,
        ))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.application.reference, r.application.pk))
    total = Decimal(0)
    crossed = False
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        if row.application.status in (S.REJECTED,):
            row.running_total = total
            continue
        amount = row.application.awarded_amount if row.application.status == S.APPROVED else row.requested
        total += amount or 0
        row.running_total = total
        row.within_envelope = total <= call.envelope
        if not row.within_envelope and not crossed:
            row.first_over = crossed = True
    return rows


def pipeline(*, tenant: Tenant) -> list[dict]:
    """Per call (not archived): counts per application state and reviews outstanding."""
    calls = Call.objects.filter(tenant=tenant).exclude(status=CallStatus.ARCHIVED).annotate(
        outstanding=Count("applications__reviews", filter=Q(
            applications__reviews__status__in=[ReviewStatus.ASSIGNED, ReviewStatus.DRAFT]))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in (Application.objects.filter(tenant=tenant).values("call_id", "status")
                .annotate(n=Count("id")).order_by()):
        counts.setdefault(row["call_id"], {})[row["status"]] = row["n"]
    return [{"call": c, "outstanding": c.outstanding,
             "counts": [(S(s).label, counts.get(c.pk, {}).get(s, 0)) for s in S.values
                        if counts.get(c.pk, {}).get(s)]} for c in calls]
