"""The kernel's URLs inside a tenant: included under /<tenant_slug>/ by config.urls.

The global ones (home, workspace picker, profile, invitation links) are in config/urls.py.
"""

from django.urls import path

from .views import tenancy

app_name = "relais"

urlpatterns = [
    path("", tenancy.dashboard, name="dashboard"),
    path("members/", tenancy.members, name="members"),
    path("members/<int:membership_pk>/role/", tenancy.membership_change_role, name="membership_change_role"),
    path("members/<int:membership_pk>/revoke/", tenancy.membership_revoke, name="membership_revoke"),
    path("invitations/<int:invitation_pk>/revoke/", tenancy.invitation_revoke, name="invitation_revoke"),
    path("audit/", tenancy.audit_log, name="audit_log"),
    path("audit/export.csv", tenancy.audit_log_export, name="audit_log_export"),
    path("outbox/", tenancy.outbox, name="outbox"),
    path("outbox/<int:outboundemail_pk>/resend/", tenancy.outbound_email_resend, name="outbound_email_resend"),
    path("settings/", tenancy.tenant_settings, name="tenant_settings"),
]
