from django.contrib import admin
from django.urls import include, path

from caseload.chart import urls as chart_urls
from caseload.clients import urls as clients_urls
from caseload.config.api import api
from caseload.core import views as core_views
from caseload.enrolments import urls as enrolments_urls
from caseload.staff import twofactor

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/sign-in/", core_views.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", core_views.sign_out, name="logout"),
    path("accounts/two-factor/set-up/", twofactor.set_up, name="two_factor_set_up"),
    path("accounts/two-factor/verify/", twofactor.verify, name="two_factor_verify"),
    path("", include("caseload.worklist.urls")),
    # /clients/… holds pages of three floors in one URL namespace, "clients": the client's own
    # pages, registering a new client with their first enrolment (enrolments), and the chart,
    # which gathers every app. Only this wiring joins them, so no app imports one above it and
    # the addresses and URL names stay what people and templates use.
    path(
        "clients/",
        include(
            (
                [
                    *clients_urls.urlpatterns,
                    *enrolments_urls.client_urlpatterns,
                    *chart_urls.urlpatterns,
                ],
                "clients",
            )
        ),
    ),
    path("enrolments/", include("caseload.enrolments.urls")),
    path("care-plans/", include("caseload.careplans.urls")),
    path("notes/", include("caseload.notes.urls")),
    path("tasks/", include("caseload.tasks.urls")),
    path("staff/", include("caseload.staff.urls")),
    path("access/", include("caseload.access.urls")),
    path("consents/", include("caseload.consents.urls")),
    path("audit/", include("caseload.audit.urls")),
    path("assessments/", include("caseload.assessments.urls")),
    path("coordination/", include("caseload.coordination.urls")),
]

handler404 = "caseload.core.views.not_found"
handler500 = "caseload.core.views.server_error"
