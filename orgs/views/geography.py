"""Tenant-editable reference data: regions (with zone), communes, focus areas."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orgs.permissions.organisations import role_required
from orgs.selectors import organisations as selectors
from relais.models import Role
from relais.views import error_text

from ..forms.organisations import CommuneForm, FocusAreaForm, RegionForm
from ..services import organisations as services


@role_required(Role.MANAGER)
def geography(request: HttpRequest) -> HttpResponse:
    """One page: the three lists and a form to add to each."""
    tenant = request.tenant
    forms = {
        "region": RegionForm(prefix="region"),
        "commune": CommuneForm(prefix="commune", tenant=tenant),
        "focus": FocusAreaForm(prefix="focus"),
    }
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "region":
                form = forms["region"] = RegionForm(request.POST, prefix="region")
                if form.is_valid():
                    services.region_save(tenant=tenant, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Region added."))
                    return redirect("geography", tenant_slug=tenant.slug)
            elif kind == "commune":
                form = forms["commune"] = CommuneForm(request.POST, prefix="commune", tenant=tenant)
                if form.is_valid():
                    services.commune_save(tenant=tenant, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Commune added."))
                    return redirect("geography", tenant_slug=tenant.slug)
            elif kind == "focus":
                form = forms["focus"] = FocusAreaForm(request.POST, prefix="focus")
                if form.is_valid():
                    services.focus_area_save(tenant=tenant, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Focus area added."))
                    return redirect("geography", tenant_slug=tenant.slug)
        except (ValidationError, PermissionDenied) as exc:
            forms[kind].add_error(None, error_text(exc))
    return render(request, "orgs/geography.html", {
        "forms": forms,
        "regions": selectors.region_list(tenant=tenant),
        "communes": selectors.commune_list(tenant=tenant),
        "focus_areas": selectors.focus_area_list(tenant=tenant),
    })


def _edit_page(request, *, title, form, save, back_message):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, back_message)
            return redirect("geography", tenant_slug=request.tenant.slug)
    return render(request, "orgs/geography_edit.html", {"form": form, "title": title})


@role_required(Role.MANAGER)
def region_edit(request: HttpRequest, region_pk: int) -> HttpResponse:
    region = selectors.access_region(tenant=request.tenant, pk=region_pk)
    form = RegionForm(request.POST or None, initial={"name": region.name, "zone": region.zone})
    return _edit_page(
        request, title=_("Rename region « %(name)s »") % {"name": region.name}, form=form,
        save=lambda data: services.region_save(tenant=request.tenant, actor=request.user, region=region, **data),
        back_message=_("Region saved."),
    )


@role_required(Role.MANAGER)
def commune_edit(request: HttpRequest, commune_pk: int) -> HttpResponse:
    commune = selectors.access_commune(tenant=request.tenant, pk=commune_pk)
    form = CommuneForm(request.POST or None, tenant=request.tenant,
                       initial={"name": commune.name, "region": commune.region_id})
    return _edit_page(
        request, title=_("Rename commune « %(name)s »") % {"name": commune.name}, form=form,
        save=lambda data: services.commune_save(tenant=request.tenant, actor=request.user, commune=commune, **data),
        back_message=_("Commune saved."),
    )


@role_required(Role.MANAGER)
def focus_area_edit(request: HttpRequest, focusarea_pk: int) -> HttpResponse:
    focus_area = selectors.access_focus_area(tenant=request.tenant, pk=focusarea_pk)
    form = FocusAreaForm(request.POST or None, initial={"name": focus_area.name, "name_en": focus_area.name_en})
    return _edit_page(
        request, title=_("Rename focus area « %(name)s »") % {"name": focus_area.name}, form=form,
        save=lambda data: services.focus_area_save(tenant=request.tenant, actor=request.user,
                                                   focus_area=focus_area, **data),
        back_message=_("Focus area saved."),
    )
