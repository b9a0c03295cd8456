"""The JSON API (django-ninja, OpenAPI at /api/openapi.json): routers from each app, mounted
over the same services and selectors as the pages, with session sign-in and CSRF."""

from ninja import NinjaAPI

from caseload.assessments.api import build_router as assessments_router

api = NinjaAPI(title="Caseload API", version="1", urls_namespace="api")
api.add_router("/assessments/", assessments_router())
