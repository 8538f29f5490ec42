"""Readers for grants. Every reader takes the actor; access_* functions fetch and authorise in one
query and answer 404 for what the actor may not see (missing or foreign alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import FocusArea, Organisation, Region
from relais.actor import Actor
from relais.display import ReadOnlyView
from relais.models import Membership, Role, User
from relais.selectors import audit_timeline

from . import scoring
from .models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    ApplicationVersion,
    BudgetCategory,
    BudgetLine,
    Call,
    CallStatus,
    EligibilityAnswer,
    EligibilityQuestion,
    RequiredAttachment,
    Review,
    ReviewScore,
    ReviewStatus,
    RubricCriterion,
    TimelineActivity,
)
from .permissions import identity_hidden, reviewer_conflict

S = ApplicationStatus
STAFF_SEE_ALL = (Role.MANAGER, Role.FINANCE)


def call_list(*, actor: Actor) -> QuerySet[Call]:
    calls = Call.objects.filter(tenant=actor.tenant)
    if actor.has_role(Role.APPLICANT):
        return calls.filter(status=CallStatus.OPEN, closes_at__gt=timezone.now()).order_by("closes_at")
    if not actor.is_manager:
        calls = calls.exclude(status=CallStatus.DRAFT)
    return calls


def access_call(*, actor: Actor, pk: int) -> Call:
    """Any published call: an applicant's list shows the open ones, but a closed call's page
    (a link in an e-mail, a bookmark) still reads as closed rather than missing."""
    calls = Call.objects.filter(tenant=actor.tenant)
    if not actor.is_manager:
        calls = calls.exclude(status=CallStatus.DRAFT)
    return get_object_or_404(calls, pk=pk)


def call_children(*, call: Call) -> dict[str, QuerySet]:
    """What a call asks of applicants, for its page and its form (empty for a call not saved yet)."""
    if call.pk is None:
        return {"criteria": RubricCriterion.objects.none(), "questions": EligibilityQuestion.objects.none(),
                "documents": RequiredAttachment.objects.none()}
    return {"criteria": RubricCriterion.objects.filter(tenant_id=call.tenant_id, call=call),
            "questions": EligibilityQuestion.objects.filter(tenant_id=call.tenant_id, call=call),
            "documents": RequiredAttachment.objects.filter(tenant_id=call.tenant_id, call=call)}


def region_list(*, actor: Actor) -> QuerySet[Region]:
    return Region.objects.filter(tenant=actor.tenant)


def focus_area_list(*, actor: Actor) -> QuerySet[FocusArea]:
    return FocusArea.objects.filter(tenant=actor.tenant)


def budget_category_list(*, actor: Actor) -> QuerySet[BudgetCategory]:
    return BudgetCategory.objects.filter(tenant=actor.tenant)


def active_budget_categories(*, actor: Actor) -> list[BudgetCategory]:
    """The categories an applicant may choose, read once for a whole budget formset."""
    return list(budget_category_list(actor=actor).filter(is_active=True))


def application_list(*, actor: Actor) -> QuerySet[Application]:
    """Applicants: their organisation's; reviewers: the ones assigned to them (not recused); staff: all."""
    apps = Application.objects.filter(tenant=actor.tenant).select_related("call", "organisation")
    if actor.has_role(Role.APPLICANT):
        if actor.organisation_id is None:
            return apps.none()
        return apps.filter(organisation_id=actor.organisation_id)
    if actor.has_role(Role.REVIEWER):
        # A recused reviewer is out: the application is no longer theirs to read.
        mine = Review.objects.filter(tenant=actor.tenant, reviewer_id=actor.user_id).exclude(
            status=ReviewStatus.RECUSED)
        return apps.filter(pk__in=mine.values("application_id")).exclude(status=S.DRAFT)
    if actor.has_role(*STAFF_SEE_ALL):
        return apps.exclude(status=S.DRAFT)
    return apps.none()


def organisations_under_review(*, actor: Actor) -> QuerySet:
    """Ids of the CSOs a reviewer may see in the registry: applicants of the applications
    assigned to them (not recused), in calls without blind review. Registered as the kernel's
    "reviewer_organisations" scope (relais.scopes) from GrantsConfig.ready()."""
    if not actor.has_role(Role.REVIEWER):
        return Application.objects.none().values("organisation_id")
    return application_list(actor=actor).filter(call__blind_review=False).values("organisation_id")


def access_application(*, actor: Actor, pk: int) -> Application:
    return get_object_or_404(application_list(actor=actor), pk=pk)


def own_application(*, actor: Actor, call: Call) -> Application | None:
    """The application the actor's organisation started in this call, if any (applicants only)."""
    if not actor.has_role(Role.APPLICANT) or actor.organisation_id is None:
        return None
    return application_list(actor=actor).filter(call=call).first()


def applications_of_call(*, actor: Actor, call: Call, pks: list[int]) -> list[Application]:
    """The listed applications of a call, among those the actor may see."""
    return list(application_list(actor=actor).filter(call=call, pk__in=pks))


def access_attachment(*, actor: Actor, pk: int) -> ApplicationAttachment:
    """One query: the attachment, only if its application is visible to the actor (else the same 404)."""
    visible = application_list(actor=actor).values("pk")
    return get_object_or_404(
        ApplicationAttachment.objects.select_related("application__call"),
        tenant=actor.tenant, pk=pk, application__in=visible,
    )


def application_rows(application: Application | ReadOnlyView) -> dict[str, Any]:
    """What an application page shows besides the application itself (of its anonymised view, for a blind
    reviewer: no documents, no versions)."""
    return {
        "lines": application.budget_lines.select_related("category"), "activities": application.timeline.all(),
        "regions": application.regions.all(), "attachments": application.attachments.select_related("required"),
        "answers": application.answers.select_related("question"), "versions": application.versions.all(),
    }


def application_versions(*, application: Application) -> list[ApplicationVersion]:
    return list(application.versions.all())


def screening_rows(*, application: Application) -> dict[str, Any]:
    """The screening page: each eligibility answer against its rule, the regions and the grant range."""
    call = application.call
    answers = {a.question_id: a.answer for a in application.answers.all()}
    rows = []
    for question in call.questions.all():
        answer = answers.get(question.pk, "")
        rows.append({"question": question, "answer": answer,
                     "disqualifies": bool(question.disqualifying_answer) and answer == question.disqualifying_answer})
    eligible = list(call.eligible_regions.all())
    eligible_pks = {r.pk for r in eligible}
    app_regions = list(application.regions.all())
    # Every region of intervention must be allowed: one eligible region does not make the others so.
    outside = [r for r in app_regions if eligible_pks and r.pk not in eligible_pks]
    return {
        "rows": rows, "regions": app_regions, "eligible_regions": eligible, "regions_outside": outside,
        "regions_ok": not eligible_pks or (bool(app_regions) and not outside),
        "within_range": call.min_grant <= application.requested_amount <= call.max_grant,
    }


def section_state(*, application: Application, section: str) -> dict[str, Any]:
    """What a section page needs besides its forms: the call's questions and documents, the attachments."""
    call = application.call
    state: dict[str, Any] = {"attachments": {}}
    if section == "eligibility":
        state["questions"] = list(call.questions.all())
        state["answers"] = dict(application.answers.values_list("question_id", "answer"))
    if section == "attachments":
        state["documents"] = list(call.required_attachments.all())
        state["attachments"] = {a.required_id: a for a in application.attachments.all()}
    return state


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


def application_as_seen_by(*, application: Application, actor: Actor) -> Application | ReadOnlyView:
    """What a page may show this actor: the application, or for a blind reviewer its anonymised view."""
    if identity_hidden(actor, application):
        return anonymised_application(application)
    return application


def review_as_seen_by(*, review: Review, actor: Actor) -> Review | ReadOnlyView:
    """A review whose application this actor may not see by name reaches pages anonymised too
    (its scores read apart, as they would carry the review and its application back)."""
    if identity_hidden(actor, review.application):
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


def application_timeline(*, application: Application, actor: Actor) -> list[TimelineEntry]:
    """Audit events of the application as this actor may read them. Blind reviewers see no reason
    (staff messages to the applicant may name the organisation) and no names; applicants see only
    the reasons written for them."""
    hidden = identity_hidden(actor, application)
    applicant = actor.has_role(Role.APPLICANT)
    entries = []
    events = audit_timeline(actor=actor, target=application).exclude(action="application.section_saved")
    for event in events.select_related("actor"):
        reason = (event.after or {}).get("reason", "")
        if hidden or (applicant and event.action not in APPLICANT_REASONS):
            reason = ""
        if event.actor is None:
            who = _("system")
        else:
            who = _("someone") if hidden else str(event.actor)
        entries.append(TimelineEntry(created_at=event.created_at, action=event.action, reason=reason, actor=who))
    return entries


def review_list(*, actor: Actor) -> QuerySet[Review]:
    reviews = Review.objects.filter(tenant=actor.tenant).select_related("application__call",
                                                                        "application__organisation")
    if actor.is_manager:
        return reviews.select_related("reviewer")
    return reviews.filter(reviewer_id=actor.user_id)


def access_review(*, actor: Actor, pk: int) -> Review:
    return get_object_or_404(review_list(actor=actor), pk=pk)


def review_of(*, actor: Actor, application: Application) -> Review | None:
    """The actor's own review of this application (a reviewer opens an application through it)."""
    return Review.objects.filter(tenant=actor.tenant, application=application, reviewer_id=actor.user_id).first()


def organisation_for_conflict_check(*, review: Review) -> Organisation | None:
    """Who applied, for the conflict-of-interest question only: a reviewer cannot say whether they
    have a conflict without knowing the organisation, even in a blind review. Only while the
    declaration is pending; once it is made, blind review hides the organisation again."""
    if review.status != ReviewStatus.ASSIGNED:
        return None
    return (Organisation.objects.filter(tenant_id=review.tenant_id, pk=review.application.organisation_id)
            .select_related("region").first())


def review_scores(*, review: Review) -> dict[int, tuple[int | None, str]]:
    """criterion id -> (score, comment) as the reviewer saved them."""
    return {s.criterion_id: (s.score, s.comment) for s in review.scores.all()}


def reviews_of_application(*, application: Application) -> list[Review]:
    return list(application.reviews.select_related("reviewer"))


def reviewer_memberships(*, actor: Actor) -> list[Membership]:
    """The tenant's active reviewers, by name."""
    return list(Membership.objects.filter(tenant=actor.tenant, role=Role.REVIEWER, is_active=True)
                .select_related("user").order_by("user__full_name", "user__email"))


def reviewer_candidates(*, actor: Actor, application: Application, reviews: list[Review]) -> list[Membership]:
    """Reviewers a manager may still assign: not on the application yet, not members of the applicant."""
    taken = {r.reviewer_id for r in reviews}
    return [m for m in reviewer_memberships(actor=actor)
            if m.user_id not in taken and not reviewer_conflict(m, application)]


def tenant_user(*, actor: Actor, pk: int) -> User | None:
    """A member (any role) of the actor's tenant, or None."""
    return User.objects.filter(pk=pk, memberships__tenant=actor.tenant).first()


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


def ranking_as_seen_by(*, actor: Actor, call: Call) -> tuple[list[RankingRow], bool]:
    """The ranking as this actor may read it (check can_read_ranking first): a reviewer sees only the
    applications whose review they submitted, anonymised in a blind call. Returns (rows, anonymised)."""
    rows = ranking(call=call)
    if not actor.has_role(Role.REVIEWER):
        return rows, False
    mine = set(Review.objects.filter(tenant=actor.tenant, application__call=call, reviewer_id=actor.user_id,
                                     status=ReviewStatus.SUBMITTED).values_list("application_id", flat=True))
    rows = [r for r in rows if r.application.pk in mine]
    if call.blind_review:
        for row in rows:
            row.application = anonymised_application(cast(Application, row.application))
    return rows, call.blind_review


def pipeline(*, actor: Actor) -> list[dict]:
    """Per call (not archived): counts per application state and reviews outstanding."""
    tenant = actor.tenant
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
