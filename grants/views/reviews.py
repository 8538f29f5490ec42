"""Reviewer pages: assigned reviews, conflict declaration, scoring; manager: automatic assignment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.concurrency import Stale, Stamp, save_versioned
from relais.errors import Refused, refused_message
from relais.pagination import page_of

from .. import selectors
from ..forms import ConflictForm, ReviewForm
from ..models import ReviewStatus
from ..permissions import can_manage_applications, can_open_review, can_read_review
from ..services.reviews import review_declare_conflict, review_save, reviews_assign_automatically
from ..tables import review_rows_html


def review_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    reviews = selectors.review_list(actor=actor).order_by(*selectors.REVIEW_LIST_ORDER).only(
        *selectors.REVIEW_ROW_FIELDS, *(selectors.REVIEWER_ROW_FIELDS if actor.is_manager else ()))
    page = page_of(reviews, request.GET.get("page"), 25)
    page.object_list = [selectors.review_as_seen_by(review=review, actor=actor) for review in page.object_list]
    # Layout only: a manager's list names the reviewers; a reviewer's list holds only their own.
    reviewer_column = bool(can_manage_applications(actor))
    return render(request, "grants/review_list.html", {
        "page": page, "reviewer_column": reviewer_column,
        "rows_html": review_rows_html(page, tenant_slug=actor.tenant.slug, reviewer_column=reviewer_column)})


def review_detail(request: HttpRequest, review_pk: int) -> HttpResponse:
    actor = request.actor
    review = selectors.access_review(actor=actor, pk=review_pk)
    app = review.application
    can_read_review(actor, review).raise_if_denied()
    mine = review.reviewer_id == actor.user_id
    shown = selectors.review_as_seen_by(review=review, actor=actor)
    if mine and not can_open_review(review):
        return render(request, "grants/review_conflict.html", {
            "review": shown, "form": ConflictForm(), "call": app.call,
            "organisation": selectors.organisation_for_conflict_check(review=review),
        })
    criteria = list(app.call.criteria.all())

    def unbound(of) -> ReviewForm:
        return ReviewForm(criteria=criteria, existing=selectors.review_scores(review=of),
                          initial={"recommendation": of.recommendation, "comment": of.comment})

    def current() -> tuple[int, list[ReviewForm]]:
        fresh = selectors.access_review(actor=actor, pk=review.pk)
        return fresh.version, [unbound(fresh)]

    form = unbound(review)
    stamp, stale = Stamp.of(review.version, [form]), None
    if request.method == "POST" and mine:
        stamp = Stamp.posted(request.POST)
        form = ReviewForm(request.POST, criteria=criteria, existing=selectors.review_scores(review=review))
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                               save=lambda expected: review_save(
                                   review=review, actor=actor, scores=form.scores(),
                                   recommendation=form.cleaned_data["recommendation"],
                                   comment=form.cleaned_data["comment"], submit=submit, expected_version=expected))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                form = ReviewForm(exc.data, criteria=criteria, existing=selectors.review_scores(review=review))
            except Refused as exc:
                refused_message(request, exc)
            else:
                messages.success(request, _("Review submitted.") if submit else _("Draft saved."))
                return redirect("grants:review_detail", tenant_slug=actor.tenant.slug, review_pk=review.pk)
    others = selectors.reviews_visible_to(review=review) if mine else []
    return render(request, "grants/review_detail.html", {
        "review": shown, "application": shown.application, "call": app.call, "form": form, "mine": mine,
        "stamp": stamp, "stale": stale,
        "locked": review.status != ReviewStatus.DRAFT or not mine,
        "others": [selectors.review_as_seen_by(review=other, actor=actor) for other in others],
        "scores": shown.scores.select_related("criterion"),
        **{key: value for key, value in selectors.application_rows(shown.application).items()
           if key in ("lines", "activities", "regions", "answers")},
    }, status=409 if stale else 200)


@require_POST
def review_conflict(request: HttpRequest, review_pk: int) -> HttpResponse:
    actor = request.actor
    review = selectors.access_review(actor=actor, pk=review_pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the two declarations."))
    else:
        try:
            review_declare_conflict(review=review, actor=actor, has_conflict=form.cleaned_data["has_conflict"],
                                    details=form.cleaned_data["details"])
        except Refused as exc:
            refused_message(request, exc)
        else:
            if form.cleaned_data["has_conflict"]:
                messages.info(request, _("You are recused from this application. The manager will reassign it."))
                return redirect("grants:review_list", tenant_slug=actor.tenant.slug)
    return redirect("grants:review_detail", tenant_slug=actor.tenant.slug, review_pk=review.pk)


@require_POST
def call_assign_automatically(request: HttpRequest, call_pk: int) -> HttpResponse:
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    can_manage_applications(actor).raise_if_denied()
    count = reviews_assign_automatically(call=call, actor=actor)
    messages.success(request, _("%(n)s review(s) assigned.") % {"n": count})
    return redirect("grants:call_ranking", tenant_slug=actor.tenant.slug, call_pk=call.pk)
