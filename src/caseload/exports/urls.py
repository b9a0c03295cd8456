"""Exports, mounted at /exports/ in the `exports` namespace."""

from django.urls import path

from caseload.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<uuid:export_id>/", views.detail, name="detail"),
    path("<uuid:export_id>/download/", views.download, name="download"),
]
