from django.urls import path

from caseload.reports import views

app_name = "reports"

urlpatterns = [
    path("month/", views.month, name="month"),
    path("month/clients/", views.figure_clients, name="figure_clients"),
]
