"""One way to draw a form field (core/forms/field.html): each kind of field gets its label or
legend, hint, error message and aria wiring, and every link in an error summary lands on an
element of the page."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from caseload.core.errors import Conflict, ValidationFailed
from caseload.core.forms import CaseloadForm, add_service_errors

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "base", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Element] = []
        self.text = ""

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def descendants(self) -> list[Element]:
        found: list[Element] = []
        for child in self.children:
            found += [child, *child.descendants()]
        return found

    def find_all(self, tag: str) -> list[Element]:
        return [e for e in self.descendants() if e.tag == tag]

    def ancestors(self) -> list[Element]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Page(HTMLParser):
    """The page as a tree of elements, each with its text (its descendants' included)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self._open = self.root
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self._open)
        self._open.children.append(element)
        if tag not in VOID:
            self._open = element

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self._open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self._open = node.parent

    def handle_data(self, data: str) -> None:
        node: Element | None = self._open
        while node is not None:
            node.text += data
            node = node.parent

    def by_id(self, element_id: str) -> Element:
        matches = [e for e in self.all() if e.attrs.get("id") == element_id]
        assert len(matches) == 1, f"{len(matches)} elements with id {element_id!r}"
        return matches[0]

    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.all() if "id" in e.attrs}

    def all(self) -> list[Element]:
        return self.root.descendants()


def words(text: str) -> str:
    return " ".join(text.split())


class EveryKindForm(CaseloadForm):
    name = forms.CharField(label="Name", help_text="As on their letters.")
    story = forms.CharField(label="What happened", widget=forms.Textarea, help_text="In brief.")
    colour = forms.ChoiceField(
        label="Colour", choices=[("", "Choose…"), ("red", "Red")], help_text="Any one."
    )
    agree = forms.BooleanField(label="I agree", help_text="Tick to go on.")
    reached = forms.ChoiceField(
        label="Did you reach them?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        help_text="By phone or in person.",
    )
    shares = forms.MultipleChoiceField(
        label="What may be shared",
        choices=[("name", "Name"), ("phone", "Phone")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply.",
    )
    nickname = forms.CharField(label="Nickname", required=False, help_text="If they use one.")
    version = forms.IntegerField(widget=forms.HiddenInput)


def _failing() -> EveryKindForm:
    form = EveryKindForm(data={})
    assert not form.is_valid()
    return form


def _rendered(form: EveryKindForm, name: str) -> Page:
    return Page(str(form[name].as_field_group()))


@pytest.mark.parametrize(
    ("name", "tag", "label"),
    [
        ("name", "input", "Name"),
        ("story", "textarea", "What happened"),
        ("colour", "select", "Colour"),
    ],
)
def test_a_field_with_an_error_has_its_label_hint_and_message_wired_to_the_input(
    name: str, tag: str, label: str
) -> None:
    page = _rendered(_failing(), name)
    control = page.by_id(f"id_{name}")
    assert control.tag == tag
    assert control.attrs["aria-describedby"] == f"id_{name}_helptext id_{name}-error"
    assert control.attrs["aria-invalid"] == "true"
    (label_element,) = page.root.find_all("label")
    assert label_element.attrs["for"] == f"id_{name}"
    assert words(label_element.text) == label  # required: no "(optional)"
    assert page.by_id(f"id_{name}_helptext").classes == {"hint"}
    error = page.by_id(f"id_{name}-error")
    assert error.classes == {"error-message"}
    (hidden,) = error.find_all("span")
    assert hidden.classes == {"visually-hidden"}
    assert words(error.text) == "Error: This field is required."
    wrapper = control.parent
    assert wrapper is not None
    assert wrapper.classes == {"field", "field-error"}
    assert page.root.find_all("fieldset") == []


def test_a_single_checkbox_has_its_label_beside_it_and_its_hint_and_error_wired() -> None:
    page = _rendered(_failing(), "agree")
    box = page.by_id("id_agree")
    assert box.attrs["type"] == "checkbox"
    assert box.attrs["aria-describedby"] == "id_agree_helptext id_agree-error"
    assert box.attrs["aria-invalid"] == "true"
    row = box.parent
    assert row is not None
    assert row.classes == {"checkbox"}
    (label,) = row.find_all("label")
    assert label.attrs["for"] == "id_agree"
    assert words(label.text) == "I agree"
    assert words(page.by_id("id_agree-error").text) == "Error: This field is required."
    assert page.by_id("id_agree_helptext").text == "Tick to go on."


@pytest.mark.parametrize(
    ("name", "kind", "legend", "choices"),
    [
        ("reached", "radio", "Did you reach them?", ["Yes", "No"]),
        ("shares", "checkbox", "What may be shared", ["Name", "Phone"]),
    ],
)
def test_a_group_is_a_fieldset_whose_legend_is_the_label_and_which_names_its_hint_and_error(
    name: str, kind: str, legend: str, choices: list[str]
) -> None:
    form = _failing()
    page = _rendered(form, name)
    (fieldset,) = page.root.find_all("fieldset")
    assert fieldset.attrs["aria-describedby"] == f"id_{name}_helptext id_{name}-error"
    assert fieldset.classes == {"field", "field-error"}
    (legend_element,) = fieldset.find_all("legend")
    assert words(legend_element.text) == legend
    assert fieldset in page.by_id(f"id_{name}_helptext").ancestors()
    error = page.by_id(f"id_{name}-error")
    assert fieldset in error.ancestors()
    assert words(error.text) == "Error: This field is required."
    inputs = fieldset.find_all("input")
    assert [i.attrs["id"] for i in inputs] == [f"id_{name}_0", f"id_{name}_1"]
    assert {i.attrs["type"] for i in inputs} == {kind}
    # The fieldset carries the description; its inputs do not repeat it.
    assert not any("aria-describedby" in i.attrs for i in inputs)
    labels = fieldset.find_all("label")
    assert [(lb.attrs["for"], lb.text) for lb in labels] == [
        (f"id_{name}_{n}", choice) for n, choice in enumerate(choices)
    ]
    # No element has the field's own id, so the error summary links to the first input.
    assert f"id_{name}" not in page.ids()
    assert form[name].summary_link_id == f"id_{name}_0"


def test_an_optional_field_says_so_and_without_errors_names_only_its_hint() -> None:
    form = EveryKindForm()
    page = _rendered(form, "nickname")
    (label,) = page.root.find_all("label")
    assert words(label.text) == "Nickname (optional)"
    field = page.by_id("id_nickname")
    assert field.attrs["aria-describedby"] == "id_nickname_helptext"
    assert "aria-invalid" not in field.attrs
    assert not [e for e in page.all() if "error-message" in e.classes]
    group = _rendered(form, "reached")
    (fieldset,) = group.root.find_all("fieldset")
    assert fieldset.attrs["aria-describedby"] == "id_reached_helptext"
    assert fieldset.classes == {"field"}


def test_a_hidden_field_is_only_its_input_and_a_whole_form_draws_every_field() -> None:
    form = _failing()
    page = _rendered(form, "version")
    assert [(e.tag, e.attrs["type"]) for e in page.all()] == [("input", "hidden")]
    whole = Page(str(form))
    for name in ("name", "story", "colour", "agree", "nickname", "version"):
        assert f"id_{name}" in whole.ids()
    assert len(whole.root.find_all("fieldset")) == 2


# The error summary, through the pages people use.


def _summary_links(html: str) -> list[tuple[str, str]]:
    page = Page(html)
    (summary,) = [e for e in page.all() if "error-summary" in e.classes]
    return [(a.attrs["href"], words(a.text)) for a in summary.find_all("a")]


def _assert_every_link_lands_on_an_input(html: str) -> list[tuple[str, str]]:
    page = Page(html)
    links = _summary_links(html)
    assert links
    for href, text in links:
        assert href.startswith("#") and len(href) > 1, text
        target = page.by_id(href[1:])
        assert target.tag in ("input", "select", "textarea"), (href, target.tag)
        assert target.attrs.get("type") != "hidden", href
    return links


def test_every_error_summary_link_of_the_consent_form_lands_on_an_input(
    org: Any, login: Any
) -> None:
    http = login(org.junior)
    response = http.post(f"/consents/for/{org.junior_client.pk}/", {"note": "Asked twice"})
    html = response.content.decode()
    links = _assert_every_link_lands_on_an_input(html)
    hrefs = [href for href, _ in links]
    # Two radio groups land on their first radio; the date box on itself.
    assert hrefs == ["#id_kind_0", "#id_method_0", "#id_given_on"]
    page = Page(html)
    assert page.by_id("id_kind_0").attrs["type"] == "radio"
    assert page.by_id("id_given_on").attrs["type"] == "date"


def test_every_error_summary_link_of_the_appointment_form_lands_on_an_input(
    org: Any, login: Any
) -> None:
    http = login(org.junior)
    response = http.post(f"/coordination/for/{org.junior_client.pk}/appointments/new/", {})
    html = response.content.decode()
    hrefs = [href for href, _ in _assert_every_link_lands_on_an_input(html)]
    assert "#id_with_kind_0" in hrefs  # a radio group
    assert "#id_purpose" in hrefs  # a text box


def test_every_error_summary_link_of_an_incomplete_phq9_lands_on_its_question(
    org: Any, login: Any
) -> None:
    http = login(org.junior)
    response = http.post(
        f"/assessments/clients/{org.junior_client.pk}/give/?instrument=phq9",
        {"instrument": "phq9", "action": "complete"},
    )
    html = response.content.decode()
    hrefs = [href for href, _ in _assert_every_link_lands_on_an_input(html)]
    assert hrefs == [f"#id_a_q{n}_0" for n in range(1, 10)]  # the tenth may be left blank


class _When(CaseloadForm):
    starts_at = forms.CharField()


def test_a_services_errors_land_on_the_form_with_their_code() -> None:
    form = _When({"starts_at": "10:00"})
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationFailed(
            "Already booked then.",
            code="double_booked",
            field_errors={"starts_at": ["Already booked then."], "elsewhere": ["Not a field."]},
        ),
    )
    assert form.has_error("starts_at", code="double_booked")
    assert form.errors["starts_at"] == ["Already booked then."]
    assert form.non_field_errors() == ["Not a field."]  # a field the form lacks: form-wide

    other = _When({"starts_at": "10:00"})
    assert other.is_valid()
    add_service_errors(other, Conflict("This episode is closed.", code="closed"))
    assert other.has_error(NON_FIELD_ERRORS, code="closed")
    assert not other.has_error("starts_at")
