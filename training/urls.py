from django.urls import path

from .views import sessions

app_name = "training"

urlpatterns: list = [
    path("training/", sessions.session_list, name="session_list"),
    path("training/topics/", sessions.topics, name="topics"),
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
]
