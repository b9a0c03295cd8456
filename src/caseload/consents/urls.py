from django.urls import path

from caseload.consents import views

app_name = "consents"

urlpatterns = [
    path("for/<uuid:client_id>/", views.client_consents, name="client"),
    path("<uuid:consent_id>/revoke/", views.revoke, name="revoke"),
]
