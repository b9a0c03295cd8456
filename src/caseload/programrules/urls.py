from django.urls import path

from caseload.programrules import views

app_name = "programrules"

urlpatterns = [
    path("timer/start/<uuid:client_id>/", views.timer_start, name="timer_start"),
    path("timer/", views.timer_record, name="timer_record"),
    path("timer/discard/", views.timer_discard, name="timer_discard"),
    path("time/<uuid:time_entry_id>/edit/", views.time_entry_edit, name="time_edit"),
    path(
        "time/<uuid:time_entry_id>/entered-in-error/",
        views.time_entry_entered_in_error,
        name="time_entered_in_error",
    ),
    path("conditions/<uuid:client_id>/", views.conditions, name="conditions"),
    path(
        "conditions/<uuid:condition_id>/resolve/",
        views.condition_resolve,
        name="condition_resolve",
    ),
    path(
        "conditions/<uuid:condition_id>/entered-in-error/",
        views.condition_entered_in_error,
        name="condition_entered_in_error",
    ),
    path("month/", views.month_report, name="month"),
    path("month/billing.csv", views.month_csv, name="month_csv"),
    path("month/close/", views.month_close, name="month_close"),
    path("month/reopen/", views.month_reopen, name="month_reopen"),
]
