"""The platform operator's admin for the kernel: users, workspaces, memberships, invitations, audit.

Creating a workspace here goes through the same service as `manage.py create_tenant`,
so a workspace made in the admin starts with what the features set up (the
due-diligence checklist). Changes to people tell the features through the same
hooks as the services (a member's name is a screened name).
"""

from typing import Any, ClassVar, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.models import AuditEvent, Invitation, Membership, Role, Tenant, User
from relais.services.tenancy import members_changed, organisations_of_user_changed, tenant_create


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("email", "full_name", "language", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), (None, {"fields": ("full_name", "language")}))

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:  # a full name is screened for every CSO the user acts for
            organisations_of_user_changed(user=obj, changed_by=cast(User, request.user))  # admin: staff only


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_language", "default_currency", "require_mfa_for_staff", "is_active")
    prepopulated_fields = {"slug": ("name",)}

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Tenant, form: forms.ModelForm, change: bool) -> None:
        operator = cast(User, request.user)  # the admin site lets only staff in
        if change:
            super().save_model(request, obj, form, change)
            audit_record(tenant=obj, actor=operator, action="tenant.changed", target=obj,
                         after={k: form.cleaned_data.get(k) for k in form.changed_data})
            return
        # Creation goes through the same service as manage.py create_tenant (audit, default checklist).
        settings = {name: getattr(obj, name) for name in form.cleaned_data if name not in ("name", "slug")}
        created = tenant_create(name=obj.name, slug=obj.slug, operator=operator, **settings)
        obj.pk, obj._state, obj.created_at = created.pk, created._state, created.created_at


class TenantScopedAdmin(admin.ModelAdmin):
    list_filter: ClassVar[tuple[str, ...]] = ("tenant",)


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["tenant", "user", "role", "organisation", "is_active"]

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data; the stubs say `| None` for overrides
        data = self.cleaned_data
        organisation, tenant = data.get("organisation"), data.get("tenant")
        if organisation is not None and tenant is not None and organisation.tenant_id != tenant.pk:
            raise ValidationError({"organisation": _("This organisation belongs to another workspace.")})
        if data.get("role") == Role.APPLICANT and organisation is None:
            raise ValidationError({"organisation": _("An applicant must be tied to an organisation.")})
        return data


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    form = MembershipAdminForm
    list_display = ("user", "tenant", "role", "organisation", "is_active")
    list_filter = ("tenant", "role", "is_active")
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: Membership, form: forms.ModelForm, change: bool) -> None:
        operator = cast(User, request.user)  # the admin site lets only staff in
        previous = Membership.objects.filter(pk=obj.pk).select_related("organisation").first() if change else None
        super().save_model(request, obj, form, change)
        audit_record(tenant=obj.tenant, actor=operator, action="membership.changed_in_admin", target=obj,
                     after={k: form.cleaned_data.get(k) for k in form.changed_data})
        # Members' full names are screened: someone joining or leaving a CSO changes its names.
        members_changed(organisations=[getattr(previous, "organisation", None), obj.organisation],
                        actor=Actor(tenant=obj.tenant, user=operator))


@admin.register(Invitation)
class InvitationAdmin(TenantScopedAdmin):
    list_display = ("email", "tenant", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    readonly_fields = ("token_hash",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail has no edit or delete path."""

    list_display = ("created_at", "tenant", "actor", "action", "target_type", "target_id")
    list_filter = ("tenant", "action")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
