"""The platform operator's admin for the CSO registry (the kernel's models are in relais/admin.py)."""

from django.contrib import admin

from orgs.models import FocusArea, Organisation, Region
from relais.actor import Actor
from relais.concurrency import claim_version

from .services.screening import screening_mark_stale_if_names_changed


class TenantScopedAdmin(admin.ModelAdmin):
    list_filter = ("tenant",)


@admin.register(Region)
class RegionAdmin(TenantScopedAdmin):
    list_display = ("name", "zone", "tenant")


@admin.register(FocusArea)
class FocusAreaAdmin(TenantScopedAdmin):
    list_display = ("name", "tenant")


@admin.register(Organisation)
class OrganisationAdmin(TenantScopedAdmin):
    list_display = ("name", "acronym", "region", "tenant")
    search_fields = ("name", "acronym")

    def save_model(self, request, obj, form, change):
        if change:
            # A save here moves the version as organisation_write does: a page opened before it sees it as stale,
            # and what is derived from the registry (training.selectors.reach.organisations_mark) sees the change.
            claim_version(obj, expected=None)
        super().save_model(request, obj, form, change)
        if change:  # the name and acronym are screened names
            screening_mark_stale_if_names_changed(organisation=obj, actor=Actor(tenant=obj.tenant, user=request.user))
