"""The client's own pages under /clients/, in the ``clients`` URL namespace (config/urls.py
mounts them there with the new-client page from enrolments and the chart)."""

from django.urls import path

from caseload.clients import views

urlpatterns = [
    path("<uuid:client_id>/edit/", views.edit, name="edit"),
    path("<uuid:client_id>/related/new/", views.related_create, name="related_create"),
    path(
        "<uuid:client_id>/related/<uuid:person_id>/edit/", views.related_edit, name="related_edit"
    ),
    path("<uuid:client_id>/flags/new/", views.flag_create, name="flag_create"),
    path("<uuid:client_id>/flags/<uuid:flag_id>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("<uuid:client_id>/access-history/", views.access_history, name="access_history"),
    path(
        "<uuid:client_id>/related/<uuid:person_id>/entered-in-error/",
        views.related_person_entered_in_error,
        name="related_person_entered_in_error",
    ),
    path(
        "<uuid:client_id>/flags/<uuid:flag_id>/entered-in-error/",
        views.flag_entered_in_error,
        name="flag_entered_in_error",
    ),
]
