from django.urls import path

from caseload.notes import views

app_name = "notes"

urlpatterns = [
    path("for/<uuid:client_id>/new/", views.create, name="create"),
    path("for/<uuid:client_id>/", views.timeline, name="timeline"),
    path("<uuid:note_id>/", views.detail, name="detail"),
    path("<uuid:note_id>/edit/", views.edit, name="edit"),
    path("<uuid:note_id>/sign/", views.sign, name="sign"),
    path("<uuid:note_id>/addendum/", views.addendum, name="addendum"),
    path("<uuid:note_id>/cosign/", views.cosign, name="cosign"),
    path("<uuid:note_id>/return/", views.return_note, name="return_note"),
    path("<uuid:note_id>/tasks/", views.task_offer, name="task_offer"),
    path("cosign-queue/", views.cosign_queue, name="cosign_queue"),
    path(
        "<uuid:note_id>/entered-in-error/",
        views.note_entered_in_error,
        name="note_entered_in_error",
    ),
    path(
        "for/<uuid:client_id>/entered-in-error/",
        views.entered_in_error_list,
        name="entered_in_error_list",
    ),
]
