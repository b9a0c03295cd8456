from django.urls import path

from caseload.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.search, name="search"),
    path("clients/<uuid:client_id>/", views.client_report, name="client_report"),
]
