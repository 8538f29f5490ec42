"""Reviewer pages: assigned reviews, conflict declaration, scoring; manager: automatic assignment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.models import Role
from relais.views import error_text

from .. import selectors
from ..forms import ConflictForm, ReviewForm
from ..models import ReviewStatus
from ..permissions import can_manage_applications, can_open_review
from ..services.reviews import review_declare_conflict, review_save, reviews_assign_automatically


def review_list(request: HttpRequest) -> HttpResponse:
    reviews = selectors.review_list(tenant=request.tenant, membership=request.membership).order_by(
        "status", "application__call__review_deadline", "id")
    page = Paginator(reviews, 25).get_page(request.GET.get("page"))
    page.object_list = [selectors.review_as_seen_by(review=review, membership=request.membership)
                        for review in page.object_list]
    return render(request, "grants/review_list.html", {"page": page})


def review_detail(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = selectors.access_review(tenant=request.tenant, membership=request.membership, pk=review_pk)
    app = review.application
    mine = review.reviewer_id == request.user.pk
    if not mine:  # a manager reading a review
        can_manage_applications(request.membership).raise_if_denied()
    shown = selectors.review_as_seen_by(review=review, membership=request.membership)
    if mine and not can_open_review(review):
        return render(request, "grants/review_conflict.html", {
            "review": shown, "form": ConflictForm(), "call": app.call,
        })
    criteria = list(app.call.criteria.all())
    existing = {s.criterion_id: (s.score, s.comment) for s in review.scores.all()}
    form = ReviewForm(criteria=criteria, existing=existing,
                      initial={"recommendation": review.recommendation, "comment": review.comment})
    if request.method == "POST" and mine:
        form = ReviewForm(request.POST, criteria=criteria, existing=existing)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                review_save(review=review, actor=request.user, scores=form.scores(),
                            recommendation=form.cleaned_data["recommendation"],
                            comment=form.cleaned_data["comment"], submit=submit)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Review submitted.") if submit else _("Draft saved."))
                return redirect("review_detail", tenant_slug=request.tenant.slug, review_pk=review.pk)
    others = selectors.reviews_visible_to(review=review) if mine else []
    return render(request, "grants/review_detail.html", {
        "review": shown, "application": shown.application, "call": app.call, "form": form, "mine": mine,
        "locked": review.status != ReviewStatus.DRAFT or not mine,
        "others": [selectors.review_as_seen_by(review=other, membership=request.membership) for other in others],
        "scores": shown.scores.select_related("criterion"),
        "lines": shown.application.budget_lines.select_related("category"),
        "activities": shown.application.timeline.all(), "regions": shown.application.regions.all(),
        "answers": shown.application.answers.select_related("question"),
    })


@require_POST
def review_conflict(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = selectors.access_review(tenant=request.tenant, membership=request.membership, pk=review_pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the two declarations."))
    else:
        try:
            review_declare_conflict(review=review, actor=request.user, has_conflict=form.cleaned_data["has_conflict"],
                                    details=form.cleaned_data["details"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            if form.cleaned_data["has_conflict"]:
                messages.info(request, _("You are recused from this application. The manager will reassign it."))
                return redirect("review_list", tenant_slug=request.tenant.slug)
    return redirect("review_detail", tenant_slug=request.tenant.slug, review_pk=review.pk)


@require_POST
def call_assign_automatically(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(tenant=request.tenant, membership=request.membership, pk=call_pk)
    if request.membership.role != Role.MANAGER:
        raise PermissionDenied(can_manage_applications(request.membership).reason)
    count = reviews_assign_automatically(call=call, actor=request.user, membership=request.membership)
    messages.success(request, _("%(n)s review(s) assigned.") % {"n": count})
    return redirect("call_ranking", tenant_slug=request.tenant.slug, call_pk=call.pk)
