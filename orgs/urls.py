"""URLs of the CSO registry inside a tenant: included under /<tenant_slug>/ by config.urls.

The workspace pages (dashboard, members, audit log, settings) are the kernel's: relais/urls.py.
"""

from django.urls import path

from .views import documents as document_views
from .views import geography, importing, organisations, registration
from .views import screening as screening_views

app_name = "orgs"

urlpatterns = [
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("organisations/export.csv", organisations.organisation_export, {"fmt": "csv"},
         name="organisation_export_csv"),
    path("organisations/export.xlsx", organisations.organisation_export, {"fmt": "xlsx"},
         name="organisation_export_xlsx"),
    path("organisations/import/", importing.import_upload, name="import_upload"),
    path("organisations/import/<int:importbatch_pk>/", importing.import_preview, name="import_preview"),
    path("organisations/import/<int:importbatch_pk>/confirm/", importing.import_confirm, name="import_confirm"),
    path("my-organisation/", organisations.my_organisation, name="my_organisation"),
    path("organisations/<int:organisation_pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:organisation_pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("organisations/<int:organisation_pk>/status/", organisations.organisation_change_status,
         name="organisation_change_status"),
    path("organisations/<int:organisation_pk>/contacts/new/", organisations.contact_edit, name="contact_create"),
    path("organisations/<int:organisation_pk>/contacts/<int:contactperson_pk>/", organisations.contact_edit,
         name="contact_edit"),
    path("organisations/<int:organisation_pk>/contacts/<int:contactperson_pk>/delete/",
         organisations.contact_delete, name="contact_delete"),
    path("organisations/<int:organisation_pk>/payment/", organisations.payment_details_edit,
         name="payment_details_edit"),
    path("organisations/<int:organisation_pk>/payment/verify/", organisations.payment_details_verify,
         name="payment_details_verify"),
    path("geography/", geography.geography, name="geography"),
    path("geography/regions/<int:region_pk>/", geography.region_edit, name="region_edit"),
    path("geography/communes/<int:commune_pk>/", geography.commune_edit, name="commune_edit"),
    path("geography/focus-areas/<int:focusarea_pk>/", geography.focus_area_edit, name="focus_area_edit"),
    path("join-requests/", registration.join_requests, name="join_requests"),
    path("join-requests/<int:joinrequest_pk>/decide/", registration.join_request_decide,
         name="join_request_decide"),
    # Due diligence and sanctions screening.
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
