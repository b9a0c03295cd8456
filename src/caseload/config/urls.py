from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from caseload.core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "accounts/sign-in/",
        auth_views.LoginView.as_view(template_name="core/sign_in.html"),
        name="login",
    ),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("caseload.worklist.urls")),
    path("clients/", include("caseload.clients.urls")),
    path("enrolments/", include("caseload.enrolments.urls")),
    path("care-plans/", include("caseload.careplans.urls")),
    path("notes/", include("caseload.notes.urls")),
    path("tasks/", include("caseload.tasks.urls")),
    path("staff/", include("caseload.staff.urls")),
    path("assessments/", include("caseload.assessments.urls")),
    path("coordination/", include("caseload.coordination.urls")),
]

handler404 = "caseload.core.views.not_found"
