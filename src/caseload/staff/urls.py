from django.urls import path

from caseload.staff import views

app_name = "staff"

urlpatterns = [
    path("me/", views.my_profile, name="me"),
]
