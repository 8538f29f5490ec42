from django.urls import path

from .views import assessments as assessment_views

app_name = "training"

urlpatterns: list = [
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
