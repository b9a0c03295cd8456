from django.urls import path

from caseload.coordination import views

app_name = "coordination"

urlpatterns = [
    path("for/<uuid:client_id>/", views.client_overview, name="client_overview"),
]
