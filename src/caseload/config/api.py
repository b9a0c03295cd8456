"""The JSON API (django-ninja, OpenAPI at /api/openapi.json): routers from each app, mounted
over the same services and selectors as the pages, with session sign-in and CSRF. Every error is
application/problem+json (core/api.py)."""

from caseload.assessments.api import build_router as assessments_router
from caseload.core.api import CaseloadAPI
from caseload.workforce.api import build_router as workforce_router

api = CaseloadAPI(title="Caseload API", version="1", urls_namespace="api", docs_url=None)
api.add_router("/assessments/", assessments_router())
api.add_router("/workforce/", workforce_router())
