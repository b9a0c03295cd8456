from django.urls import path

from caseload.enrolments import views

app_name = "enrolments"

#: Registering a new client with their first enrolment, at /clients/new/ as ``clients:create``
#: (config/urls.py mounts these in the ``clients`` namespace).
client_urlpatterns = [
    path("new/", views.client_register, name="create"),
]

urlpatterns = [
    path("for/<uuid:client_id>/new/", views.create, name="create"),
    path("<uuid:enrolment_id>/", views.detail, name="detail"),
    path("<uuid:enrolment_id>/transition/", views.transition, name="transition"),
    path("<uuid:enrolment_id>/reassign/", views.reassign, name="reassign"),
    path("<uuid:enrolment_id>/acuity/", views.acuity, name="acuity"),
    path("<uuid:enrolment_id>/care-team/add/", views.team_add, name="team_add"),
    path("<uuid:enrolment_id>/care-team/<uuid:member_id>/end/", views.team_end, name="team_end"),
]
