"""Capacity assessments: the list, an organisation's assessments and progress chart, a new assessment, the
scores page, the action plan, and the framework pages (managers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.concurrency import Stale, Stamp, save_versioned
from relais.errors import Refused, refused_message
from relais.http import TenantRequest
from relais.ids import pk_like
from relais.models import Role
from relais.pagination import page_of
from relais.permissions import role_required

from ..charts import progress_svg
from ..forms_assessments import (
    NOT_SCORED,
    AssessmentCreateForm,
    DomainForm,
    ScoresForm,
    SubAreaForm,
    SubAreaRowsFormSet,
    action_plan_formset,
)
from ..models import Assessment
from ..permissions import (
    can_edit_action_plan,
    can_facilitate,
    can_manage_framework,
    can_score_assessment,
)
from ..selectors import assessments as selectors
from ..services import assessments as services
from ..tables import assessment_rows_html
from ..workflow import ASSESSMENT

READERS = (Role.MANAGER, Role.TRAINER, Role.APPLICANT)


def _detail(actor: Any, assessment: Assessment) -> HttpResponse:
    return redirect("training:assessment_detail", tenant_slug=actor.tenant.slug, assessment_pk=assessment.pk)


@role_required(*READERS)
def assessment_list(request: TenantRequest) -> HttpResponse:
    actor = request.actor
    page = page_of(selectors.assessment_rows(actor=actor), request.GET.get("page"), 25)
    return render(request, "training/assessment_list.html", {
        "page": page, "rows": assessment_rows_html(page, tenant_slug=actor.tenant.slug),
        "organisation": None, "can_facilitate": can_facilitate(actor),
        "can_manage_framework": can_manage_framework(actor),
    })


def organisation_assessments(request: TenantRequest, organisation_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    page = page_of(selectors.assessment_rows(actor=actor, organisation=organisation), request.GET.get("page"), 25)
    return render(request, "training/assessment_list.html", {
        "page": page, "rows": assessment_rows_html(page, tenant_slug=actor.tenant.slug),
        "organisation": organisation, "can_facilitate": can_facilitate(actor),
        "can_manage_framework": can_manage_framework(actor),
    })


def organisation_progress(request: TenantRequest, organisation_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    progress = selectors.organisation_progress(actor=actor, organisation=organisation)
    return render(request, "training/assessment_progress.html", {
        "organisation": organisation, "progress": progress,
        "chart": progress_svg(progress) if progress.assessments else "",
    })


@role_required(Role.MANAGER, Role.TRAINER)
def assessment_create(request: TenantRequest) -> HttpResponse:
    actor = request.actor
    organisations = selectors.organisation_choices(actor=actor)
    initial: dict[str, Any] = {"facilitator": actor.user_id}
    if pk_like(request.GET.get("organisation", "")):  # from an organisation's page: its name filled in
        initial["organisation"] = organisations.filter(pk=request.GET["organisation"]).first()
    form = AssessmentCreateForm(request.POST or None, initial=initial, organisations=organisations,
                                facilitators=selectors.facilitator_choices(actor=actor))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(actor=actor, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Assessment created: score each sub-area."))
            return _detail(actor, assessment)
    return render(request, "training/assessment_create.html", {"form": form})


def _sub_areas(domains: list[Any]) -> list[Any]:
    return [sa for domain in domains for sa in domain.sub_areas.all()]


def assessment_detail(request: TenantRequest, assessment_pk: int) -> HttpResponse:
    """The scores, with each level's descriptor; facilitators score a draft here (two tabs protected)."""
    actor = request.actor
    assessment = selectors.access_assessment(actor=actor, pk=assessment_pk)
    domains = selectors.framework(actor=actor)
    sub_areas = _sub_areas(domains)
    scores = selectors.assessment_scores(assessment=assessment)
    may_score = can_score_assessment(actor, assessment)

    def current() -> tuple[int, list[Any]]:
        fresh = selectors.access_assessment(actor=actor, pk=assessment.pk)
        return fresh.version, [ScoresForm(initial=ScoresForm.initial_of(
            selectors.assessment_scores(assessment=fresh), sub_areas), sub_areas=sub_areas)]

    form = ScoresForm(initial=ScoresForm.initial_of(scores, sub_areas), sub_areas=sub_areas)
    stamp, stale = Stamp.of(assessment.version, [form]), None
    if request.method == "POST":
        may_score.raise_if_denied()
        stamp = Stamp.posted(request.POST)
        form = ScoresForm(request.POST, initial=ScoresForm.initial_of(scores, sub_areas), sub_areas=sub_areas)
        if form.is_valid():
            values = form.scores()
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                               save=lambda expected: services.assessment_save_scores(
                                   actor=actor, assessment=assessment, scores=values, expected_version=expected))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                form = ScoresForm(exc.data, sub_areas=sub_areas)
            except Refused as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Scores saved."))
                return _detail(actor, assessment)
    return render(request, "training/assessment_detail.html", {
        "assessment": assessment, "domains": _score_rows(domains, form, scores), "form": form,
        "stamp": stamp, "stale": stale, "may_score": bool(may_score),
        "transitions": ASSESSMENT.available(actor, assessment),
        "scored": len(scores), "total": len(sub_areas),
    }, status=409 if stale else 200)


def _score_rows(domains: list[Any], form: ScoresForm, scores: dict[int, Any]) -> list[dict[str, Any]]:
    """What the page shows per domain and sub-area: the descriptors with the chosen level, and the note."""
    value = form.data if form.is_bound else form.initial
    rows = []
    for domain in domains:
        items = []
        for sa in domain.sub_areas.all():
            chosen = str(value.get(f"score_{sa.pk}") or "")
            chosen = "" if chosen == NOT_SCORED else chosen
            items.append({
                "sub_area": sa, "score_name": f"score_{sa.pk}", "chosen": chosen,
                "note": form[f"note_{sa.pk}"], "errors": form.errors.get(f"score_{sa.pk}"),
                "levels": [{"level": str(d.level), "text": d.text, "id": f"s{sa.pk}l{d.level}"}
                           for d in sa.descriptors.all()],
                "saved": scores.get(sa.pk),
            })
        rows.append({"domain": domain, "items": items})
    return rows


@require_POST
def assessment_complete(request: TenantRequest, assessment_pk: int) -> HttpResponse:
    actor = request.actor
    assessment = selectors.access_assessment(actor=actor, pk=assessment_pk)
    can_facilitate(actor).raise_if_denied()
    try:
        services.assessment_complete(actor=actor, assessment=assessment)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("The assessment is completed."))
    return _detail(actor, assessment)


def action_plan(request: TenantRequest, assessment_pk: int) -> HttpResponse:
    actor = request.actor
    assessment = selectors.access_assessment(actor=actor, pk=assessment_pk)
    may_edit = can_edit_action_plan(actor, assessment)
    formset_class = action_plan_formset(facilitator=bool(can_facilitate(actor)))

    def build(data: Any = None, source: Assessment = assessment) -> Any:
        return formset_class(data, queryset=selectors.action_items(assessment=source), prefix="items")

    def current() -> tuple[int, list[Any]]:
        fresh = selectors.access_assessment(actor=actor, pk=assessment.pk)
        return fresh.version, [build(source=fresh)]

    formset = build()
    stamp, stale = Stamp.of(assessment.version, [formset]), None
    if request.method == "POST":
        may_edit.raise_if_denied()
        stamp = Stamp.posted(request.POST)
        formset = build(request.POST)
        if formset.is_valid():
            rows = formset.rows(("item", "owner", "due_date", "status"))
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[formset], current=current,
                               save=lambda expected: services.action_plan_save(
                                   actor=actor, assessment=assessment, rows=rows, expected_version=expected))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                formset = build(exc.data)
            except Refused as exc:
                refused_message(request, exc)
            else:
                messages.success(request, _("Action plan saved."))
                return redirect("training:action_plan", tenant_slug=actor.tenant.slug, assessment_pk=assessment.pk)
    return render(request, "training/action_plan.html", {
        "assessment": assessment, "formset": formset, "stamp": stamp, "stale": stale, "may_edit": bool(may_edit),
    }, status=409 if stale else 200)


# --- the framework (managers) -----------------------------------------------------------------


@role_required(Role.MANAGER)
def framework(request: TenantRequest) -> HttpResponse:
    return render(request, "training/framework.html", {"domains": selectors.framework(actor=request.actor)})


def domain_edit(request: TenantRequest, assessmentdomain_pk: int) -> HttpResponse:
    actor = request.actor
    domain = selectors.access_domain(actor=actor, pk=assessmentdomain_pk)

    def build(data: Any = None, source: Any = domain) -> tuple[DomainForm, Any]:
        return (DomainForm(data, instance=source),
                SubAreaRowsFormSet(data, queryset=selectors.domain_sub_areas(domain=source), prefix="sub"))

    def current() -> tuple[int, list[Any]]:
        fresh = selectors.access_domain(actor=actor, pk=domain.pk)
        return fresh.version, list(build(source=fresh))

    form, formset = build()
    stamp, stale = Stamp.of(domain.version, [form, formset]), None
    if request.method == "POST":
        stamp = Stamp.posted(request.POST)
        form, formset = build(request.POST)
        if form.is_valid() and formset.is_valid():
            data, rows = dict(form.cleaned_data), formset.rows(("name_fr", "name_en", "order"))
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[form, formset], current=current,
                               save=lambda expected: services.domain_update(
                                   actor=actor, domain=domain, data=data, sub_areas=rows, expected_version=expected))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                form, formset = build(exc.data, selectors.access_domain(actor=actor, pk=domain.pk))
            except Refused as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Domain saved."))
                return redirect("training:assessment_framework", tenant_slug=actor.tenant.slug)
    return render(request, "training/domain_form.html", {
        "domain": domain, "form": form, "formset": formset, "stamp": stamp, "stale": stale,
    }, status=409 if stale else 200)


def sub_area_edit(request: TenantRequest, assessmentsubarea_pk: int) -> HttpResponse:
    actor = request.actor
    sub_area = selectors.access_sub_area(actor=actor, pk=assessmentsubarea_pk)

    def current() -> tuple[int, list[Any]]:
        fresh = selectors.access_sub_area(actor=actor, pk=sub_area.pk)
        return fresh.version, [SubAreaForm(initial=SubAreaForm.initial_of(fresh))]

    form = SubAreaForm(initial=SubAreaForm.initial_of(sub_area))
    stamp, stale = Stamp.of(sub_area.version, [form]), None
    if request.method == "POST":
        stamp = Stamp.posted(request.POST)
        form = SubAreaForm(request.POST, initial=SubAreaForm.initial_of(sub_area))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                               save=lambda expected: services.sub_area_update(
                                   actor=actor, sub_area=sub_area, data=data, expected_version=expected))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                form = SubAreaForm(exc.data)
            except Refused as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Sub-area saved."))
                return redirect("training:assessment_framework", tenant_slug=actor.tenant.slug)
    return render(request, "training/sub_area_form.html", {
        "sub_area": sub_area, "form": form, "stamp": stamp, "stale": stale,
    }, status=409 if stale else 200)

