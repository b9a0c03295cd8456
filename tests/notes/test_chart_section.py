"""The chart's notes section and the client's notes timeline: the selector's query bound, the
pages of older notes, and what the timeline says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.notes import services
from caseload.notes.selectors import TIMELINE_PAGE, NotePage, note_page_for_client
from caseload.tasks import services as task_services
from tests import factories
from tests.notes.helpers import make_note

pytestmark = pytest.mark.django_db


def _render(org, page: NotePage) -> str:
    request = RequestFactory().get("/")
    request.user = org.junior
    return render_to_string(
        "notes/partials/chart_section.html",
        {"note_page": page, "client": org.junior_client},
        request=request,
    )


def _first_page(org, client=None, **kwargs) -> NotePage:
    return note_page_for_client(actor=org.junior, client=client or org.junior_client, **kwargs)


def test_timeline_loads_any_number_of_notes_in_two_queries_after_the_scope_check(
    org, django_assert_num_queries
):
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
    with django_assert_num_queries(1 + 2):
        page = _first_page(org)
        html = _render(org, page)
    assert len(page.notes) == 8 and not page.has_older
    assert html.count("Addendum ") == 8
    assert html.count("Ingrid") == 8


def test_notes_are_newest_first_and_limited(org):
    for hours in range(5):
        make_note(
            org.junior, org.junior_client, contact_at=clock.now() - dt.timedelta(hours=hours + 1)
        )
    page = _first_page(org, limit=3)
    assert len(page.notes) == 3 and page.has_older
    assert page.notes[0].contact_at > page.notes[1].contact_at > page.notes[2].contact_at


def test_notes_of_a_client_out_of_scope_are_not_listed(org):
    make_note(org.other_cm, org.other_client)
    assert _first_page(org, org.other_client) == NotePage(notes=[], has_older=False)


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
    html = _render(org, _first_page(org))
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
    assert "No notes yet." in _render(org, NotePage(notes=[], has_older=False))


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


# --- older notes, a page at a time ------------------------------------------------------------


def _notes(org, count: int, *, same_minute_every: int = 3) -> list:
    """``count`` notes, newest first; every ``same_minute_every`` share a contact time, so the
    order within a minute (when written, then id) decides page boundaries."""
    start = clock.now() - dt.timedelta(hours=1)
    made = [
        make_note(
            org.junior,
            org.junior_client,
            narrative=f"Contact number {i}",
            contact_at=start - dt.timedelta(minutes=10 * (i // same_minute_every)),
        )
        for i in range(count)
    ]
    return sorted(made, key=lambda n: (n.contact_at, n.created_at, str(n.pk)), reverse=True)


def test_pages_follow_one_another_without_skipping_or_repeating_a_note(org):
    expected = _notes(org, 2 * TIMELINE_PAGE + 5)
    seen, page, pages = [], _first_page(org), 1
    seen += page.notes
    while page.has_older:
        page = _first_page(org, after=page.last)
        seen += page.notes
        pages += 1
    assert pages == 3
    assert [n.pk for n in seen] == [n.pk for n in expected]


def test_the_chart_shows_the_newest_page_and_a_link_to_the_older_notes(org, login):
    expected = _notes(org, TIMELINE_PAGE + 1)
    html = (
        login(org.junior)
        .get(reverse("clients:chart", kwargs={"client_id": org.junior_client.pk}))
        .content.decode()
    )
    assert html.count("Open note<span") == TIMELINE_PAGE
    assert f"<p>{expected[TIMELINE_PAGE].narrative}</p>" not in html
    older = reverse("notes:timeline", kwargs={"client_id": org.junior_client.pk})
    older += f"?after={expected[TIMELINE_PAGE - 1].pk}"
    assert f'href="{older}"' in html and f'hx-get="{older}"' in html
    assert "Show older notes" in html


def test_a_chart_with_one_page_of_notes_offers_no_older_ones(org, login):
    _notes(org, TIMELINE_PAGE)
    html = (
        login(org.junior)
        .get(reverse("clients:chart", kwargs={"client_id": org.junior_client.pk}))
        .content.decode()
    )
    assert "Show older notes" not in html


def test_the_timeline_page_lists_older_notes_and_records_what_it_showed(org, login):
    expected = _notes(org, TIMELINE_PAGE + 3)
    url = reverse("notes:timeline", kwargs={"client_id": org.junior_client.pk})
    response = login(org.junior).get(url, {"after": expected[TIMELINE_PAGE - 1].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<!DOCTYPE html>" in html and "Back to the newest notes" in html
    for note in expected[TIMELINE_PAGE:]:
        assert f"<p>{note.narrative}</p>" in html
    assert f"<p>{expected[0].narrative}</p>" not in html
    listed = AuditEvent.objects.filter(action="note.listed", actor=org.junior)
    assert {e.target_id for e in listed} == {str(n.pk) for n in expected[TIMELINE_PAGE:]}
    assert {e.detail["page"] for e in listed} == {"timeline"}
    viewed = AuditEvent.objects.get(action="client.viewed", actor=org.junior)
    assert viewed.detail == {"page": "notes"} and viewed.client_id == org.junior_client.pk


def test_htmx_gets_the_items_only_and_the_first_takes_the_focus(org, login):
    expected = _notes(org, TIMELINE_PAGE + 2)
    url = reverse("notes:timeline", kwargs={"client_id": org.junior_client.pk})
    response = login(org.junior).get(
        url, {"after": expected[TIMELINE_PAGE - 1].pk}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<!DOCTYPE html>" not in html and "<ul" not in html
    assert "HX-Request" in response["Vary"]
    assert html.count("<li") == 2 and html.count("data-focus-after-swap") == 1
    assert "Show older notes" not in html


def test_the_timeline_leaves_out_notes_entered_in_error(org, login):
    kept, wrong = _notes(org, 2)
    services.note_mark_entered_in_error(
        actor=org.junior, note=wrong, reason="Wrong client", expected_version=wrong.version
    )
    html = (
        login(org.junior)
        .get(reverse("notes:timeline", kwargs={"client_id": org.junior_client.pk}))
        .content.decode()
    )
    assert f"<p>{kept.narrative}</p>" in html and f"<p>{wrong.narrative}</p>" not in html
    entered_in_error = reverse(
        "notes:entered_in_error_list", kwargs={"client_id": org.junior_client.pk}
    )
    assert f'href="{entered_in_error}">1 note entered in error</a>' in html


@pytest.mark.parametrize("after", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "x\x00"])
def test_a_page_after_an_unknown_note_is_not_found(org, login, after):
    url = reverse("notes:timeline", kwargs={"client_id": org.junior_client.pk})
    assert login(org.junior).get(url, {"after": after}).status_code == 404


def test_a_page_after_another_clients_note_is_not_found(org, login):
    theirs = make_note(org.supervisor, org.supervisor_client)
    url = reverse("notes:timeline", kwargs={"client_id": org.junior_client.pk})
    assert login(org.supervisor).get(url, {"after": theirs.pk}).status_code == 404
