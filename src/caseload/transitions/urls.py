from django.urls import path

from caseload.transitions import views

app_name = "transitions"

# Mounted at /coordination/ (config/urls.py), where transitional care has always been.
urlpatterns = [
    path("for/<uuid:client_id>/discharges/new/", views.discharge_record, name="discharge_record"),
    path("transitional-care/<uuid:episode_id>/", views.episode_detail, name="episode_detail"),
    path(
        "transitional-care/<uuid:episode_id>/record/",
        views.episode_record_clock,
        name="episode_record_clock",
    ),
    path("transitional-care/<uuid:episode_id>/close/", views.episode_close, name="episode_close"),
]
