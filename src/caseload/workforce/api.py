"""The career advisor's JSON API: the same result the pages show.

- ``GET /api/workforce/me/advice`` and ``GET /api/workforce/staff/{id}/advice``: a staff
  member's plan — the object `caseload career advise` prints (``CCM``, ``CMC``, ``renewals``)
  with ``as_of``, ``ce_plan``, ``ladder`` and ``specialisations`` beside it. Out of scope: 404.
- ``POST /api/workforce/advise``: any profile in the documented shape (docs/credentials.md) in,
  the `career advise` object out; nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest, JsonResponse
from ninja import Router
from ninja.security import django_auth

from caseload.access import policies
from caseload.core.errors import NotFound, ValidationFailed
from caseload.staff.models import User
from caseload.workforce import engine, rules, selectors


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def build_router() -> Router:
    router = Router(auth=django_auth, tags=["workforce"])

    @router.get("/me/advice")
    def my_advice(request: HttpRequest) -> JsonResponse:
        actor = _actor(request)
        if not policies.is_clinical(actor):
            raise NotFound("Not found.")
        plan = selectors.advice_get(actor=actor, staff=actor)
        return JsonResponse(plan.as_json())

    @router.get("/staff/{staff_id}/advice")
    def staff_advice(request: HttpRequest, staff_id: int) -> JsonResponse:
        actor = _actor(request)
        staff = selectors.staff_get(actor=actor, staff_id=staff_id)
        return JsonResponse(selectors.advice_get(actor=actor, staff=staff).as_json())

    @router.post("/advise")
    def advise(request: HttpRequest) -> JsonResponse:
        if not policies.is_clinical(_actor(request)):
            raise NotFound("Not found.")
        try:
            profile: Any = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationFailed("The body is not JSON.") from exc
        try:
            parsed = engine.profile_from_json(profile)
        except engine.ProfileError as error:
            raise ValidationFailed(
                "The profile is not valid.", field_errors={"profile": error.problems}
            ) from error
        return JsonResponse(engine.advise(parsed, rules.load_rules()).as_json())

    return router
