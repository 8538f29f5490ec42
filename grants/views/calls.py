"""Calls: list (open calls with days left for applicants), detail, create/edit, status changes, apply."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.forms import inlineformset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.permissions.organisations import role_required
from relais.audit import audit_record
from relais.models import Role
from relais.views import error_text

from .. import selectors
from ..forms import CallForm, KeepAnsweredFormSet
from ..models import (
    Application,
    BudgetCategory,
    Call,
    EligibilityAnswer,
    EligibilityQuestion,
    RequiredAttachment,
    ReviewScore,
    RubricCriterion,
)
from ..permissions import can_manage_applications
from ..services.applications import application_create
from ..services.calls import call_transition
from ..workflow import CALL_TRANSITIONS


def call_list(request: HttpRequest) -> HttpResponse:
    calls = selectors.call_list(tenant=request.tenant, membership=request.membership)
    page = Paginator(calls, 25).get_page(request.GET.get("page"))
    return render(request, "grants/call_list.html", {"page": page})


def call_detail(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(tenant=request.tenant, membership=request.membership, pk=call_pk)
    own = None
    if request.membership.role == Role.APPLICANT:
        own = Application.objects.filter(call=call, organisation_id=request.membership.organisation_id).first()
    transitions = []
    if request.membership.role == Role.MANAGER:
        transitions = [t for t in CALL_TRANSITIONS if t.source == call.status and Role.MANAGER in t.roles]
    return render(request, "grants/call_detail.html", {
        "call": call, "own": own, "transitions": transitions,
        "criteria": call.criteria.all(), "questions": call.questions.all(),
        "documents": call.required_attachments.all(),
        "regions": call.eligible_regions.all(), "focus_areas": call.focus_areas.all(),
    })


@require_POST
def call_apply(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(tenant=request.tenant, membership=request.membership, pk=call_pk)
    try:
        application = application_create(call=call, membership=request.membership, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("call_detail", tenant_slug=request.tenant.slug, call_pk=call.pk)
    return redirect("application_section", tenant_slug=request.tenant.slug, application_pk=application.pk)


@require_POST
def call_change_status(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(tenant=request.tenant, membership=request.membership, pk=call_pk)
    can_manage_applications(request.membership).raise_if_denied()
    try:
        call_transition(call=call, target=request.POST.get("target", ""), actor=request.user,
                        membership=request.membership)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The call status was updated."))
    return redirect("call_detail", tenant_slug=request.tenant.slug, call_pk=call.pk)


CriterionFormSet = inlineformset_factory(
    Call, RubricCriterion, fields=["name_fr", "name_en", "description", "weight"], extra=1, can_delete=True,
    formset=type("CriterionFormSet", (KeepAnsweredFormSet,), {"answered_by": (ReviewScore, "criterion_id")}))
QuestionFormSet = inlineformset_factory(
    Call, EligibilityQuestion, fields=["text_fr", "text_en", "kind", "disqualifying_answer"], extra=1,
    can_delete=True,
    formset=type("QuestionFormSet", (KeepAnsweredFormSet,), {"answered_by": (EligibilityAnswer, "question_id")}))
DocumentFormSet = inlineformset_factory(Call, RequiredAttachment, fields=["name_fr", "name_en", "description"],
                                        extra=1, can_delete=True)
FORMSETS = (("criteria", CriterionFormSet), ("questions", QuestionFormSet), ("documents", DocumentFormSet))


def _call_edit(request: HttpRequest, call: Call) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = CallForm(data, instance=call, tenant=request.tenant)
    formsets = {name: cls(data, instance=call, prefix=name) for name, cls in FORMSETS}
    if request.method == "POST" and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        created = call.pk is None
        with transaction.atomic():
            call = form.save(commit=False)
            call.tenant = request.tenant
            call.save()
            form.save_m2m()
            for fs in formsets.values():
                fs.instance = call
                for child in fs.save(commit=False):
                    child.tenant = request.tenant
                    child.save()
                for obj in fs.deleted_objects:
                    obj.delete()
            audit_record(tenant=request.tenant, actor=request.user,
                         action="call.created" if created else "call.updated", target=call,
                         after={"title": call.title_fr, "envelope": call.envelope})
        messages.success(request, _("Call saved."))
        return redirect("call_detail", tenant_slug=request.tenant.slug, call_pk=call.pk)
    return render(request, "grants/call_form.html", {"form": form, "formsets": formsets, "call": call})


@role_required(Role.MANAGER)
def call_create(request: HttpRequest) -> HttpResponse:
    return _call_edit(request, Call(tenant=request.tenant))


def call_edit(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(tenant=request.tenant, membership=request.membership, pk=call_pk)
    can_manage_applications(request.membership).raise_if_denied()
    return _call_edit(request, call)



@role_required(Role.MANAGER)
def budget_categories(request: HttpRequest) -> HttpResponse:
    from django.forms import modelformset_factory

    formset_class = modelformset_factory(BudgetCategory, fields=["name_fr", "name_en", "order", "is_active"],
                                         extra=2)
    queryset = BudgetCategory.objects.filter(tenant=request.tenant)
    formset = formset_class(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                for category in formset.save(commit=False):
                    category.tenant = request.tenant
                    category.save()
                audit_record(tenant=request.tenant, actor=request.user, action="budget_categories.updated",
                             target=request.tenant, after={"count": queryset.count()})
        except IntegrityError:
            messages.error(request, _("Two budget categories cannot have the same French name."))
        else:
            messages.success(request, _("Budget categories saved."))
            return redirect("budget_categories", tenant_slug=request.tenant.slug)
    return render(request, "grants/budget_categories.html", {"formset": formset})
