"""Grants URLs, included under /<tenant_slug>/ by config.urls."""

from django.urls import path

from .views import applications, awards, calls, ranking, report_pages, reports, reviews

app_name = "grants"

urlpatterns = [
    path("calls/", calls.call_list, name="call_list"),
    path("calls/new/", calls.call_create, name="call_create"),
    path("calls/budget-categories/", calls.budget_categories, name="budget_categories"),
    path("calls/<int:call_pk>/", calls.call_detail, name="call_detail"),
    path("calls/<int:call_pk>/edit/", calls.call_edit, name="call_edit"),
    path("calls/<int:call_pk>/envelope/", calls.call_envelope, name="call_envelope"),
    path("calls/<int:call_pk>/apply/", calls.call_apply, name="call_apply"),
    path("calls/<int:call_pk>/status/", calls.call_change_status, name="call_change_status"),
    path("calls/<int:call_pk>/ranking/", ranking.call_ranking, name="call_ranking"),
    path("calls/<int:call_pk>/ranking/export/", ranking.call_ranking_export, name="call_ranking_export"),
    path("calls/<int:call_pk>/decide/", ranking.call_decide, name="call_decide"),
    path("calls/<int:call_pk>/assign/", reviews.call_assign_automatically, name="call_assign_automatically"),
    path("applications/", applications.application_list, name="application_list"),
    path("applications/<int:application_pk>/", applications.application_detail, name="application_detail"),
    path("applications/<int:application_pk>/edit/", applications.application_section, name="application_section"),
    path("applications/<int:application_pk>/submit/", applications.application_submit, name="application_submit"),
    path("applications/<int:application_pk>/status/", applications.application_change_status,
         name="application_change_status"),
    path("applications/<int:application_pk>/screening/", applications.application_screening,
         name="application_screening"),
    path("applications/<int:application_pk>/assign/", applications.application_assign, name="application_assign"),
    path("applications/<int:application_pk>/versions/", applications.application_versions,
         name="application_versions"),
    path("applications/<int:application_pk>/pdf/", applications.application_pdf, name="application_pdf"),
    path("documents/<int:applicationattachment_pk>/", applications.attachment_download, name="attachment_download"),
    path("awards/", awards.award_list, name="award_list"),
    path("awards/<int:award_pk>/", awards.award_detail, name="award_detail"),
    path("awards/<int:award_pk>/status/", awards.award_change_status, name="award_change_status"),
    path("awards/<int:award_pk>/tranches/<int:tranche_pk>/cancel/", awards.tranche_cancel, name="tranche_cancel"),
    path("reports/<int:progressreport_pk>/", reports.report_detail, name="report_detail"),
    path("reports/", report_pages.report_list, name="report_list"),
    path("reports/<int:progressreport_pk>/edit/", report_pages.report_edit, name="report_edit"),
    path("reports/<int:progressreport_pk>/review/", report_pages.report_review, name="report_review"),
    path("reports/<int:progressreport_pk>/finance/", report_pages.report_finance, name="report_finance"),
    path("report-files/<int:reportattachment_pk>/", report_pages.report_attachment_download,
         name="report_attachment_download"),
    path("report-files/<int:reportattachment_pk>/delete/", report_pages.report_attachment_delete,
         name="report_attachment_delete"),
    path("reviews/", reviews.review_list, name="review_list"),
    path("reviews/<int:review_pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:review_pk>/conflict/", reviews.review_conflict, name="review_conflict"),
]
