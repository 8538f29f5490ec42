"""Calls: list (open calls with days left for applicants), detail, create/edit, status changes, apply."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.concurrency import Stale, Stamp, save_versioned
from relais.errors import Refused, refused_message
from relais.models import Role
from relais.pagination import page_of
from relais.permissions import role_required

from .. import selectors
from ..forms import CALL_FORMSETS, BudgetCategoriesFormSet, CallForm, EnvelopeForm
from ..models import Call
from ..permissions import can_edit_calls, can_manage_applications, can_read_ranking, can_start_application
from ..services import calls as call_services
from ..services.applications import application_create
from ..workflow import CALL, approved_total


def call_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    calls = selectors.call_list(actor=actor)
    page = page_of(calls, request.GET.get("page"), 25)
    return render(request, "grants/call_list.html", {"page": page, "can_edit_calls": can_edit_calls(actor)})


def call_detail(request: HttpRequest, call_pk: int) -> HttpResponse:
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    manage = can_manage_applications(actor)
    children = selectors.call_children(call=call)
    return render(request, "grants/call_detail.html", {
        "call": call, "own": selectors.own_application(actor=actor, call=call),
        "can_apply": can_start_application(actor), "can_manage": manage,
        # A reviewer reads the ranking of what they reviewed; the manager gets it with the other tools.
        "ranking_link": bool(can_read_ranking(actor)) and not manage,
        # The answer that disqualifies is for the staff who screen, not a hint to applicants.
        "show_rules": not actor.has_role(Role.APPLICANT),
        "transitions": CALL.available(actor, call) if manage else [],
        "criteria": children["criteria"], "questions": children["questions"], "documents": children["documents"],
        "regions": call.eligible_regions.all(), "focus_areas": call.focus_areas.all(),
    })


@require_POST
def call_apply(request: HttpRequest, call_pk: int) -> HttpResponse:
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    try:
        application = application_create(call=call, actor=actor)
    except Refused as exc:
        refused_message(request, exc)
        return redirect("grants:call_detail", tenant_slug=actor.tenant.slug, call_pk=call.pk)
    return redirect("grants:application_section", tenant_slug=actor.tenant.slug, application_pk=application.pk)


@require_POST
def call_change_status(request: HttpRequest, call_pk: int) -> HttpResponse:
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    can_manage_applications(actor).raise_if_denied()
    try:
        call_services.call_transition(call=call, target=request.POST.get("target", ""), actor=actor)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("The call status was updated."))
    return redirect("grants:call_detail", tenant_slug=actor.tenant.slug, call_pk=call.pk)


def _call_forms(actor, call: Call, data=None) -> tuple[CallForm, dict[str, Any]]:
    form = CallForm(data, instance=call, regions=selectors.region_list(actor=actor),
                    focus_areas=selectors.focus_area_list(actor=actor))
    if call.pk is not None and approved_total(call):
        # Decisions were taken against it: the envelope changes on its own page, with a reason.
        form.fields["envelope"].disabled = True
        form.fields["envelope"].help_text = _("Applications were already approved against this envelope: change "
                                              "it from the call page, with a reason.")
    children = selectors.call_children(call=call)
    formsets = {name: cls(data, instance=call, prefix=name, queryset=children[name]) for name, cls in CALL_FORMSETS}
    return form, formsets


def _call_edit(request: HttpRequest, call: Call) -> HttpResponse:
    actor = request.actor
    data = request.POST if request.method == "POST" else None
    form, formsets = _call_forms(actor, call, data)
    stamp = Stamp.posted(request.POST) if data is not None else Stamp.of(call.version, [form, *formsets.values()])
    stale = None

    def current() -> tuple[int, list[Any]]:
        fresh = selectors.access_call(actor=actor, pk=call.pk)
        fresh_form, fresh_formsets = _call_forms(actor, fresh)
        return fresh.version, [fresh_form, *fresh_formsets.values()]

    if request.method == "POST" and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        values = form.data_for_service()
        for name, formset in formsets.items():
            values[name] = formset.rows(call_services.CALL_ROWS[name][1])
        try:
            if call.pk is None:
                call = call_services.call_create(actor=actor, data=values)
            else:
                call = save_versioned(
                    stamp=stamp, data=request.POST, posted=[form, *formsets.values()], current=current,
                    save=lambda expected: call_services.call_update(call=call, actor=actor, data=values,
                                                                    expected_version=expected))
        except Stale as exc:
            stale, stamp = exc, exc.stamp or stamp
            form, formsets = _call_forms(actor, selectors.access_call(actor=actor, pk=call.pk), exc.data)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Call saved."))
            return redirect("grants:call_detail", tenant_slug=actor.tenant.slug, call_pk=call.pk)
    return render(request, "grants/call_form.html", {"form": form, "formsets": formsets, "call": call,
                                                     "stamp": stamp, "stale": stale},
                  status=409 if stale else 200)


@role_required(Role.MANAGER)
def call_create(request: HttpRequest) -> HttpResponse:
    return _call_edit(request, Call(tenant=request.actor.tenant))


def call_edit(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(actor=request.actor, pk=call_pk)
    can_edit_calls(request.actor).raise_if_denied()
    return _call_edit(request, call)


def call_envelope(request: HttpRequest, call_pk: int) -> HttpResponse:
    """GET: the envelope, what is approved and what is left; POST: a new envelope with its reason."""
    actor = request.actor
    call = selectors.access_call(actor=actor, pk=call_pk)
    can_edit_calls(actor).raise_if_denied()
    form = EnvelopeForm(request.POST or None, initial={"envelope": call.envelope})
    if request.method == "POST" and form.is_valid():
        try:
            call_services.call_envelope_change(call=call, actor=actor, envelope=form.cleaned_data["envelope"],
                                               reason=form.cleaned_data["reason"])
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The envelope was changed."))
            return redirect("grants:call_detail", tenant_slug=actor.tenant.slug, call_pk=call.pk)
    approved = approved_total(call)
    return render(request, "grants/call_envelope.html", {
        "call": call, "form": form, "approved": approved, "left": max(call.envelope - approved, 0),
    })


@role_required(Role.MANAGER)
def budget_categories(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    formset = BudgetCategoriesFormSet(request.POST or None, queryset=selectors.budget_category_list(actor=actor))
    if request.method == "POST" and formset.is_valid():
        try:
            call_services.budget_categories_save(actor=actor,
                                                 rows=formset.rows(call_services.BUDGET_CATEGORY_FIELDS))
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Budget categories saved."))
            return redirect("grants:budget_categories", tenant_slug=actor.tenant.slug)
    return render(request, "grants/budget_categories.html", {"formset": formset})
