"""Transitions of care: the Friday 16:45 discharge, clocks met or missed, the due dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseload.core.errors import Conflict, ValidationFailed
from caseload.core.models import Holiday
from caseload.tasks.models import Task, TaskStatus
from caseload.transitions import selectors, services
from caseload.transitions.models import TransitionalClock

D = dt.date.fromisoformat


def _discharge(org: Any, day: str, complexity: str = "high", **kwargs: Any) -> Any:
    return services.discharge_record(
        actor=kwargs.pop("actor", org.supervisor),
        client=org.junior_client,
        enrolment=org.junior_client.enrolments.first(),
        discharged_on=D(day),
        discharged_from="hospital",
        facility_name="Springfield General",
        complexity=complexity,
        **kwargs,
    )


def _clocks(episode: Any) -> dict[str, TransitionalClock]:
    return {c.kind: c for c in TransitionalClock.objects.filter(episode=episode)}


@pytest.mark.django_db
def test_friday_discharge_opens_the_episode_with_three_clocks_and_tasks(org: Any, pin: Any) -> None:
    pin("2026-03-06 16:45")  # Friday
    episode = _discharge(org, "2026-03-06")
    assert episode.ends_on == D("2026-04-04")  # the day of discharge and 29 more
    clocks = _clocks(episode)
    assert clocks["interactive_contact"].due_on == D("2026-03-10")  # Tuesday
    assert clocks["face_to_face"].due_on == D("2026-03-13")
    assert clocks["medication_reconciliation"].due_on == D("2026-03-13")
    tasks = {c.kind: c.task for c in clocks.values()}
    assert all(t is not None and t.owner == org.junior for t in tasks.values())  # care manager
    assert tasks["interactive_contact"].due_on == D("2026-03-10")
    assert tasks["interactive_contact"].priority == 1


@pytest.mark.django_db
def test_friday_before_a_monday_holiday_moves_the_contact_to_wednesday(org: Any, pin: Any) -> None:
    pin("2026-05-22 15:00")
    clocks = _clocks(_discharge(org, "2026-05-22", complexity="moderate"))
    assert clocks["interactive_contact"].due_on == D("2026-05-27")
    assert clocks["face_to_face"].due_on == D("2026-06-05")


@pytest.mark.django_db
def test_an_agency_holiday_counts_too(org: Any, pin: Any) -> None:
    Holiday.objects.create(date=D("2026-03-09"), name="Staff training day")
    pin("2026-03-06 16:45")
    assert _clocks(_discharge(org, "2026-03-06"))["interactive_contact"].due_on == D("2026-03-11")


@pytest.mark.django_db
def test_clock_states_met_missed_and_due(org: Any, pin: Any) -> None:
    pin("2026-03-06 16:45")
    episode = _discharge(org, "2026-03-06")
    pin("2026-03-10 11:00")
    services.clock_record_met(
        actor=org.junior,
        episode=episode,
        kind="interactive_contact",
        met_on=D("2026-03-10"),
        expected_version=1,
    )
    pin("2026-03-16 09:00")
    view = selectors.episode_get(actor=org.junior, episode_id=episode.pk)
    states = {c.clock.kind: c.state for c in view.clocks}
    assert states == {
        "interactive_contact": "met",
        "face_to_face": "missed",
        "medication_reconciliation": "missed",
    }
    services.clock_record_met(
        actor=org.junior,
        episode=episode,
        kind="face_to_face",
        met_on=D("2026-03-16"),
        expected_version=2,
    )
    view = selectors.episode_get(actor=org.junior, episode_id=episode.pk)
    states = {c.clock.kind: c.state for c in view.clocks}
    assert states["face_to_face"] == "met_late"
    contact_task = Task.objects.get(pk=_clocks(episode)["interactive_contact"].task_id)
    assert contact_task.status == TaskStatus.DONE


@pytest.mark.django_db
def test_an_early_visit_moves_the_medication_reconciliation_deadline_and_its_task(
    org: Any, pin: Any
) -> None:
    pin("2026-03-06 16:45")
    episode = _discharge(org, "2026-03-06", complexity="moderate")
    pin("2026-03-11 10:00")
    services.clock_record_met(
        actor=org.junior,
        episode=episode,
        kind="face_to_face",
        met_on=D("2026-03-11"),
        expected_version=1,
    )
    medication = _clocks(episode)["medication_reconciliation"]
    assert medication.due_on == D("2026-03-11")
    assert Task.objects.get(pk=medication.task_id).due_on == D("2026-03-11")


@pytest.mark.django_db
def test_a_clock_is_recorded_once_and_not_in_the_future(org: Any, pin: Any) -> None:
    pin("2026-03-06 16:45")
    episode = _discharge(org, "2026-03-06")
    with pytest.raises(ValidationFailed):
        services.clock_record_met(
            actor=org.junior,
            episode=episode,
            kind="face_to_face",
            met_on=D("2026-03-07"),
            expected_version=1,
        )
    services.clock_record_met(
        actor=org.junior,
        episode=episode,
        kind="face_to_face",
        met_on=D("2026-03-06"),
        expected_version=1,
    )
    with pytest.raises(Conflict) as caught:
        services.clock_record_met(
            actor=org.junior,
            episode=episode,
            kind="face_to_face",
            met_on=D("2026-03-06"),
            expected_version=2,
        )
    assert caught.value.code == "clock_already_met"


@pytest.mark.django_db
def test_discharge_dates_in_the_future_or_past_the_window_are_refused(org: Any, pin: Any) -> None:
    pin("2026-03-06 16:45")
    with pytest.raises(ValidationFailed) as caught:
        _discharge(org, "2026-03-07")
    assert "future" in caught.value.field_errors["discharged_on"][0]
    with pytest.raises(ValidationFailed) as caught:
        _discharge(org, "2026-02-01")
    assert "30 days" in caught.value.field_errors["discharged_on"][0]


@pytest.mark.django_db
def test_a_second_discharge_during_a_running_episode_is_refused_until_it_is_closed(
    org: Any, pin: Any
) -> None:
    pin("2026-03-06 16:45")
    episode = _discharge(org, "2026-03-06")
    pin("2026-03-12 10:00")
    with pytest.raises(ValidationFailed) as caught:
        _discharge(org, "2026-03-12")
    assert caught.value.code == "episode_running"
    services.episode_close(
        actor=org.junior, episode=episode, reason="readmitted", expected_version=1
    )
    tasks = Task.objects.filter(pk__in=[c.task_id for c in _clocks(episode).values()])
    assert {t.status for t in tasks} == {TaskStatus.CANCELLED}
    assert _discharge(org, "2026-03-12").discharged_on == D("2026-03-12")
    view = selectors.episode_get(actor=org.junior, episode_id=episode.pk)
    # the contact was already late when the client was readmitted; the others stopped in time
    assert [c.state for c in view.clocks] == ["missed", "stopped", "stopped"]


# --- the due dates (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("discharged", "complexity", "holidays", "contact", "visit"),
    [
        # Friday discharge, high complexity: contact Tuesday, visit the next Friday
        ("2026-03-06", "high", [], "2026-03-10", "2026-03-13"),
        # moderate complexity: visit within 14 calendar days
        ("2026-03-06", "moderate", [], "2026-03-10", "2026-03-20"),
        # discharged Friday before a Monday holiday: contact Wednesday
        ("2026-05-22", "high", ["2026-05-25"], "2026-05-27", "2026-05-29"),
        # discharged on a Saturday
        ("2026-03-07", "moderate", [], "2026-03-10", "2026-03-21"),
    ],
)
def test_transitional_care_due_dates(
    discharged: str, complexity: str, holidays: list[str], contact: str, visit: str
) -> None:
    due = services.transitional_due_dates(
        discharged_on=D(discharged), complexity=complexity, holidays={D(h) for h in holidays}
    )
    assert due["interactive_contact"] == D(contact)
    assert due["face_to_face"] == D(visit)
    assert due["medication_reconciliation"] == D(visit)  # by the visit
