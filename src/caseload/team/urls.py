from django.urls import path

from caseload.team import views

app_name = "team"

urlpatterns = [
    path("", views.team, name="view"),
    path("clients/", views.team_clients, name="clients"),
    path("reassign/", views.reassign, name="reassign"),
    path("reassign/preview/", views.preview, name="reassign_preview"),
    path("reassign/confirm/", views.confirm, name="reassign_confirm"),
    path("reassign/batches/<uuid:batch_id>/", views.batch_view, name="batch"),
]
