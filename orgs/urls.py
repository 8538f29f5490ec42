"""URLs inside a tenant: included under /<tenant_slug>/ by config.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_pk>/role/", views.membership_change_role, name="membership_change_role"),
    path("members/<int:membership_pk>/revoke/", views.membership_revoke, name="membership_revoke"),
    path("invitations/<int:invitation_pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]
