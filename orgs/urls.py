"""URLs inside a tenant: included under /<tenant_slug>/ by config.urls."""

from django.urls import path

from .views import tenancy

urlpatterns = [
    path("", tenancy.dashboard, name="dashboard"),
    path("members/", tenancy.members, name="members"),
    path("members/<int:membership_pk>/role/", tenancy.membership_change_role, name="membership_change_role"),
    path("members/<int:membership_pk>/revoke/", tenancy.membership_revoke, name="membership_revoke"),
    path("invitations/<int:invitation_pk>/revoke/", tenancy.invitation_revoke, name="invitation_revoke"),
    path("audit/", tenancy.audit_log, name="audit_log"),
]

from .views import documents as document_views  # noqa: E402
from .views import screening as screening_views  # noqa: E402

urlpatterns += [
    path("organisations/<int:organisation_pk>/due-diligence/", document_views.due_diligence, name="due_diligence"),
    path("organisations/<int:organisation_pk>/due-diligence/upload/", document_views.document_upload,
         name="document_upload"),
    path("documents/<int:organisationdocument_pk>/download/", document_views.document_download,
         name="document_download"),
    path("documents/<int:organisationdocument_pk>/review/", document_views.document_review, name="document_review"),
    path("due-diligence/", document_views.overview, name="due_diligence_overview"),
    path("due-diligence/checklist/", document_views.checklist, name="due_diligence_checklist"),
    path("due-diligence/checklist/<int:duediligenceitem_pk>/", document_views.checklist_item_edit,
         name="due_diligence_item_edit"),
    path("organisations/<int:organisation_pk>/screening/run/", screening_views.screening_run, name="screening_run"),
    path("screenings/<int:screening_pk>/", screening_views.screening_detail, name="screening_detail"),
    path("screenings/<int:screening_pk>/decide/", screening_views.screening_decide, name="screening_decide"),
    path("sanctions-lists/", screening_views.sanctions_lists, name="sanctions_lists"),
]
