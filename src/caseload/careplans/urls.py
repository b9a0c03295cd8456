from django.urls import path

from caseload.careplans import views

app_name = "careplans"

urlpatterns = [
    path("for/<uuid:enrolment_id>/new/", views.create, name="create"),
    path("<uuid:plan_id>/", views.detail, name="detail"),
    path("<uuid:plan_id>/edit/", views.edit, name="edit"),
    path("<uuid:plan_id>/problems/new/", views.problem_create, name="problem_create"),
    path("problems/<uuid:problem_id>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<uuid:problem_id>/goals/new/", views.goal_create, name="goal_create"),
    path("goals/<uuid:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path(
        "goals/<uuid:goal_id>/interventions/new/",
        views.intervention_create,
        name="intervention_create",
    ),
    path(
        "interventions/<uuid:intervention_id>/edit/",
        views.intervention_edit,
        name="intervention_edit",
    ),
    path("<uuid:plan_id>/publish/", views.publish, name="publish"),
    path("<uuid:plan_id>/versions/<int:number>/", views.version, name="version"),
    path("<uuid:plan_id>/versions/<int:number>/cosign/", views.cosign, name="cosign"),
    path(
        "<uuid:plan_id>/versions/<int:number>/return/", views.return_version, name="return_version"
    ),
]
