from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import include, path, re_path

from caseload.chart import urls as chart_urls
from caseload.clients import urls as clients_urls
from caseload.config.api import api
from caseload.core import views as core_views
from caseload.enrolments import urls as enrolments_urls
from caseload.staff import twofactor
from caseload.staff import views as staff_views
from caseload.team import views as team_views
from caseload.workforce import public as workforce_public

#: Admin pages of models that left the coordination app, and the app that has them now.
MOVED_ADMIN = {"holiday": "core", "service": "directory", "serviceorganisation": "directory"}


def moved_admin_page(request: HttpRequest, model: str, rest: str) -> HttpResponsePermanentRedirect:
    """An administrator's bookmark of /admin/coordination/<model>/... (before the split)."""
    query = request.META.get("QUERY_STRING", "")
    url = f"/admin/{MOVED_ADMIN[model]}/{model}/{rest}" + (f"?{query}" if query else "")
    return HttpResponsePermanentRedirect(url)


urlpatterns = [
    re_path(
        r"^admin/coordination/(?P<model>holiday|service|serviceorganisation)/(?P<rest>.*)$",
        moved_admin_page,
    ),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("career/", workforce_public.career, name="career"),
    path("accounts/sign-in/", staff_views.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", staff_views.sign_out, name="logout"),
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
    path("programs/", include("caseload.programrules.urls")),
    path("audit/", include("caseload.access.audit_urls")),
    path("assessments/", include("caseload.assessments.urls")),
    path("workforce/", include("caseload.workforce.urls")),
    # coordination's pages keep the addresses people have (bookmarks, links in notes and letters,
    # the calendar feed subscribed in calendar apps): the apps that took them over are mounted at
    # /coordination/, with the client overview the chart app composes from three of them.
    path("coordination/", include((chart_urls.coordination_urlpatterns, "chart"))),
    path("coordination/", include("caseload.directory.urls")),
    path("coordination/", include("caseload.referrals.urls")),
    path("coordination/", include("caseload.appointments.urls")),
    path("coordination/", include("caseload.transitions.urls")),
    path("team/", include("caseload.team.urls")),
    path("home/", team_views.home, name="home"),
    path("reports/", include("caseload.reports.urls")),
    path("exports/", include("caseload.exports.urls")),
]

handler404 = "caseload.core.views.not_found"
handler500 = "caseload.core.views.server_error"
