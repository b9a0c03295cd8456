from django.urls import path

from caseload.worklist import views

app_name = "worklist"

urlpatterns = [
    path("", views.caseload, name="caseload"),
]
