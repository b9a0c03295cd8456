"""Assessment pages: give an instrument, continue a draft, read a result, trends, registry."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseload.access import policies
from caseload.assessments import catalogue, registry_exports, selectors, services
from caseload.assessments.definitions import Instrument
from caseload.assessments.fhir import response_bundle
from caseload.assessments.forms import (
    ChooseInstrumentForm,
    EnteredInErrorForm,
    GoalTargetForm,
    ResponseForm,
)
from caseload.assessments.models import AssessmentResponse
from caseload.audit.services import audit_record, audit_record_many
from caseload.clients.models import Client
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.core.forms import add_service_errors, page_number
from caseload.core.formviews import ConflictShown, form_view, success_redirect, with_version
from caseload.core.http import post_only
from caseload.exports.services import export_request
from caseload.exports.views import redirect_to
from caseload.staff.models import User


def actor_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def _client(actor: User, client_id: UUID) -> Client:
    policies.require_clinical(actor)
    return policies.require_client(actor, client_id)


def _form_context(
    client: Client, instrument: Instrument, form: ResponseForm, draft: AssessmentResponse | None
) -> dict[str, Any]:
    return {
        "client": client,
        "instrument": instrument,
        "form": form,
        "draft": draft,
        "action_url": (
            reverse("assessments:response", args=[draft.pk])
            if draft
            else reverse("assessments:administer", args=[client.pk])
            + f"?instrument={instrument.code}"
        ),
    }


def _submit(
    request: HttpRequest,
    actor: User,
    client: Client,
    instrument: Instrument,
    draft: AssessmentResponse | None,
) -> HttpResponse:
    """Handle a posted response form: save the draft, and complete it when asked."""
    form = ResponseForm(request.POST, instrument=instrument)
    complete = request.POST.get("action") == "complete"
    context = _form_context(client, instrument, form, draft)
    if not form.is_valid():
        return render(request, "assessments/administer.html", context, status=400)
    expected = form.cleaned_data.get("version")
    if draft is not None and expected is None:
        # Posted from a blank form while someone else started a draft: never overwrite it
        # silently (no draft has version 0, so this is answered as a conflict).
        expected = 0
    try:
        saved = services.response_submit(
            actor=actor,
            client=client,
            instrument_code=instrument.code,
            answers=form.answers(),
            response=draft,
            expected_version=expected if draft else None,
            complete=complete,
            assessed_on=form.cleaned_data.get("assessed_on"),
        )
    except services.IncompleteResponse as error:
        # The draft is saved: show the form against it, with what is missing.
        saved_draft = error.response
        form = ResponseForm(with_version(request.POST, saved_draft.version), instrument=instrument)
        form.is_valid()
        form.add_answer_errors(error.field_errors)
        if not error.field_errors:
            form.add_error(None, error.message)
        context = _form_context(client, instrument, form, saved_draft)
        context["incomplete_message"] = error.message
        return render(request, "assessments/administer.html", context, status=400)
    except Conflict as error:
        if error.code == services.DRAFT_EXISTS and error.params.get("response_id"):
            messages.warning(request, f"{error.message} Continue it here.")
            return redirect("assessments:response", response_id=error.params["response_id"])
        if error.code == services.NOT_DRAFT and draft is not None:
            messages.error(request, error.message)
            return redirect("assessments:response", response_id=draft.pk)
        current = selectors.response_get(actor=actor, response_id=draft.pk) if draft else None
        form = ResponseForm(
            with_version(request.POST, current.version if current else 0), instrument=instrument
        )
        form.is_valid()
        context = _form_context(client, instrument, form, current)
        shown = ConflictShown(
            error=error,
            current=_answers_rows(instrument, current.answers if current else {}),
            reload_url=context["action_url"],
        )
        context.update(shown.context())
        return render(request, "assessments/administer.html", context, status=409)
    except ValidationFailed as error:
        if error.field_errors:
            form.add_answer_errors(error.field_errors)
        else:
            add_service_errors(form, error)
        return render(request, "assessments/administer.html", context, status=400)
    if saved.is_completed:
        messages.success(
            request, f"{instrument.short_name} completed and scored for {client.full_name}."
        )
    else:
        messages.success(request, f"Draft saved. You can finish the {instrument.short_name} later.")
    return redirect("assessments:response", response_id=saved.pk)


def _answers_rows(instrument: Instrument, answers: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (f"{n}. {item.text}", item.display_of(answers.get(item.link_id)) or "Not answered")
        for n, item in enumerate(instrument.questions, start=1)
    ]


@require_http_methods(["GET", "POST"])
def administer(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Give an instrument to a client: pick one, then answer it (saved as a draft or completed).

    ``?instrument=<code>`` opens the form; an existing draft of it opens instead, so nothing
    entered earlier is lost."""
    actor = actor_of(request)
    client = _client(actor, client_id)
    code = request.GET.get("instrument") or request.POST.get("instrument") or ""
    instrument = catalogue.get(code) if code else None
    if instrument is None:
        picker = ChooseInstrumentForm(request.GET if code else None)
        status = 200
        if code:
            picker.is_valid()
            status = 400
        if request.method == "POST":
            picker = ChooseInstrumentForm(request.POST)
            picker.is_valid()
            status = 400
        audit_record(
            actor=actor,
            action="assessment.form_opened",
            target=client,
            client=client,
            detail={"instrument": ""},
        )
        return render(
            request,
            "assessments/choose.html",
            {
                "client": client,
                "form": picker,
                "summary": selectors.assessment_summary_for_client(actor=actor, client=client),
            },
            status=status,
        )
    draft = selectors.draft_for(actor=actor, client=client, instrument_code=instrument.code)
    if draft is not None:
        if request.method == "POST":
            return _submit(request, actor, client, instrument, draft)
        return redirect("assessments:response", response_id=draft.pk)
    if request.method == "POST":
        return _submit(request, actor, client, instrument, None)
    audit_record(
        actor=actor,
        action="assessment.form_opened",
        target=client,
        client=client,
        detail={"instrument": instrument.code},
    )
    form = ResponseForm(instrument=instrument, initial={"assessed_on": clock.today()})
    return render(
        request, "assessments/administer.html", _form_context(client, instrument, form, None)
    )


@require_http_methods(["GET", "POST"])
def response(request: HttpRequest, response_id: UUID) -> HttpResponse:
    """A response: the form again while it is a draft; the scored result once completed."""
    actor = actor_of(request)
    found = selectors.response_get(actor=actor, response_id=response_id)
    client = found.client
    instrument = selectors.instrument_of(found)
    if found.is_draft and instrument is not None:
        if request.method == "POST":
            return _submit(request, actor, client, instrument, found)
        audit_record(
            actor=actor,
            action="assessment.viewed",
            target=found,
            client=client,
            detail={"instrument": found.instrument_code, "status": found.status},
        )
        form = ResponseForm(
            instrument=instrument,
            initial={
                **ResponseForm.initial_from(instrument, found.answers),
                "assessed_on": found.assessed_on or clock.today(),
                "version": found.version,
            },
        )
        return render(
            request,
            "assessments/administer.html",
            _form_context(client, instrument, form, found),
        )
    audit_record(
        actor=actor,
        action="assessment.viewed",
        target=found,
        client=client,
        detail={"instrument": found.instrument_code, "status": found.status},
    )
    status = 200
    if request.method == "POST":
        messages.error(request, "This assessment is no longer a draft, so it cannot change.")
        status = 409
    rows = []
    if instrument is not None:
        for number, item in enumerate(instrument.questions, start=1):
            value = found.answers.get(item.link_id)
            points = (
                item.score_of(value) if item.is_scored and value not in (None, "", []) else None
            )
            rows.append((number, item, item.display_of(value), points))
    domains = []
    if instrument is not None:
        domains = [(d.label, bool(found.domains.get(d.code))) for d in instrument.domains]
    subscales = []
    if instrument is not None:
        subscales = [
            (s.label, found.subscales.get(s.code), f"{s.range[0]}–{s.range[1]}")
            for s in instrument.subscales
        ]
    return render(
        request,
        "assessments/response_detail.html",
        {
            "client": client,
            "response": found,
            "instrument": instrument,
            "rows": rows,
            "domains": domains,
            "subscales": subscales,
            "error_form": EnteredInErrorForm(initial={"version": found.version}),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def entered_in_error(request: HttpRequest, response_id: UUID) -> HttpResponse:
    """Mark a response as entered in error (with a reason); nothing is deleted."""
    actor = actor_of(request)
    found = selectors.response_get(actor=actor, response_id=response_id)
    if request.method != "POST":
        audit_record(
            actor=actor,
            action="assessment.viewed",
            target=found,
            client=found.client,
            detail={"instrument": found.instrument_code, "page": "entered_in_error"},
        )
    return form_view(
        request,
        found,
        form=lambda record, data: EnteredInErrorForm(data, initial={"version": record.version}),
        save=lambda form: services.response_enter_in_error(
            actor=actor,
            response=found,
            expected_version=form.cleaned_data.get("version"),
            reason=form.cleaned_data["reason"],
        ),
        render=lambda page: render(
            request,
            "assessments/entered_in_error.html",
            {"client": found.client, "response": found, **page.context()},
            status=page.status,
        ),
        success=lambda _: success_redirect(
            request,
            "The assessment is marked as entered in error.",
            reverse("assessments:client_history", args=[found.client_id]),
        ),
    )


def response_fhir(request: HttpRequest, response_id: UUID) -> HttpResponse:
    """The response as a FHIR Bundle: QuestionnaireResponse and LOINC-coded Observations."""
    actor = actor_of(request)
    found = selectors.response_get(actor=actor, response_id=response_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    instrument = selectors.instrument_of(found)
    if instrument is None:
        raise NotFound("This assessment's instrument is no longer available.")
    audit_record(
        actor=actor,
        action="assessment.exported",
        target=found,
        client=found.client,
        detail={"format": "fhir"},
    )
    return JsonResponse(
        response_bundle(found, instrument),
        content_type="application/fhir+json",
        json_dumps_params={"indent": 2},
    )


def client_history(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Every assessment of a client, with each instrument's trend chart and table."""
    actor = actor_of(request)
    client = _client(actor, client_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    summary = selectors.assessment_summary_for_client(actor=actor, client=client)
    responses = selectors.response_list_for_client(actor=actor, client=client)
    audit_record(
        actor=actor,
        action="assessment.viewed",
        target=client,
        client=client,
        detail={"page": "history", "responses": len(responses)},
    )
    return render(
        request,
        "assessments/client_history.html",
        {"client": client, "summary": summary, "responses": responses},
    )


@require_http_methods(["GET", "POST"])
def goal_target(request: HttpRequest, goal_id: UUID) -> HttpResponse:
    """Measure a care plan goal by an instrument's score (e.g. PHQ-9 below 5)."""
    actor = actor_of(request)
    goal = selectors.goal_get(actor=actor, goal_id=goal_id)
    client = goal.careplan.client
    existing = selectors.score_targets_for_goals(
        actor=actor, client=client, goal_ids=[goal.pk]
    ).get(goal.pk)
    initial = (
        {
            "instrument": existing.instrument_code,
            "comparator": existing.comparator,
            "target_score": existing.target_score,
        }
        if existing
        else {"comparator": "lt"}
    )
    if request.method != "POST":
        audit_record(
            actor=actor,
            action="assessment.goal_target_viewed",
            target=goal,
            client=client,
        )
    return form_view(
        request,
        goal,
        form=lambda _, data: GoalTargetForm(data, initial=initial),
        save=lambda form: services.goal_target_set(
            actor=actor,
            goal=goal,
            instrument_code=form.cleaned_data["instrument"],
            comparator=form.cleaned_data["comparator"],
            target_score=form.cleaned_data["target_score"],
        ),
        render=lambda page: render(
            request,
            "assessments/goal_target.html",
            {"client": client, "goal": goal, "existing": existing, **page.context()},
            status=page.status,
        ),
        success=lambda _: success_redirect(
            request,
            "The goal is now measured by the score.",
            reverse("clients:chart", args=[client.pk]) + "#assessments",
        ),
    )


def registry_index(request: HttpRequest) -> HttpResponse:
    """Programs whose registry the actor may open."""
    actor = actor_of(request)
    programs = selectors.registry_programs(actor=actor)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if len(programs) == 1:
        return redirect("assessments:registry", program_id=programs[0].pk)
    return render(
        request, "assessments/registry_index.html", {"programs": programs, "nav": "registry"}
    )


def _clients(rows: Any) -> list[Client]:
    """The rows' clients as bare instances for the audit (``id=``: no uuid4() default)."""
    return [Client(id=row.client_id) for row in rows]


def registry(request: HttpRequest, program_id: UUID) -> HttpResponse:
    """The collaborative-care registry of a program, for the weekly psychiatric case review."""
    actor = actor_of(request)
    if request.method != "GET":
        selectors.registry_program_get(actor=actor, program_id=program_id)
        return HttpResponseNotAllowed(["GET"])
    page = selectors.registry_get(
        actor=actor,
        program_id=program_id,
        sort=request.GET.get("sort", "attention"),
        show=request.GET.get("show", "all"),
        page=page_number(request.GET),
    )
    audit_record_many(
        actor=actor,
        action="assessment.registry_viewed",
        targets=[(client, client) for client in _clients(page.rows)],
        detail={"program": str(page.program.pk)},
    )
    labels = {key: label for key, (label, _) in selectors.REGISTRY_SORTS.items()}
    before = ("name", "weeks", "phq_baseline", "phq_latest", "phq_change")
    after = ("gad_baseline", "gad_latest", "gad_change", "care_manager")
    return render(
        request,
        "assessments/registry.html",
        {
            "page": page,
            "nav": "registry",
            "columns_before": [(key, labels[key]) for key in before],
            "columns_after": [(key, labels[key]) for key in after],
            "sort_key": page.sort.lstrip("-"),
            "descending": page.sort.startswith("-"),
            "export_fields": [("sort", page.sort)],
        },
    )


def registry_csv(request: HttpRequest, program_id: UUID) -> HttpResponse:
    """Request the whole registry of a program (the actor's scoped clients) as CSV, in the
    page's sort order: written by a background job, followed on the export's page."""
    actor = actor_of(request)
    program = selectors.registry_program_get(actor=actor, program_id=program_id)
    if refused := post_only(request):
        return refused
    export = export_request(
        actor=actor,
        kind=registry_exports.KIND,
        filters={
            "program": str(program.pk),
            "sort": registry_exports.sort_of(request.POST.get("sort", "attention")),
        },
    )
    return redirect_to(export)
