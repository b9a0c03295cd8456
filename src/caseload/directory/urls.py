from django.urls import path

from caseload.directory import views

app_name = "directory"

# Mounted at /coordination/ (config/urls.py), where the directory has always been.
urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/import/", views.directory_import, name="directory_import"),
    path(
        "directory/import/<uuid:import_id>/",
        views.directory_import_status,
        name="directory_import_status",
    ),
]
