"""Indicator pages (managers): the workspace's indicators, an award's targets and a call's totals over
its awards."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relais.errors import Refused, refused_message
from relais.models import Role
from relais.permissions import role_required

from .. import selectors
from ..indicator_forms import IndicatorsFormSet, TargetsForm, rows_with_stamps
from ..permissions import can_manage_award
from ..selectors import awards as award_selectors
from ..selectors import indicators as indicator_selectors
from ..services import indicators as indicator_services


@role_required(Role.MANAGER)
def indicator_admin(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    formset = IndicatorsFormSet(request.POST or None, queryset=indicator_selectors.indicator_list(actor=actor))
    if request.method == "POST" and formset.is_valid():
        try:
            indicator_services.indicators_save(actor=actor, rows=rows_with_stamps(formset))
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Indicators saved."))
        return redirect("grants:indicator_admin", tenant_slug=actor.tenant.slug)
    return render(request, "grants/indicators/admin.html", {"formset": formset})


def award_indicator_targets(request: HttpRequest, award_pk: int) -> HttpResponse:
    actor = request.actor
    award = award_selectors.access_award(actor=actor, pk=award_pk)
    can_manage_award(actor, award).raise_if_denied()
    targets = indicator_selectors.award_targets(award=award)
    form = TargetsForm(request.POST or None, indicators=list(indicator_selectors.indicator_list(actor=actor)),
                       targets=targets, stamp=indicator_services.targets_stamp(targets))
    frozen = award.status in indicator_services.TARGETS_FROZEN
    if request.method == "POST" and form.is_valid():
        try:
            indicator_services.indicator_targets_save(award=award, actor=actor, targets=form.targets(),
                                                      expected_stamp=form.cleaned_data["stamp"] or None)
        except Refused as exc:
            refused_message(request, exc)
            return redirect("grants:award_indicator_targets", tenant_slug=actor.tenant.slug, award_pk=award.pk)
        messages.success(request, _("Targets saved."))
        return redirect("grants:award_detail", tenant_slug=actor.tenant.slug, award_pk=award.pk)
    return render(request, "grants/indicators/targets.html", {
        "award": award, "form": form, "frozen": frozen,
        "after_signature": award.status in indicator_services.SIGNED})


@role_required(Role.MANAGER)
def call_indicators(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = selectors.access_call(actor=request.actor, pk=call_pk)
    return render(request, "grants/indicators/call.html", {
        "call": call, "rows": indicator_selectors.call_indicators(call=call)})
