"""The chart's notes section: the selector's query bound and what the timeline says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from caseload.core import clock
from caseload.notes import services
from caseload.notes.selectors import note_list_for_client
from caseload.tasks import services as task_services
from tests import factories
from tests.notes.helpers import make_note

pytestmark = pytest.mark.django_db


def _render(org, notes) -> str:
    request = RequestFactory().get("/")
    request.user = org.junior
    return render_to_string(
        "notes/partials/chart_section.html",
        {"notes": notes, "client": org.junior_client},
        request=request,
    )


def test_timeline_loads_any_number_of_notes_in_two_queries(org, django_assert_num_queries):
    daughter = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid")
    for hours in range(8):
        note = make_note(
            org.junior,
            org.junior_client,
            sign=True,
            contact_at=clock.now() - dt.timedelta(hours=hours + 1),
            contact_with="related_person",
            related_person=daughter,
        )
        services.note_add_addendum(actor=org.junior, note=note, text=f"Addendum {hours}")
    with django_assert_num_queries(2):
        notes = note_list_for_client(actor=org.junior, client=org.junior_client)
        html = _render(org, notes)
    assert len(notes) == 8
    assert html.count("Addendum ") == 8
    assert html.count("Ingrid") == 8


def test_notes_are_newest_first_and_limited(org):
    for hours in range(5):
        make_note(
            org.junior, org.junior_client, contact_at=clock.now() - dt.timedelta(hours=hours + 1)
        )
    notes = note_list_for_client(actor=org.junior, client=org.junior_client, limit=3)
    assert len(notes) == 3
    assert notes[0].contact_at > notes[1].contact_at > notes[2].contact_at


def test_notes_of_a_client_out_of_scope_are_not_listed(org):
    make_note(org.other_cm, org.other_client)
    assert note_list_for_client(actor=org.junior, client=org.other_client) == []


def test_timeline_shows_status_words_significant_event_and_escapes_text(org):
    significant = make_note(
        org.junior,
        org.junior_client,
        sign=True,
        significant_event=True,
        reached=False,
        narrative="Fell <script>x</script> at home",
    )
    make_note(
        org.junior,
        org.junior_client,
        contact_with="provider",
        provider_name="Sunrise Home Care",
        contact_at=significant.contact_at - dt.timedelta(hours=1),
    )
    html = _render(org, note_list_for_client(actor=org.junior, client=org.junior_client))
    assert 'id="notes"' in html
    assert "Record a note" in html
    assert "Awaiting co-sign" in html
    assert "Draft" in html
    assert "Significant event" in html
    assert "Not reached" in html
    assert "Sunrise Home Care" in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html


def test_empty_timeline_says_so(org):
    assert "No notes yet." in _render(org, [])


def test_chart_page_shows_the_notes_and_tasks_sections(org, login):
    make_note(org.junior, org.junior_client, sign=True, narrative="Spoke with the daughter.")
    task_services.task_create(
        actor=org.junior,
        client=org.junior_client,
        title="Book the review",
        owner=org.junior,
        due_on=clock.today(),
    )
    response = login(org.junior).get(
        reverse("clients:chart", kwargs={"client_id": org.junior_client.pk})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="notes-heading"' in html
    assert "Spoke with the daughter." in html
    assert 'id="tasks-heading"' in html
    assert "Book the review" in html
