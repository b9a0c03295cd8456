"""A small JSON API for assessments over the same services and selectors as the pages.

Mount it on the project's NinjaAPI, e.g. ``api.add_router("/assessments/", build_router())``.
Errors are ``application/problem+json`` (core/api.py) carrying the error code and, for invalid
answers, the message for each question (keyed by linkId) — the same refusals the page gives.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema, Status
from ninja.security import django_auth

from caseload.access import policies
from caseload.assessments import catalogue, selectors, services
from caseload.assessments.fhir import response_bundle
from caseload.assessments.models import AssessmentResponse
from caseload.audit.services import audit_record
from caseload.core.errors import AppError, NotFound
from caseload.core.problems import app_error_problem
from caseload.staff.models import User


class InstrumentOut(Schema):
    code: str
    version: str
    short_name: str
    title: str
    range: list[int] | None
    questions: list[dict[str, Any]]


class ResponseIn(Schema):
    instrument: str
    answers: dict[str, Any] = {}
    complete: bool = False
    assessed_on: dt.date | None = None


class ResponseUpdate(Schema):
    answers: dict[str, Any] = {}
    version: int
    complete: bool = False
    assessed_on: dt.date | None = None


class ResponseOut(Schema):
    id: UUID
    client_id: UUID
    instrument: str
    instrument_version: str
    status: str
    version: int
    answers: dict[str, Any]
    assessed_on: dt.date | None
    total: int | None
    subscales: dict[str, Any]
    domains: dict[str, Any]
    band: str
    band_label: str
    flags: list[dict[str, Any]]
    actions: list[dict[str, Any]]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _problem(error: AppError, response: AssessmentResponse) -> HttpResponse:
    """An incomplete submission: the problem, with the draft that was kept."""
    return app_error_problem(error, extra={"draft": _out(response)})


def _out(response: AssessmentResponse) -> dict[str, Any]:
    return {
        "id": str(response.pk),
        "client_id": str(response.client_id),
        "instrument": response.instrument_code,
        "instrument_version": response.instrument_version,
        "status": response.status,
        "version": response.version,
        "answers": response.answers,
        "assessed_on": response.assessed_on.isoformat() if response.assessed_on else None,
        "total": response.total,
        "subscales": response.subscales,
        "domains": response.domains,
        "band": response.band_code,
        "band_label": response.band_label,
        "flags": response.flags,
        "actions": response.actions,
    }


def build_router() -> Router:
    """A fresh router (a router can be mounted on one API only; tests mount their own)."""
    router = Router(auth=django_auth, tags=["assessments"])

    @router.get("/instruments", response=list[InstrumentOut])
    def instruments(request: HttpRequest) -> Any:
        """Every instrument offered, with its questions and the allowed answers."""
        policies.require_clinical(_actor(request))
        return [
            {
                "code": i.code,
                "version": i.version,
                "short_name": i.short_name,
                "title": i.title,
                "range": list(i.range) if i.range else None,
                "questions": [
                    {
                        "linkId": q.link_id,
                        "type": q.type,
                        "text": q.text,
                        "required": q.required,
                        "repeats": q.repeats,
                        "options": [o.code for o in q.options],
                        "min": q.min_value,
                        "max": q.max_value,
                    }
                    for q in i.questions
                ],
            }
            for i in catalogue.ordered()
        ]

    @router.post("/clients/{client_id}/responses", response={201: ResponseOut})
    def response_create(request: HttpRequest, client_id: UUID, payload: ResponseIn) -> Any:
        """Start a response (a draft), or submit it complete in one call."""
        actor = _actor(request)
        try:
            policies.require_clinical(actor)
            client = policies.require_client(actor, client_id)
            saved = services.response_submit(
                actor=actor,
                client=client,
                instrument_code=payload.instrument,
                answers=payload.answers,
                complete=payload.complete,
                assessed_on=payload.assessed_on,
            )
        except services.IncompleteResponse as error:
            return _problem(error, error.response)
        return Status(201, _out(saved))

    @router.get("/responses/{response_id}", response=ResponseOut)
    def response_read(request: HttpRequest, response_id: UUID) -> Any:
        actor = _actor(request)
        found = selectors.response_get(actor=actor, response_id=response_id)
        audit_record(
            actor=actor,
            action="assessment.viewed",
            target=found,
            client=found.client,
            detail={"instrument": found.instrument_code, "via": "api"},
        )
        return _out(found)

    @router.put("/responses/{response_id}", response=ResponseOut)
    def response_update(request: HttpRequest, response_id: UUID, payload: ResponseUpdate) -> Any:
        """Replace a draft's answers (optimistic lock on ``version``), optionally completing."""
        actor = _actor(request)
        try:
            found = selectors.response_get(actor=actor, response_id=response_id)
            saved = services.response_submit(
                actor=actor,
                client=found.client,
                instrument_code=found.instrument_code,
                answers=payload.answers,
                response=found,
                expected_version=payload.version,
                complete=payload.complete,
                assessed_on=payload.assessed_on,
            )
        except services.IncompleteResponse as error:
            return _problem(error, error.response)
        return _out(saved)

    @router.get("/responses/{response_id}/fhir")
    def response_fhir(request: HttpRequest, response_id: UUID) -> Any:
        """The response as a FHIR Bundle (QuestionnaireResponse and Observations)."""
        actor = _actor(request)
        found = selectors.response_get(actor=actor, response_id=response_id)
        instrument = selectors.instrument_of(found)
        if instrument is None:
            raise NotFound("This assessment's instrument is no longer available.")
        audit_record(
            actor=actor,
            action="assessment.exported",
            target=found,
            client=found.client,
            detail={"format": "fhir", "via": "api"},
        )
        return JsonResponse(
            response_bundle(found, instrument), content_type="application/fhir+json"
        )

    return router


router = build_router()
