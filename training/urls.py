from django.urls import path

from .views import assessments as assessment_views
from .views import learning as learning_views
from .views import reach as reach_views
from .views import sessions
from .views import settings as settings_views

app_name = "training"

urlpatterns: list = [
    path("training/", sessions.session_list, name="session_list"),
    path("training/topics/", sessions.topics, name="topics"),
    path("training/settings/", settings_views.settings_page, name="settings"),
    path("training/new/", sessions.session_create, name="session_create"),
    path("training/<int:training_session_pk>/", sessions.session_detail, name="session_detail"),
    path("training/<int:training_session_pk>/edit/", sessions.session_edit, name="session_edit"),
    path("training/<int:training_session_pk>/status/", sessions.session_change_status, name="session_change_status"),
    path("training/<int:training_session_pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("training/<int:training_session_pk>/materials/", sessions.material_add, name="material_add"),
    path("training/<int:training_session_pk>/materials/<int:sessionmaterial_pk>/", sessions.material_download,
         name="material_download"),
    path("training/<int:training_session_pk>/register/", sessions.session_register, name="session_register"),
    path("training/<int:training_session_pk>/attendance/", sessions.attendance_grid, name="attendance_grid"),
    path("training/<int:training_session_pk>/attendance/sheet.pdf", sessions.attendance_sheet, name="attendance_sheet"),
    path("training/<int:training_session_pk>/attendance/import/", sessions.attendance_import, name="attendance_import"),
    # Learning: scores, evaluations and certificates
    path("training/<int:training_session_pk>/scores/", learning_views.scores_grid, name="scores_grid"),
    path("training/<int:training_session_pk>/certificates/<int:registration_pk>/issue/",
         learning_views.certificate_issue, name="certificate_issue"),
    path("training/<int:training_session_pk>/certificates/<int:registration_pk>/certificate.pdf",
         learning_views.certificate_download, name="certificate_download"),
    path("training/reach/", reach_views.programme_reach, name="reach"),
    path("training/reach/export/", reach_views.programme_reach_export, name="reach_export"),
    path("training/<int:training_session_pk>/reach/", reach_views.session_reach, name="session_reach"),
    path("training/<int:training_session_pk>/reach/export/", reach_views.session_reach_export,
         name="session_reach_export"),
    # Organisational capacity assessments
    path("training/assessments/", assessment_views.assessment_list, name="assessment_list"),
    path("training/assessments/new/", assessment_views.assessment_create, name="assessment_create"),
    path("training/assessments/<int:assessment_pk>/", assessment_views.assessment_detail, name="assessment_detail"),
    path("training/assessments/<int:assessment_pk>/complete/", assessment_views.assessment_complete,
         name="assessment_complete"),
    path("training/assessments/<int:assessment_pk>/action-plan/", assessment_views.action_plan,
         name="action_plan"),
    path("training/assessments/organisation/<int:organisation_pk>/", assessment_views.organisation_assessments,
         name="organisation_assessments"),
    path("training/assessments/organisation/<int:organisation_pk>/progress/",
         assessment_views.organisation_progress, name="organisation_progress"),
    path("training/assessments/framework/", assessment_views.framework, name="assessment_framework"),
    path("training/assessments/framework/domains/<int:assessmentdomain_pk>/", assessment_views.domain_edit,
         name="assessment_domain_edit"),
    path("training/assessments/framework/sub-areas/<int:assessmentsubarea_pk>/", assessment_views.sub_area_edit,
         name="assessment_sub_area_edit"),
]
