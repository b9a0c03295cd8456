from django.urls import path

from caseload.worklist import views

app_name = "worklist"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    # A client's coordination overview keeps the address it had in the coordination app.
    path("coordination/for/<uuid:client_id>/", views.client_overview, name="client_overview"),
]
