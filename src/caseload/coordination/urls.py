from django.urls import path

from caseload.coordination import views

app_name = "coordination"

urlpatterns = [
    path("for/<uuid:client_id>/", views.client_overview, name="client_overview"),
    # Appointments and the private calendar feed
    path("appointments/", views.appointment_day, name="appointment_day"),
    path("appointments/week/", views.appointment_week, name="appointment_week"),
    path(
        "for/<uuid:client_id>/appointments/new/",
        views.appointment_create,
        name="appointment_create",
    ),
    path(
        "appointments/<uuid:appointment_id>/",
        views.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "appointments/<uuid:appointment_id>/edit/",
        views.appointment_edit,
        name="appointment_edit",
    ),
    path(
        "appointments/<uuid:appointment_id>/status/",
        views.appointment_status,
        name="appointment_status",
    ),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
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
