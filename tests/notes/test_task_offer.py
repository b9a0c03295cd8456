"""A note that reaches the client offers to complete their open tasks (issue 10, item 8).

Found in a walk-through: Maya's phone note reached Mrs. Lindqvist, and the open task "Reach Mrs.
Lindqvist" stayed open and overdue. Now a phone call, video call or visit that reached the
client (or their family or caregiver) leads, in the same flow, to the client's open tasks, each
with "Mark done" and an outcome naming the contact; nothing is completed unasked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.notes.models import ProgressNote
from caseload.tasks import services as task_services
from caseload.tasks.models import Task, TaskStatus

pytestmark = pytest.mark.django_db


def _reach_task(org: Any) -> Task:
    return task_services.task_create(
        actor=org.junior,
        client=org.junior_client,
        title="Reach the client: call her daughter if no answer",
        owner=org.junior,
        due_on=clock.today() - dt.timedelta(days=2),
        priority=2,
    )


def _note_form(**overrides: str) -> dict[str, str]:
    contact = timezone.localtime(clock.now() - dt.timedelta(minutes=20))
    form = {
        "contact_at": contact.strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "phone",
        "contact_with": "client",
        "reached": "yes",
        "minutes": "12",
        "narrative": "Talked about her new inhaler. No falls this week.",
        "action": "sign",
    }
    form.update(overrides)
    return form


def _create(http: Any, org: Any, **overrides: str) -> Any:
    return http.post(
        reverse("notes:create", kwargs={"client_id": org.junior_client.pk}), _note_form(**overrides)
    )


def test_a_phone_note_that_reaches_the_client_offers_to_complete_the_open_task(
    org: Any, login: Any
) -> None:
    task = _reach_task(org)
    http = login(org.junior)
    response = _create(http, org)
    note = ProgressNote.objects.get()
    offer_url = reverse("notes:task_offer", kwargs={"note_id": note.pk})
    assert response.status_code == 302
    assert response["Location"] == offer_url

    page = http.get(offer_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Did this contact complete a task?" in html
    assert task.title in html
    assert "Overdue" in html
    assert reverse("tasks:complete", kwargs={"task_id": task.pk}) in html
    assert f'name="version" value="{task.version}"' in html
    assert "Reached by phone on" in html  # the outcome offered, which the user may change
    assert AuditEvent.objects.filter(
        action="task.listed", target_id=str(task.pk), detail__page="note_task_offer"
    ).exists()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN  # nothing done unasked

    done = http.post(
        reverse("tasks:complete", kwargs={"task_id": task.pk}),
        {
            "version": str(task.version),
            "outcome_note": "Reached by phone; she has the new inhaler.",
            "next": offer_url,
        },
    )
    assert done.status_code == 302
    assert done["Location"] == offer_url
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.completed_by == org.junior
    assert task.outcome_note == "Reached by phone; she has the new inhaler."
    assert AuditEvent.objects.filter(action="task.completed", target_id=str(task.pk)).count() == 1
    # No open task left: the offer steps aside for the chart.
    after = http.get(offer_url)
    assert after.status_code == 302
    assert after["Location"].endswith("#notes")


@pytest.mark.parametrize(
    "overrides",
    [
        {"reached": "no"},
        {"contact_type": "message"},
        {"contact_type": "collateral"},
        {"contact_with": "provider", "provider_name": "Dr. Patel's office"},
    ],
    ids=["not-reached", "message", "collateral", "provider"],
)
def test_a_contact_that_did_not_reach_the_client_goes_straight_to_the_chart(
    org: Any, login: Any, overrides: dict[str, str]
) -> None:
    _reach_task(org)
    http = login(org.junior)
    response = _create(http, org, **overrides)
    assert response.status_code == 302
    assert response["Location"].endswith("#notes")
    note = ProgressNote.objects.get()
    # Asked for directly, the offer sends the user to the note instead.
    offer = http.get(reverse("notes:task_offer", kwargs={"note_id": note.pk}))
    assert offer.status_code == 302
    assert offer["Location"] == reverse("notes:detail", kwargs={"note_id": note.pk})


def test_without_open_tasks_a_reaching_note_goes_to_the_chart(org: Any, login: Any) -> None:
    response = _create(login(org.junior), org)
    assert response.status_code == 302
    assert response["Location"].endswith("#notes")


def test_the_offer_answers_get_only(org: Any, login: Any) -> None:
    _reach_task(org)
    http = login(org.junior)
    _create(http, org)
    note = ProgressNote.objects.get()
    response = http.post(reverse("notes:task_offer", kwargs={"note_id": note.pk}))
    assert response.status_code == 405
