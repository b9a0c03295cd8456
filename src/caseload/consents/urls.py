from django.urls import path

from caseload.consents import views

app_name = "consents"

urlpatterns = [
    path("for/<uuid:client_id>/", views.client_consents, name="client"),
    path("<uuid:consent_id>/revoke/", views.revoke, name="revoke"),
    path(
        "<uuid:consent_id>/entered-in-error/",
        views.consent_entered_in_error,
        name="consent_entered_in_error",
    ),
]
