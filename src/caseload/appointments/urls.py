from django.urls import path

from caseload.appointments import views

app_name = "appointments"

# Mounted at /coordination/ (config/urls.py), where appointments have always been. The calendar
# feed's address is in people's calendar apps (and each event links to its appointment page):
# these paths must not change.
urlpatterns = [
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
]
