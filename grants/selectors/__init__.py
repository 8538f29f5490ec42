"""Readers for grants. Every reader takes the actor; access_* functions fetch and authorise in one
query and answer 404 for what the actor may not see (missing or foreign alike)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import FocusArea, Organisation, Region
from relais.actor import Actor
from relais.display import ReadOnlyView
from relais.models import EmailStatus, Membership, OutboundEmail, Role, User
from relais.selectors import audit_timeline, emails_about

from .. import scoring
from ..models import (
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
from ..permissions import identity_hidden, reviewer_conflict
from ..workflow import APPLICATION, reason_given

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
    """The live application the actor's organisation started in this call, if any (applicants only).

    A withdrawn one is not it: the organisation may start a new one while the call is open."""
    if not actor.has_role(Role.APPLICANT) or actor.organisation_id is None:
        return None
    return application_list(actor=actor).filter(call=call).exclude(status=ApplicationStatus.WITHDRAWN).first()


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
    text: str = ""  # a line written out (an e-mail sent); the action's label otherwise


def email_line(email: OutboundEmail) -> str:
    """“Receipt sent to a@b.ml”, or why it did not leave."""
    values = {"email": email.recipient, "subject": email.subject, "reason": email.failure_reason}
    if email.kind == "application_receipt":
        if email.status == EmailStatus.SENT:
            return _("Receipt sent to %(email)s") % values
        if email.status == EmailStatus.FAILED:
            return _("Receipt not sent to %(email)s: %(reason)s") % values
        return _("Receipt queued for %(email)s") % values
    if email.status == EmailStatus.SENT:
        return _("E-mail “%(subject)s” sent to %(email)s") % values
    if email.status == EmailStatus.FAILED:
        return _("E-mail “%(subject)s” not sent to %(email)s: %(reason)s") % values
    return _("E-mail “%(subject)s” queued for %(email)s") % values


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
    # The e-mails about it, from the outbox: managers and the organisation's own members see to whom they went.
    if not hidden and (actor.is_manager or (applicant and actor.acts_for(application.organisation_id))):
        for email in emails_about(actor=actor, target=application):
            entries.append(TimelineEntry(created_at=email.sent_at or email.created_at, action="", reason="",
                                         actor=_("system"), text=email_line(email)))
        entries.sort(key=lambda entry: entry.created_at)
    return entries


# The review list's order: work still to do first (assigned, draft; then recused, submitted), oldest
# assignment first. Only columns of the review row, so the (tenant[, reviewer], status, id) indexes
# serve it and a page reads its 25 rows instead of sorting every review of the tenant by a deadline
# that lives on the call.
REVIEW_LIST_ORDER = ("status", "id")

# The columns a list row reads (grants.tables' row writers, and the blind view of a row): an application
# row is wide (narrative texts, JSON answers), and reading every column of 25 rows, then building them
# into model fields, cost more than the rest of the list's query on the large bench (issue 10).
APPLICATION_ROW_FIELDS = (
    "id", "tenant_id", "reference", "title", "status", "requested_amount", "updated_at", "organisation_id",
    "call_id", "organisation__acronym", "organisation__name", "call__title_fr", "call__title_en",
    "call__currency", "call__blind_review",
)
REVIEW_ROW_FIELDS = (
    "id", "tenant_id", "status", "application_id", "reviewer_id", "application__tenant_id",
    "application__reference", "application__title", "application__status", "application__call_id",
    "application__call__title_fr", "application__call__title_en", "application__call__review_deadline",
    "application__call__blind_review", "application__organisation_id", "application__organisation__acronym",
    "application__organisation__name",
)
REVIEWER_ROW_FIELDS = ("reviewer__full_name", "reviewer__email")


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
RANKING_PER_PAGE = 50
ALL_ROWS = 10**12  # a LIMIT both databases take for "no limit"


@dataclass
class RankingRow:
    application: Application
    score: Decimal | None
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


@dataclass
class RankingSummary:
    """What the ranking says about the whole call, whatever page is shown."""

    rows: int = 0
    awarded: Decimal = Decimal(0)  # approved so far
    decidable: int = 0  # awaiting a decision
    first_over: int | None = None  # rank of the first row beyond the envelope


def _hundredths(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(int(value)).scaleb(-2)


# The ranking in one SQL statement (SQLite >= 3.25 and PostgreSQL: window functions), so that any
# page carries its rank and running total without reading every row into Python. It reads only the
# call's applications: each one's mean weighted score, spread and review counts are stored on it
# (grants.services.ranking.ranking_facts_refresh, grants.scoring's exact maths, kept in the same
# transaction as every change that can move them), so a request never reads the score rows. The
# amounts count in integer hundredths, so that both databases sum alike and exactly (no float):
# requested, or awarded once approved, and nothing once rejected. Ties go by reference, then id. The
# last columns are windows over the whole ranking (the call's totals), computed before LIMIT.
_RANKING_SQL = """
WITH apps AS (
    SELECT a.id AS id, a.reference AS reference, a.status AS status,
           CAST(ROUND(a.ranking_score * 100) AS BIGINT) AS score100,
           CAST(ROUND(a.ranking_spread * 100) AS BIGINT) AS spread100,
           a.ranking_reviews_done AS done, a.ranking_reviews_active AS active,
           CAST(ROUND(a.requested_amount * 100) AS BIGINT) AS requested100,
           CASE WHEN a.status = %(rejected)s THEN 0
                WHEN a.status = %(approved)s THEN COALESCE(CAST(ROUND(a.awarded_amount * 100) AS BIGINT), 0)
                ELSE CAST(ROUND(a.requested_amount * 100) AS BIGINT) END AS amount100
    FROM {application} a
    WHERE a.tenant_id = %(tenant)s AND a.call_id = %(call)s AND a.status IN ({statuses})
),
ranked AS (
    SELECT apps.*,
           ROW_NUMBER() OVER (ORDER BY {order}) AS position,
           SUM(amount100) OVER (ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total100
    FROM apps
)
SELECT id, status, score100, spread100, done, active, requested100, position, total100,
       CASE WHEN status <> %(rejected)s AND total100 > %(envelope)s THEN 0 ELSE 1 END AS within,
       CASE WHEN status <> %(rejected)s AND total100 > %(envelope)s AND total100 - amount100 <= %(envelope)s
            THEN 1 ELSE 0 END AS first_over,
       COUNT(*) OVER () AS all_rows,
       SUM(CASE WHEN status = %(approved)s THEN amount100 ELSE 0 END) OVER () AS awarded100,
       SUM(CASE WHEN status = %(pending)s THEN 1 ELSE 0 END) OVER () AS decidable,
       MIN(CASE WHEN status <> %(rejected)s AND total100 > %(envelope)s AND total100 - amount100 <= %(envelope)s
                THEN position END) OVER () AS first_over_position
FROM ranked
ORDER BY position
LIMIT %(limit)s OFFSET %(offset)s
"""
_RANKING_ORDER = "CASE WHEN score100 IS NULL THEN 1 ELSE 0 END, score100 DESC, reference, id"


class RankedApplications:
    """A call's ranking, sliced in SQL: `ranked[start:stop]` is one statement for those rows (plus one
    to read their applications), and leaves the call's totals in `summary`. Goes to
    relais.pagination.page_of as it is, or `list(ranked)` for every row (exports)."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.summary = RankingSummary()

    def _fetch(self, limit: int, offset: int) -> list[RankingRow]:
        tables = {"application": Application._meta.db_table}
        statuses = {f"status{i}": status for i, status in enumerate(RANKED_STATUSES)}
        sql = _RANKING_SQL.format(**{name: connection.ops.quote_name(table) for name, table in tables.items()},
                                  statuses=", ".join(f"%({key})s" for key in statuses), order=_RANKING_ORDER)
        params = {"tenant": self.call.tenant_id, "call": self.call.pk, "rejected": S.REJECTED, "approved": S.APPROVED,
                  "pending": S.DECISION_PENDING, "envelope": int(self.call.envelope * 100), "limit": limit,
                  "offset": offset, **{key: str(value) for key, value in statuses.items()}}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [c[0] for c in cursor.description]
            found = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
        if found:
            head = found[0]
            self.summary = RankingSummary(rows=int(head["all_rows"]), awarded=_hundredths(head["awarded100"]) or
                                          Decimal(0), decidable=int(head["decidable"] or 0),
                                          first_over=head["first_over_position"])
        apps = Application.objects.filter(tenant_id=self.call.tenant_id, pk__in=[r["id"] for r in found])
        by_pk = {app.pk: app for app in apps.select_related("organisation", "call")}
        return [RankingRow(
            application=by_pk[r["id"]], score=_hundredths(r["score100"]), reviews_done=int(r["done"]),
            reviews_expected=max(self.call.reviewers_per_application, int(r["active"])),
            spread=_hundredths(r["spread100"]), requested=_hundredths(r["requested100"]) or Decimal(0),
            running_total=_hundredths(r["total100"]) or Decimal(0), within_envelope=bool(r["within"]),
            first_over=bool(r["first_over"]), rank=int(r["position"]),
        ) for r in found]

    def __getitem__(self, index: slice) -> list[RankingRow]:
        start, stop = index.start or 0, index.stop
        if index.step is not None or start < 0 or stop is None or stop < start:
            raise ValueError("RankedApplications is read by plain slices: ranked[start:stop].")
        return self._fetch(stop - start, start)

    def __iter__(self) -> Iterator[RankingRow]:
        return iter(self._fetch(ALL_ROWS, 0))


def ranking(*, call: Call) -> list[RankingRow]:
    """Every application of a call, ranked by weighted mean score, with the running total against the
    envelope (check can_read_ranking first). Two queries whatever the number of applications."""
    return list(RankedApplications(call))


@dataclass
class BatchDecisionPreview:
    """What a batch decision will do, for its confirmation page."""

    target: str
    decidable: list[Application]  # awaiting a decision: these will be decided
    skipped: list[Application]  # in another state: the service will refuse them
    batch_total: Decimal  # awarded by this batch (approval at the requested amounts)
    awarded: Decimal  # approved before this batch
    envelope_left: Decimal  # after this batch; negative when it goes beyond the envelope
    reason_required: bool


def batch_decision_preview(*, actor: Actor, call: Call, applications: list[Application],
                           target: str) -> BatchDecisionPreview:
    decidable = [a for a in applications if a.status == S.DECISION_PENDING]
    skipped = [a for a in applications if a.status != S.DECISION_PENDING]
    awarded = (Application.objects.filter(tenant_id=call.tenant_id, call=call, status=S.APPROVED)
               .aggregate(total=Sum("awarded_amount"))["total"] or Decimal(0))
    batch_total = sum((a.requested_amount for a in decidable), Decimal(0)) if target == S.APPROVED else Decimal(0)
    step = APPLICATION.find(S.DECISION_PENDING, target, actor.role)
    return BatchDecisionPreview(
        target=target, decidable=sorted(decidable, key=lambda a: (a.reference, a.pk)), skipped=skipped,
        batch_total=batch_total, awarded=awarded, envelope_left=call.envelope - awarded - batch_total,
        reason_required=bool(step and (step.reason_required or reason_given in step.requires)),
    )


def pipeline(*, actor: Actor) -> list[dict]:
    """Per call (not archived): counts per application state and reviews outstanding (assigned or draft).

    One GROUP BY over the tenant's applications, read from the index application_tenant_call_status alone
    (COUNT(*), no other column): the reviews outstanding are the stored ranking facts (non-recused reviews
    minus submitted ones, kept by grants.services.ranking), not a join of every open review to its
    application, which cost as much again on a workspace of 10,000 applications (issue 10)."""
    tenant = actor.tenant
    calls = Call.objects.filter(tenant=tenant).exclude(status=CallStatus.ARCHIVED)
    counts: dict[int, dict[str, int]] = {}
    outstanding: dict[int, int] = {}
    for row in (Application.objects.filter(tenant=tenant).values("call_id", "status")
                .annotate(n=Count("*"), open=Sum(F("ranking_reviews_active") - F("ranking_reviews_done")))
                .order_by()):
        counts.setdefault(row["call_id"], {})[row["status"]] = row["n"]
        outstanding[row["call_id"]] = outstanding.get(row["call_id"], 0) + (row["open"] or 0)
    return [{"call": c, "outstanding": outstanding.get(c.pk, 0),
             "counts": [(S(s).label, counts.get(c.pk, {}).get(s, 0)) for s in S.values
                        if counts.get(c.pk, {}).get(s)]} for c in calls]


def organisations_written_for(*, actor: Actor) -> QuerySet:
    """The CSOs whose applications this user wrote in the actor's tenant (relais.conflicts: a former
    applicant member made a manager stays linked to their CSO)."""
    if actor.user is None:
        return Application.objects.none().values_list("organisation_id", flat=True)
    # order_by(): without it the model's ordering joins the DISTINCT, one row per application, not per CSO.
    return (Application.objects.filter(tenant=actor.tenant, created_by=actor.user).order_by()
            .values_list("organisation_id", flat=True).distinct())
