from django.urls import path

from caseload.assessments import views

app_name = "assessments"

urlpatterns = [
    path("clients/<uuid:client_id>/", views.client_history, name="client_history"),
    path("clients/<uuid:client_id>/give/", views.administer, name="administer"),
    path("responses/<uuid:response_id>/", views.response, name="response"),
    path("responses/<uuid:response_id>/fhir/", views.response_fhir, name="response_fhir"),
    path(
        "responses/<uuid:response_id>/entered-in-error/",
        views.entered_in_error,
        name="entered_in_error",
    ),
    path("goals/<uuid:goal_id>/score-target/", views.goal_target, name="goal_target"),
    path("registry/", views.registry_index, name="registry_index"),
    path("registry/<uuid:program_id>/", views.registry, name="registry"),
    path("registry/<uuid:program_id>/export.csv", views.registry_csv, name="registry_csv"),
]
