from django.urls import path

from caseload.coordination import views

app_name = "coordination"

urlpatterns = [
    path("for/<uuid:client_id>/", views.client_overview, name="client_overview"),
    # Transitions of care
    path("for/<uuid:client_id>/discharges/new/", views.discharge_record, name="discharge_record"),
    path("transitional-care/<uuid:episode_id>/", views.episode_detail, name="episode_detail"),
    path(
        "transitional-care/<uuid:episode_id>/record/",
        views.episode_record_clock,
        name="episode_record_clock",
    ),
    path("transitional-care/<uuid:episode_id>/close/", views.episode_close, name="episode_close"),
]
