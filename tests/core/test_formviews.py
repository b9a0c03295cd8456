"""core.formviews.form_view: the one form-view pattern, driven as a page would drive it.

A small versioned record and its service stand in for a domain app's, so each outcome (GET,
invalid, refused by the service, version conflict, state conflict, saved) is seen alone; the
care plan, enrolment, client, note and task pages exercise the same helper over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import RequestFactory

from caseload.core.errors import Conflict, PermissionDenied, ValidationFailed, VersionConflict
from caseload.core.forms import CaseloadForm
from caseload.core.formviews import (
    FormPage,
    changed_rows,
    form_view,
    success_redirect,
    with_version,
)

URL = "/things/1/edit"


@dataclass
class Thing:
    text: str
    version: int = 1


class ThingForm(CaseloadForm):
    text = forms.CharField(label="Text")
    version = forms.IntegerField(widget=forms.HiddenInput)


class Store:
    """A saved Thing, its service, and every page the helper rendered."""

    def __init__(self) -> None:
        self.saved = Thing("Saved text", version=3)
        self.pages: list[FormPage[Thing, ThingForm]] = []
        self.refusal: Exception | None = None

    def update(self, *, text: str, expected_version: int) -> Thing:
        if self.refusal is not None:
            raise self.refusal
        if expected_version != self.saved.version:
            raise VersionConflict("Changed meanwhile.", current_version=self.saved.version)
        self.saved = Thing(text, version=self.saved.version + 1)
        return self.saved

    def render(self, page: FormPage[Thing, ThingForm]) -> HttpResponse:
        self.pages.append(page)
        return HttpResponse(str(page.form), status=page.status)


def _request(method: str, data: dict[str, str] | None = None) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post(URL, data or {}) if method == "POST" else factory.get(URL)
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _edit(request: HttpRequest, store: Store, loaded: Thing, **options: Any) -> HttpResponse:
    return form_view(
        request,
        loaded,
        form=lambda record, data: ThingForm(
            data, initial={"text": record.text, "version": record.version}
        ),
        save=lambda form: store.update(
            text=form.cleaned_data["text"], expected_version=form.cleaned_data["version"]
        ),
        render=store.render,
        success=lambda thing: success_redirect(request, f"Saved: {thing.text}.", "/things/1"),
        **options,
    )


def _messages(request: HttpRequest) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(request)]


def test_get_fills_the_form_from_the_record() -> None:
    store = Store()
    response = _edit(_request("GET"), store, store.saved)
    assert response.status_code == 200
    page = store.pages[-1]
    assert not page.form.is_bound
    assert page.form["text"].value() == "Saved text"
    assert page.form["version"].value() == 3
    assert page.conflict is None
    assert set(page.context()) == {"form"}


def test_invalid_input_is_shown_again_with_400_and_nothing_is_saved() -> None:
    store = Store()
    response = _edit(_request("POST", {"text": "", "version": "3"}), store, store.saved)
    assert response.status_code == 400
    assert store.pages[-1].form.errors["text"]
    assert store.saved.text == "Saved text"


def test_service_field_errors_land_on_the_form_with_the_input_kept() -> None:
    store = Store()
    store.refusal = ValidationFailed("Check it.", field_errors={"text": ["Too vague."]})
    request = _request("POST", {"text": "Something", "version": "3"})
    response = _edit(request, store, store.saved)
    page = store.pages[-1]
    assert response.status_code == 400
    assert page.form.errors["text"] == ["Too vague."]
    assert page.form["text"].value() == "Something"
    assert page.conflict is None


def test_version_conflict_keeps_the_input_shows_the_current_values_and_carries_the_version() -> (
    None
):
    store = Store()
    loaded = Thing("Saved text", version=3)
    store.saved = Thing("Someone else's text", version=4)
    reloaded: list[Thing] = []

    def reload() -> Thing:
        reloaded.append(store.saved)
        return store.saved

    request = _request("POST", {"text": "My careful wording", "version": "3"})
    response = _edit(
        request,
        store,
        loaded,
        reload=reload,
        current=lambda thing, form: [("Text", thing.text)],
    )
    page = store.pages[-1]
    assert response.status_code == 409
    assert page.record is reloaded[0]
    assert page.form["text"].value() == "My careful wording"
    assert page.form["version"].value() == "4"
    assert page.conflict is not None
    assert page.conflict.current == [("Text", "Someone else's text")]
    assert page.conflict.reload_url == URL
    context = page.context()
    assert context["conflict"].message == "Changed meanwhile."
    assert context["conflict_current"] == [("Text", "Someone else's text")]
    assert context["conflict_reload_url"] == URL
    assert 'name="version" value="4"' in response.content.decode()
    assert store.saved.text == "Someone else's text"

    # Saving again, with the version the conflict page carried, overwrites deliberately.
    again = _request("POST", {"text": "My careful wording", "version": "4"})
    response = _edit(again, store, store.saved, reload=reload)
    assert response.status_code == 302
    assert store.saved == Thing("My careful wording", version=5)


def test_version_conflict_reload_link_can_point_elsewhere() -> None:
    store = Store()
    store.saved = Thing("Newer", version=9)
    request = _request("POST", {"text": "Mine", "version": "3"})
    _edit(request, store, Thing("Old"), reload=lambda: store.saved, reload_url="/things/1")
    page = store.pages[-1]
    assert page.conflict is not None
    assert page.conflict.reload_url == "/things/1"
    assert page.conflict.current == []


def test_version_conflict_without_reload_is_a_form_error_with_409() -> None:
    store = Store()
    store.saved = Thing("Newer", version=9)
    response = _edit(_request("POST", {"text": "Mine", "version": "3"}), store, Thing("Old"))
    page = store.pages[-1]
    assert response.status_code == 409
    assert page.conflict is None
    assert page.form.non_field_errors() == ["Changed meanwhile."]
    assert page.form["version"].value() == "3"


def test_a_state_conflict_is_a_form_error_with_409() -> None:
    store = Store()
    store.refusal = Conflict("This thing is closed.", code="closed")
    response = _edit(
        _request("POST", {"text": "Mine", "version": "3"}),
        store,
        store.saved,
        reload=lambda: store.saved,
    )
    page = store.pages[-1]
    assert response.status_code == 409
    assert page.conflict is None
    assert page.form.non_field_errors() == ["This thing is closed."]


def test_a_state_conflict_with_refused_url_says_why_and_goes_there() -> None:
    store = Store()
    store.refusal = Conflict("This thing is signed.", code="signed")
    request = _request("POST", {"text": "Mine", "version": "3"})
    response = _edit(request, store, store.saved, refused_url="/things/1")
    assert response.status_code == 302
    assert response["Location"] == "/things/1"
    assert _messages(request) == [("error", "This thing is signed.")]
    assert store.pages == []


def test_success_redirects_with_the_message() -> None:
    store = Store()
    request = _request("POST", {"text": "  New text ", "version": "3"})
    response = _edit(request, store, store.saved)
    assert response.status_code == 302
    assert response["Location"] == "/things/1"
    assert _messages(request) == [("success", "Saved: New text.")]
    assert store.saved == Thing("New text", version=4)
    assert store.pages == []


def test_permission_denied_is_not_caught() -> None:
    store = Store()
    store.refusal = PermissionDenied("Not yours.")
    request = _request("POST", {"text": "Mine", "version": "3"})
    with pytest.raises(PermissionDenied):  # the middleware renders it as a 403 page
        _edit(request, store, store.saved)


def test_with_version_keeps_everything_else() -> None:
    data = QueryDict("text=Mine&version=3&tags=a&tags=b")
    rebound = with_version(data, 7)
    assert rebound["version"] == "7"
    assert rebound.getlist("tags") == ["a", "b"]
    assert data["version"] == "3"


def test_changed_rows_lists_only_what_differs_from_the_input_by_its_label() -> None:
    class PlaceForm(CaseloadForm):
        name = forms.CharField(label="Name")
        kind = forms.ChoiceField(label="Kind", choices=[("home", "Home"), ("work", "Work")])
        active = forms.BooleanField(label="Active", required=False)

    form = PlaceForm({"name": "Same", "kind": "home", "active": "on"})
    assert form.is_valid()
    saved = {"name": "Same", "kind": "work", "active": False, "not_on_the_form": "x"}
    assert changed_rows(form, saved) == [("Kind", "Work"), ("Active", "No")]
