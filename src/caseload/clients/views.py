"""Client pages: edit details, related people, flags, access history.

Registering a new client (with their first enrolment) is in ``enrolments``; the chart, which
gathers every app's section, is in ``chart``."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseload.access import policies
from caseload.access import selectors as access_selectors
from caseload.audit.services import audit_record
from caseload.clients import selectors, services
from caseload.clients.forms import (
    ClientEditForm,
    FlagForm,
    FlagResolveForm,
    RelatedPersonEditForm,
    RelatedPersonForm,
)
from caseload.clients.models import Client, RelatedPerson
from caseload.core.entered_in_error import PageSubject, confirm_page
from caseload.core.formviews import changed_rows, form_view, success_redirect
from caseload.staff.models import User

ACCESS_HISTORY_PAGE_SIZE = 50


def actor_of(request: HttpRequest) -> User:
    """The signed-in staff member (LoginRequiredMiddleware guarantees one)."""
    return cast(User, request.user)


def record_page_view(
    request: HttpRequest,
    actor: User,
    *,
    action: str,
    target: Model,
    client: Client,
    page: str,
) -> None:
    """A form page showing a client's record is a read of it: audit the GET (a POST audits its
    own change)."""
    if request.method == "GET":
        audit_record(
            actor=actor, action=action, target=target, client=client, detail={"page": page}
        )


def client_subject(client: Client) -> PageSubject:
    """A page about one of ``client``'s records: their name in the title, and the line with
    their name (a link to the chart), birth date and MRN above the heading."""
    return PageSubject(
        name=client.full_name,
        template="clients/partials/client_context.html",
        context={"client": client},
    )


def _client_current(client: Client) -> dict[str, Any]:
    return {name: getattr(client, name) for name in services.CLIENT_EDITABLE_FIELDS}


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Edit a client's details, refusing to overwrite someone else's save silently."""
    actor = actor_of(request)
    client = policies.require_client(actor, client_id)
    record_page_view(
        request, actor, action="client.viewed", target=client, client=client, page="edit"
    )
    return form_view(
        request,
        client,
        form=lambda record, data: ClientEditForm(
            data, initial={**_client_current(record), "version": record.version}
        ),
        save=lambda form: services.client_update(
            actor=actor,
            client=client,
            expected_version=form.cleaned_data["version"],
            **form.detail_values(),
        ),
        render=lambda page: render(
            request, "clients/edit.html", {"client": client, **page.context()}, status=page.status
        ),
        success=lambda _: success_redirect(
            request,
            f"{client.full_name}'s details are saved.",
            reverse("clients:chart", args=[client.pk]),
        ),
        reload=lambda: policies.require_client(actor, client_id),
        current=lambda fresh, form: changed_rows(form, _client_current(fresh)),
    )


@require_http_methods(["GET", "POST"])
def related_create(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Add a family member, caregiver or guardian."""
    actor = actor_of(request)
    client = policies.require_client(actor, client_id)
    record_page_view(
        request, actor, action="client.viewed", target=client, client=client, page="related_create"
    )
    return form_view(
        request,
        client,
        form=lambda _, data: RelatedPersonForm(data),
        save=lambda form: services.related_person_create(
            actor=actor, client=client, **form.values()
        ),
        render=lambda page: render(
            request,
            "clients/related_form.html",
            {"client": client, "person": None, **page.context()},
            status=page.status,
        ),
        success=lambda person: success_redirect(
            request,
            f"{person.name} is added to {client.full_name}'s record. To let them "
            "receive updates, record the client's consent.",
            reverse("clients:chart", args=[client.pk]) + "#care-team",
        ),
    )


def _person_current(person: RelatedPerson) -> dict[str, Any]:
    return {name: getattr(person, name) for name in services.RELATED_PERSON_EDITABLE_FIELDS}


@require_http_methods(["GET", "POST"])
def related_edit(request: HttpRequest, client_id: UUID, person_id: UUID) -> HttpResponse:
    """Edit a related person's details (optimistic lock)."""
    actor = actor_of(request)
    person = selectors.related_person_get(actor=actor, client_id=client_id, person_id=person_id)
    client = person.client
    record_page_view(
        request, actor, action="related_person.viewed", target=person, client=client, page="edit"
    )
    context: dict[str, Any] = {"client": client, "person": person}
    if person.is_entered_in_error:  # final: shown, marked, never changed
        if request.method == "POST":
            messages.info(request, "This person was entered in error and can no longer be changed.")
        return render(request, "clients/related_form.html", {**context, "form": None})
    return form_view(
        request,
        person,
        form=lambda record, data: RelatedPersonEditForm(
            data, initial={**_person_current(record), "version": record.version}
        ),
        save=lambda form: services.related_person_update(
            actor=actor,
            person=person,
            expected_version=form.cleaned_data["version"],
            **form.values(),
        ),
        render=lambda page: render(
            request,
            "clients/related_form.html",
            {**context, **page.context()},
            status=page.status,
        ),
        success=lambda saved: success_redirect(
            request,
            f"{saved.name}'s details are saved.",
            reverse("clients:chart", args=[client.pk]) + "#care-team",
        ),
        reload=lambda: selectors.related_person_get(
            actor=actor, client_id=client_id, person_id=person_id
        ),
        current=lambda fresh, form: changed_rows(form, _person_current(fresh)),
    )


@require_http_methods(["GET", "POST"])
def flag_create(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Raise a flag shown prominently on the client's chart until it is resolved."""
    actor = actor_of(request)
    client = policies.require_client(actor, client_id)
    record_page_view(
        request, actor, action="client.viewed", target=client, client=client, page="flag_create"
    )
    return form_view(
        request,
        client,
        form=lambda _, data: FlagForm(data),
        save=lambda form: services.flag_raise(
            actor=actor,
            client=client,
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
        ),
        render=lambda page: render(
            request,
            "clients/flag_form.html",
            {"client": client, **page.context()},
            status=page.status,
        ),
        success=lambda _: success_redirect(
            request,
            "The flag is raised and shows on the chart.",
            reverse("clients:chart", args=[client.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
def flag_resolve(request: HttpRequest, client_id: UUID, flag_id: UUID) -> HttpResponse:
    """Resolve a flag with a note of what was done (already resolved: the message, 409)."""
    actor = actor_of(request)
    flag = selectors.flag_get(actor=actor, client_id=client_id, flag_id=flag_id)
    client = flag.client
    record_page_view(
        request, actor, action="flag.viewed", target=flag, client=client, page="resolve"
    )
    return form_view(
        request,
        flag,
        form=lambda _, data: FlagResolveForm(data),
        save=lambda form: services.flag_resolve(
            actor=actor, flag=flag, resolution_note=form.cleaned_data["resolution_note"]
        ),
        render=lambda page: render(
            request,
            "clients/flag_resolve.html",
            {"client": client, "flag": flag, **page.context()},
            status=page.status,
        ),
        success=lambda _: success_redirect(
            request,
            f"The {flag.get_kind_display().lower()} flag is resolved.",
            reverse("clients:chart", args=[client.pk]),
        ),
    )


def access_history(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Who read or changed this client's record, when and from where (newest first)."""
    actor = actor_of(request)
    client = policies.require_client(actor, client_id)
    events = access_selectors.client_access_history(actor=actor, client=client)
    if request.method not in ("GET", "HEAD"):  # after the scope check: out of scope is 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    audit_record(actor=actor, action="client.access_history_viewed", target=client, client=client)
    page = Paginator(events, ACCESS_HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clients/access_history.html", {"client": client, "page": page})


def related_person_entered_in_error(
    request: HttpRequest, client_id: UUID, person_id: UUID
) -> HttpResponse:
    """Confirm, then mark a family member or caregiver as entered in error with a reason."""
    actor = actor_of(request)
    person = selectors.related_person_get(actor=actor, client_id=client_id, person_id=person_id)
    if request.method not in ("GET", "POST"):  # after the scope check: out of scope is 404
        return HttpResponseNotAllowed(["GET", "POST"])
    policies.require_clinical(actor)
    record_page_view(
        request,
        actor,
        action="related_person.viewed",
        target=person,
        client=person.client,
        page="entered_in_error",
    )
    return confirm_page(
        request,
        record=person,
        subject=client_subject(person.client),
        back_url=reverse("clients:chart", args=[person.client_id]),
        back_label="Back to the chart",
        what="family member or caregiver",
        summary=[
            ("Name", person.name),
            ("Relationship", person.get_relationship_display()),
            ("Phone", person.phone),
        ],
        action_url=reverse(
            "clients:related_person_entered_in_error", args=[person.client_id, person.pk]
        ),
        mark=lambda reason, version: services.related_person_mark_entered_in_error(
            actor=actor, person=person, reason=reason, expected_version=version
        ),
        done_message=f"{person.name} is marked as entered in error and stays in the history.",
    )


def flag_entered_in_error(request: HttpRequest, client_id: UUID, flag_id: UUID) -> HttpResponse:
    """Confirm, then mark a flag raised in error as entered in error with a reason."""
    actor = actor_of(request)
    flag = selectors.flag_get(actor=actor, client_id=client_id, flag_id=flag_id)
    if request.method not in ("GET", "POST"):  # after the scope check: out of scope is 404
        return HttpResponseNotAllowed(["GET", "POST"])
    policies.require_clinical(actor)
    record_page_view(
        request,
        actor,
        action="flag.viewed",
        target=flag,
        client=flag.client,
        page="entered_in_error",
    )
    return confirm_page(
        request,
        record=flag,
        subject=client_subject(flag.client),
        back_url=reverse("clients:chart", args=[flag.client_id]),
        back_label="Back to the chart",
        what="flag",
        summary=[
            ("Flag", f"{flag.get_kind_display()}: {flag.description}"),
            ("Raised", f"{flag.created_at:%-d %B %Y} by {flag.raised_by.display_name}"),
            ("Status", "Active" if flag.is_active else "Resolved"),
        ],
        action_url=reverse("clients:flag_entered_in_error", args=[flag.client_id, flag.pk]),
        mark=lambda reason: services.flag_mark_entered_in_error(
            actor=actor, flag=flag, reason=reason
        ),
        done_message=(
            f"The {flag.get_kind_display().lower()} flag is marked as entered in error. It is "
            "off the chart and stays in the history."
        ),
    )
