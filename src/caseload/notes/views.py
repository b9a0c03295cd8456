"""Progress note pages: the fast note form, the note, co-signing and the co-sign queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_record, audit_record_many
from caseload.careplans.models import CosignStatus
from caseload.careplans.selectors import careplan_versions_awaiting_cosign
from caseload.clients.selectors import contact_people_for_client
from caseload.clients.views import client_subject, record_page_view
from caseload.consents.selectors import people_who_may_receive_updates
from caseload.core.entered_in_error import confirm_page
from caseload.core.errors import Conflict, PermissionDenied, ValidationFailed, VersionConflict
from caseload.core.formviews import ConflictShown, form_view, success_redirect
from caseload.core.htmx import wants_fragment
from caseload.notes import services
from caseload.notes.forms import (
    AddendumForm,
    NoteEditForm,
    NoteForm,
    ReturnForm,
    SignForm,
    now_for_input,
)
from caseload.notes.models import ContactType, ContactWith, NoteStatus, ProgressNote
from caseload.notes.selectors import (
    note_entered_in_error_count,
    note_get,
    note_page_for_client,
    notes_awaiting_cosign,
    notes_entered_in_error_for_client,
    timeline_note_get,
)
from caseload.programrules.selectors import note_time_initial
from caseload.tasks.forms import CompleteForm
from caseload.tasks.selectors import task_list_for_client

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User


def _actor(request: HttpRequest) -> User:
    return cast("User", request.user)


def _method_not_allowed(request: HttpRequest, *allowed: str) -> HttpResponse | None:
    """405 for another method, checked after the record is found so that out-of-scope ids
    answer 404 whatever the method (the access matrix treats GET and POST alike)."""
    if request.method not in allowed:
        return HttpResponseNotAllowed(allowed)
    return None


def _chart_notes_url(client_id: Any) -> str:
    return reverse("clients:chart", kwargs={"client_id": client_id}) + "#notes"


def _detail_url(note: ProgressNote, anchor: str = "") -> str:
    url = reverse("notes:detail", kwargs={"note_id": note.pk})
    return f"{url}#{anchor}" if anchor else url


def _signed_message(note: ProgressNote) -> str:
    if note.status == NoteStatus.DRAFT:
        return "Note saved as a draft. Sign it when it is ready."
    if note.cosign_status == CosignStatus.PENDING and note.cosigner is not None:
        return f"Note signed and sent to {note.cosigner.display_name} for co-sign."
    return "Note signed."


def _new_note_initial() -> dict[str, Any]:
    return {
        "contact_at": now_for_input(),
        "contact_type": ContactType.PHONE,
        "contact_with": ContactWith.CLIENT,
        "reached": "yes",
    }


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, client_id: Any) -> HttpResponse:
    """The fast note form: 'Save draft' or 'Save and sign' in one step."""
    actor = _actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    people = contact_people_for_client(actor=actor, client=client)
    if request.method != "POST":
        audit_record(
            actor=actor,
            action="client.viewed",
            target=client,
            client=client,
            detail={"page": "note_create"},
        )
    return form_view(
        request,
        client,
        form=lambda _, data: NoteForm(
            data,
            initial={**_new_note_initial(), **note_time_initial(actor=actor, client=client)},
            related_people=people,
        ),
        save=lambda form: services.note_create(
            actor=actor,
            client=client,
            sign=request.POST.get("action") == "sign",
            **form.service_kwargs(),
        ),
        render=lambda page: render(
            request,
            "notes/create.html",
            {
                **page.context(),
                "client": client,
                "has_people": people.exists(),
                "update_people": _update_people(actor, client, people),
            },
            status=page.status,
        ),
        success=lambda note: success_redirect(request, _signed_message(note), _after_note(note)),
    )


#: The kinds of contact that can reach someone (a message or a collateral contact does not).
REACHING_CONTACTS = {ContactType.PHONE, ContactType.VIDEO, ContactType.VISIT}


def _reached_the_client(note: ProgressNote) -> bool:
    """A phone call, video call or visit that reached the client or their family or caregiver:
    the contact an open "reach the client" task waits for."""
    return (
        note.reached
        and note.contact_type in REACHING_CONTACTS
        and note.contact_with in (ContactWith.CLIENT, ContactWith.RELATED_PERSON)
        and not note.is_entered_in_error
    )


def _after_note(note: ProgressNote) -> str:
    """Where a saved note goes: the offer to complete the client's open tasks when it reached
    them and some are open, else the chart's notes."""
    if _reached_the_client(note) and task_list_for_client(actor=note.author, client=note.client):
        return reverse("notes:task_offer", kwargs={"note_id": note.pk})
    return _chart_notes_url(note.client_id)


#: How each reaching contact is said in a task's outcome.
CONTACT_WORDS = {"phone": "by phone", "video": "by video", "visit": "in person"}


def _contact_words(note: ProgressNote) -> str:
    when = timezone.localtime(note.contact_at)
    return f"{CONTACT_WORDS.get(note.contact_type, '')} on {when:%-d %b %Y at %H:%M}"


def task_offer(request: HttpRequest, note_id: Any) -> HttpResponse:
    """After a note that reached the client: their open tasks, each with "Mark done" (the task
    page's form: its version, an outcome naming the contact). Nothing is completed unasked."""
    actor = _actor(request)
    note = note_get(actor=actor, note_id=note_id)
    if refused := _method_not_allowed(request, "GET", "HEAD"):
        return refused
    policies.require_clinical(actor)
    if not _reached_the_client(note):
        return redirect(_detail_url(note))
    tasks = task_list_for_client(actor=actor, client=note.client)
    if not tasks:
        return redirect(_chart_notes_url(note.client_id))
    audit_record(
        actor=actor,
        action="note.viewed",
        target=note,
        client=note.client,
        detail={"page": "task_offer"},
    )
    audit_record_many(
        actor=actor,
        action="task.listed",
        targets=[(task, note.client) for task in tasks],
        detail={"page": "note_task_offer", "note": str(note.pk)},
    )
    outcome = f"Reached {_contact_words(note)} (progress note)."
    offers = [
        (
            task,
            CompleteForm(
                initial={"version": task.version, "outcome_note": outcome},
                auto_id=f"task-{task.pk}-%s",
            ),
        )
        for task in tasks
    ]
    return render(
        request,
        "notes/task_offer.html",
        {
            "note": note,
            "client": note.client,
            "offers": offers,
            "contact": _contact_words(note),
            "back_url": request.get_full_path(),
        },
    )


def _update_people(actor: User, client: Client, people: Any) -> list[Any]:
    """The family members and caregivers the client agreed may receive updates, now."""
    allowed = people_who_may_receive_updates(actor=actor, client=client)
    return [person for person in people if person.pk in allowed]


def _detail_context(
    actor: User,
    note: ProgressNote,
    *,
    addendum_form: AddendumForm | None = None,
    return_form: ReturnForm | None = None,
    sign_form: SignForm | None = None,
) -> dict[str, Any]:
    is_author = note.author_id == actor.pk
    live = not note.is_entered_in_error
    can_cosign = (
        live and note.cosign_status == CosignStatus.PENDING and note.cosigner_id == actor.pk
    )
    return {
        "note": note,
        "client": note.client,
        "addenda": list(note.addenda.all()),
        "is_author": is_author,
        "can_edit": live and is_author and note.status == NoteStatus.DRAFT,
        "can_add_addendum": live and note.status == NoteStatus.SIGNED,
        "can_cosign": can_cosign,
        "can_mark_entered_in_error": live and policies.can_mark_note_entered_in_error(actor, note),
        "addendum_form": addendum_form or AddendumForm(),
        "return_form": return_form or ReturnForm(initial={"version": note.version}),
        "sign_form": sign_form or SignForm(initial={"version": note.version}),
    }


def _action_refused(
    request: HttpRequest,
    actor: User,
    note: ProgressNote,
    *,
    form: SignForm,
    error: VersionConflict | None = None,
) -> HttpResponse:
    """The note page again after a sign or co-sign button was refused: the form's error (no
    or a malformed version: 400), or the note as it is now with what changed (409). Nothing was
    signed either way."""
    if error is None:
        return render(
            request, "notes/detail.html", _detail_context(actor, note, sign_form=form), status=400
        )
    fresh = note_get(actor=actor, note_id=note.pk)
    shown = ConflictShown(error=error, current=[], reload_url=_detail_url(fresh))
    context = {**_detail_context(actor, fresh), **shown.context(), "conflict_kept": "nothing"}
    return render(request, "notes/detail.html", context, status=409)


def detail(request: HttpRequest, note_id: Any) -> HttpResponse:
    """One note with its addenda; the co-signer also gets 'Co-sign' and 'Return'."""
    actor = _actor(request)
    note = note_get(actor=actor, note_id=note_id)
    if refused := _method_not_allowed(request, "GET", "HEAD"):
        return refused
    audit_record(actor=actor, action="note.viewed", target=note, client=note.client)
    return render(request, "notes/detail.html", _detail_context(actor, note))


def _conflict_current(note: ProgressNote) -> list[tuple[str, str]]:
    with_whom = note.get_contact_with_display()
    if note.related_person is not None:
        with_whom = note.related_person.name
    elif note.provider_name:
        with_whom = note.provider_name
    return [
        ("Date and time", f"{timezone.localtime(note.contact_at):%Y-%m-%d %H:%M}"),
        ("Type of contact", note.get_contact_type_display()),
        ("With", with_whom),
        ("Reached", "Yes" if note.reached else "No"),
        ("Minutes", str(note.minutes)),
        ("What happened", note.narrative),
        ("Significant event", "Yes" if note.significant_event else "No"),
    ]


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, note_id: Any) -> HttpResponse:
    """Change a draft note (its author only). Signed notes send the user to add an addendum."""
    actor = _actor(request)
    note = note_get(actor=actor, note_id=note_id)
    policies.require_note_author(actor, note, "change")
    if note.is_entered_in_error:
        messages.info(request, "This note was entered in error and can no longer be changed.")
        return redirect(_detail_url(note))
    if note.status != NoteStatus.DRAFT:
        messages.info(
            request, "This note is signed and cannot be changed. Add an addendum instead."
        )
        return redirect(_detail_url(note, "addenda"))
    people = contact_people_for_client(actor=actor, client=note.client)
    context: dict[str, Any] = {
        "note": note,
        "client": note.client,
        "has_people": people.exists(),
        "update_people": _update_people(actor, note.client, people),
    }
    if request.method != "POST":
        audit_record(
            actor=actor,
            action="note.viewed",
            target=note,
            client=note.client,
            detail={"page": "edit"},
        )
    return form_view(
        request,
        note,
        form=lambda record, data: NoteEditForm(
            data, initial=NoteForm.initial_for(record), related_people=people
        ),
        save=lambda form: services.note_update(
            actor=actor,
            note=note,
            expected_version=form.cleaned_data["version"],
            sign=request.POST.get("action") == "sign",
            **form.service_kwargs(),
        ),
        render=lambda page: render(
            request, "notes/edit.html", {**context, **page.context()}, status=page.status
        ),
        success=lambda saved: _edit_saved(request, saved),
        reload=lambda: note_get(actor=actor, note_id=note.pk),
        current=lambda fresh, _: _conflict_current(fresh),
        refused_url=_detail_url(note),
    )


def _edit_saved(request: HttpRequest, note: ProgressNote) -> HttpResponse:
    """A draft saved goes back to the note; a note signed, to the chart's notes (or first to
    the offer to complete the client's open tasks, when it reached them)."""
    if note.status == NoteStatus.DRAFT:
        return success_redirect(request, "Note saved.", _detail_url(note))
    return success_redirect(request, _signed_message(note), _after_note(note))


def sign(request: HttpRequest, note_id: Any) -> HttpResponse:
    """Sign a draft; a junior's note goes to their supervisor's co-sign queue."""
    actor = _actor(request)
    note = note_get(actor=actor, note_id=note_id)
    if refused := _method_not_allowed(request, "POST"):
        return refused
    form = SignForm(request.POST)
    if not form.is_valid():
        return _action_refused(request, actor, note, form=form)
    try:
        services.note_sign(actor=actor, note=note, expected_version=form.cleaned_data["version"])
    except VersionConflict as exc:
        return _action_refused(request, actor, note, form=form, error=exc)
    except (Conflict, ValidationFailed) as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(note))
    messages.success(request, _signed_message(note))
    return redirect(_chart_notes_url(note.client_id))


def _addendum_message(note: ProgressNote, actor: User) -> str:
    text = "Addendum added."
    if note.cosign_status == CosignStatus.PENDING and note.author_id == actor.pk:
        cosigner = note.cosigner.display_name if note.cosigner else "your supervisor"
        text += f" The note is back in {cosigner}'s co-sign queue."
    return text


def addendum(request: HttpRequest, note_id: Any) -> HttpResponse:
    """Add an addendum to a signed note; the author's addendum re-submits a returned note."""
    actor = _actor(request)
    note = note_get(actor=actor, note_id=note_id)
    if refused := _method_not_allowed(request, "POST"):
        return refused
    return form_view(
        request,
        note,
        form=lambda _, data: AddendumForm(data),
        save=lambda form: services.note_add_addendum(
            actor=actor, note=note, text=form.cleaned_data["text"]
        ),
        render=lambda page: render(
            request,
            "notes/detail.html",
            _detail_context(actor, note_get(actor=actor, note_id=note_id), addendum_form=page.form),
            status=page.status,
        ),
        success=lambda _: success_redirect(
            request, _addendum_message(note, actor), _detail_url(note, "addenda")
        ),
        refused_url=_detail_url(note),
    )


def cosign(request: HttpRequest, note_id: Any) -> HttpResponse:
    """Co-sign a supervisee's note (the assigned co-signer only)."""
    actor = _actor(request)
    note = note_get(actor=actor, note_id=note_id)
    if refused := _method_not_allowed(request, "POST"):
        return refused
    form = SignForm(request.POST)  # the version the co-signer read
    if not form.is_valid():
        return _action_refused(request, actor, note, form=form)
    try:
        services.note_cosign(actor=actor, note=note, expected_version=form.cleaned_data["version"])
    except VersionConflict as exc:
        return _action_refused(request, actor, note, form=form, error=exc)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(note))
    messages.success(
        request, f"Note co-signed: {note.client.full_name}, {note.author.display_name}."
    )
    return redirect("notes:cosign_queue")


def return_note(request: HttpRequest, note_id: Any) -> HttpResponse:
    """Send a note back to its author with a comment (the assigned co-signer only)."""
    actor = _actor(request)
    note = note_get(actor=actor, note_id=note_id)
    if refused := _method_not_allowed(request, "POST"):
        return refused
    if note.cosign_status == CosignStatus.PENDING:
        policies.require_cosigner(actor, note.cosigner_id)
    return form_view(
        request,
        note,
        form=lambda record, data: ReturnForm(data, initial={"version": record.version}),
        save=lambda form: services.note_return(
            actor=actor,
            note=note,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        ),
        render=lambda page: render(
            request,
            "notes/detail.html",
            {**_detail_context(actor, page.record, return_form=page.form), **page.context()},
            status=page.status,
        ),
        success=lambda _: success_redirect(
            request,
            f"Note returned to {note.author.display_name} with your comment.",
            reverse("notes:cosign_queue"),
        ),
        reload=lambda: note_get(actor=actor, note_id=note.pk),
        current=lambda fresh, _: _conflict_current(fresh),
        refused_url=_detail_url(note),
    )


@require_GET
def cosign_queue(request: HttpRequest) -> HttpResponse:
    """Notes and care-plan versions waiting for the signed-in supervisor's co-sign."""
    actor = _actor(request)
    policies.require_clinical(actor)
    notes = notes_awaiting_cosign(actor=actor)
    versions = careplan_versions_awaiting_cosign(actor=actor)
    if notes:
        audit_record_many(
            actor=actor,
            action="note.listed",
            targets=[(note, note.client) for note in notes],
            detail={"page": "cosign_queue"},
        )
    if versions:
        audit_record_many(
            actor=actor,
            action="careplan_version.listed",
            targets=[(version, version.careplan.client) for version in versions],
            detail={"page": "cosign_queue"},
        )
    return render(
        request,
        "notes/cosign_queue.html",
        {"notes": notes, "versions": versions, "nav": "cosign"},
    )


def _entered_in_error_summary(note: ProgressNote) -> list[tuple[str, str]]:
    return [
        ("Client", note.client.full_name),
        ("Date and time", f"{timezone.localtime(note.contact_at):%-d %b %Y, %H:%M}"),
        ("Type of contact", note.get_contact_type_display()),
        ("Written by", note.author.display_name),
        ("Status", note.get_status_display()),
        ("What happened", note.first_line),
    ]


def note_entered_in_error(request: HttpRequest, note_id: Any) -> HttpResponse:
    """Confirm, then mark a note as entered in error with a reason (it stays in the history)."""
    actor = _actor(request)
    note = note_get(actor=actor, note_id=note_id)
    if refused := _method_not_allowed(request, "GET", "POST"):
        return refused
    if not policies.can_mark_note_entered_in_error(actor, note):
        raise PermissionDenied(
            "Only the note's author, their supervisor, a senior care manager or a director may "
            "mark a note as entered in error.",
            code="not_allowed",
        )
    record_page_view(
        request,
        actor,
        action="note.viewed",
        target=note,
        client=note.client,
        page="entered_in_error",
    )
    return confirm_page(
        request,
        record=note,
        subject=client_subject(note.client),
        what="note",
        summary=_entered_in_error_summary(note),
        action_url=reverse("notes:note_entered_in_error", kwargs={"note_id": note.pk}),
        back_url=_detail_url(note),
        back_label="Back to the note",
        mark=lambda reason, version: services.note_mark_entered_in_error(
            actor=actor, note=note, reason=reason, expected_version=version
        ),
        done_message=(
            "Note marked as entered in error. It is out of the chart and stays in the "
            "client's history."
        ),
    )


def timeline(request: HttpRequest, client_id: Any) -> HttpResponse:
    """A client's notes, newest first, a page at a time (``?after=<note id>`` for the page
    after that note). The chart's "Show older notes" asks with htmx and gets the items only."""
    actor = _actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    if refused := _method_not_allowed(request, "GET", "HEAD"):
        return refused
    after_id = request.GET.get("after")
    after = timeline_note_get(actor=actor, client=client, note_id=after_id) if after_id else None
    page = note_page_for_client(actor=actor, client=client, after=after)
    audit_record(
        actor=actor, action="client.viewed", target=client, client=client, detail={"page": "notes"}
    )
    if page.notes:
        audit_record_many(
            actor=actor,
            action="note.listed",
            targets=[(note, client) for note in page.notes],
            detail={"page": "timeline"},
        )
    context = {"client": client, "page": page, "after": after}
    if wants_fragment(request):
        response = render(
            request, "notes/partials/timeline_items.html", {**context, "focus_first": True}
        )
    else:
        in_error = note_entered_in_error_count(actor=actor, client=client)
        context["notes_entered_in_error"] = in_error
        response = render(request, "notes/timeline.html", context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, a fragment or the whole page
    return response


def entered_in_error_list(request: HttpRequest, client_id: Any) -> HttpResponse:
    """A client's notes entered in error, with who marked each, when and why."""
    actor = _actor(request)
    policies.require_clinical(actor)
    client = policies.require_client(actor, client_id)
    if refused := _method_not_allowed(request, "GET", "HEAD"):
        return refused
    notes = notes_entered_in_error_for_client(actor=actor, client=client)
    audit_record(
        actor=actor,
        action="note.entered_in_error_list_viewed",
        target=client,
        client=client,
        detail={"count": len(notes)},
    )
    if notes:
        audit_record_many(
            actor=actor,
            action="note.listed",
            targets=[(note, client) for note in notes],
            detail={"page": "entered_in_error"},
        )
    return render(request, "notes/entered_in_error_list.html", {"client": client, "notes": notes})
