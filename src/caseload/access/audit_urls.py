"""The audit trail's pages, mounted at /audit/ in the `audit` namespace."""

from django.urls import path

from caseload.access import audit_views as views

app_name = "audit"

urlpatterns = [
    path("", views.search, name="search"),
    path("export/", views.export, name="export"),
    path("clients/<uuid:client_id>/", views.client_report, name="client_report"),
]
