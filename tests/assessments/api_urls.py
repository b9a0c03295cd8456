"""The project's URLs plus the assessments API mounted as the lead will mount it."""

from django.urls import path
from ninja import NinjaAPI

from caseload.assessments.api import build_router
from caseload.config.urls import urlpatterns as project_urlpatterns

api = NinjaAPI(urls_namespace="assessments-api-test", docs_url=None)
api.add_router("/assessments/", build_router())

urlpatterns = [path("api/", api.urls), *project_urlpatterns]
