from django.urls import path

from caseload.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("for/<uuid:client_id>/new/", views.create, name="create"),
    path("<uuid:task_id>/edit/", views.edit, name="edit"),
    path("<uuid:task_id>/complete/", views.complete, name="complete"),
    path("<uuid:task_id>/cancel/", views.cancel, name="cancel"),
    path(
        "<uuid:task_id>/entered-in-error/",
        views.task_entered_in_error,
        name="task_entered_in_error",
    ),
]
