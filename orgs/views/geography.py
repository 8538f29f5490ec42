"""Tenant-editable reference data: regions (with zone), communes, focus areas."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orgs.selectors import organisations as selectors
from relais.errors import Refused
from relais.models import Role
from relais.permissions import role_required

from ..forms.organisations import CommuneForm, FocusAreaForm, RegionForm
from ..services import organisations as services


@role_required(Role.MANAGER)
def geography(request: HttpRequest) -> HttpResponse:
    """One page: the three lists and a form to add to each."""
    actor = request.actor
    kind = request.POST.get("kind") if request.method == "POST" else None
    forms = {
        "region": RegionForm(request.POST if kind == "region" else None, prefix="region"),
        "commune": CommuneForm(request.POST if kind == "commune" else None, prefix="commune", actor=actor),
        "focus": FocusAreaForm(request.POST if kind == "focus" else None, prefix="focus"),
    }
    saves = {
        "region": (services.region_save, _("Region added.")),
        "commune": (services.commune_save, _("Commune added.")),
        "focus": (services.focus_area_save, _("Focus area added.")),
    }
    if kind in forms and forms[kind].is_valid():
        save, done = saves[kind]
        try:
            save(actor=actor, **forms[kind].cleaned_data)
        except Refused as exc:
            forms[kind].add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect("orgs:geography", tenant_slug=actor.tenant.slug)
    return render(request, "orgs/geography.html", {
        "forms": forms,
        "regions": selectors.region_list(actor=actor),
        "communes": selectors.commune_list(actor=actor),
        "focus_areas": selectors.focus_area_list(actor=actor),
    })


def _edit_page(request: HttpRequest, *, title: str, form, save, data_key: str, obj, back_message: str):
    """Rename one entry: the service gets the form's cleaned data and the entry."""
    if request.method == "POST" and form.is_valid():
        try:
            save(actor=request.actor, **{data_key: obj}, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, back_message)
            return redirect("orgs:geography", tenant_slug=request.actor.tenant.slug)
    return render(request, "orgs/geography_edit.html", {"form": form, "title": title})


@role_required(Role.MANAGER)
def region_edit(request: HttpRequest, region_pk: int) -> HttpResponse:
    region = selectors.access_region(actor=request.actor, pk=region_pk)
    form = RegionForm(request.POST or None, initial={"name": region.name, "zone": region.zone})
    return _edit_page(request, title=_("Rename region « %(name)s »") % {"name": region.name}, form=form,
                      save=services.region_save, data_key="region", obj=region, back_message=_("Region saved."))


@role_required(Role.MANAGER)
def commune_edit(request: HttpRequest, commune_pk: int) -> HttpResponse:
    commune = selectors.access_commune(actor=request.actor, pk=commune_pk)
    form = CommuneForm(request.POST or None, actor=request.actor,
                       initial={"name": commune.name, "region": commune.region_id})
    return _edit_page(request, title=_("Rename commune « %(name)s »") % {"name": commune.name}, form=form,
                      save=services.commune_save, data_key="commune", obj=commune, back_message=_("Commune saved."))


@role_required(Role.MANAGER)
def focus_area_edit(request: HttpRequest, focusarea_pk: int) -> HttpResponse:
    focus_area = selectors.access_focus_area(actor=request.actor, pk=focusarea_pk)
    form = FocusAreaForm(request.POST or None, initial={"name": focus_area.name, "name_en": focus_area.name_en})
    return _edit_page(request, title=_("Rename focus area « %(name)s »") % {"name": focus_area.name}, form=form,
                      save=services.focus_area_save, data_key="focus_area", obj=focus_area,
                      back_message=_("Focus area saved."))
