"""Time entries: a note's time, the timer, corrections with a reason, the rules checked at
entry (one program per minute, pairs never billed together, whose time counts), the month in
the organisation's time zone, and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseload.audit.models import AuditEvent
from caseload.core.errors import Conflict, PermissionDenied, ValidationFailed, VersionConflict
from caseload.notes import services as note_services
from caseload.programrules import services
from caseload.programrules.evaluation import month_of
from caseload.programrules.models import RunningTimer, TimeEntry, TimeEntryChange
from caseload.programrules.services import TimeDetails
from tests.programrules.helpers import add_time, correct, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def late_november(pin: Any) -> None:
    pin("2026-11-24 12:00")


def note(org: Any, **time: Any) -> Any:
    details = TimeDetails(
        program=time.get("program", "CCM"),
        activity=time.get("activity", "phone_contact"),
        staff_type=time.get("staff_type", "clinical_staff"),
        billing_practitioner=time.get("practitioner", "Dr. Priya Nair"),
    )
    return note_services.note_create(
        actor=org.junior,
        client=org.junior_client,
        contact_at=time.get("at", local("2026-11-23 09:00")),
        contact_type="phone",
        contact_with="client",
        reached=True,
        minutes=time.get("minutes", 12),
        narrative="Called about the new inhaler.",
        significant_event=False,
        time=details,
    )


def test_a_note_carries_its_time_toward_a_program(org: Any) -> None:
    written = note(org)
    entry = TimeEntry.objects.get(note=written)
    assert (entry.minutes, entry.program, entry.activity, entry.staff_type) == (
        12,
        "CCM",
        "phone_contact",
        "clinical_staff",
    )
    assert entry.performed_by == org.junior
    assert entry.month == dt.date(2026, 11, 1)
    assert AuditEvent.objects.filter(action="time_entry.created", target_id=str(entry.pk)).exists()


def test_a_draft_notes_time_follows_the_draft(org: Any) -> None:
    written = note(org)
    note_services.note_update(
        actor=org.junior,
        note=written,
        expected_version=written.version,
        contact_at=written.contact_at,
        contact_type="phone",
        contact_with="client",
        reached=True,
        minutes=25,
        narrative=written.narrative,
        significant_event=False,
    )
    entry = TimeEntry.objects.get(note=written)
    assert (entry.minutes, entry.program) == (25, "CCM")  # program kept when not given


def test_a_note_without_time_details_counts_toward_no_program(org: Any) -> None:
    written = note_services.note_create(
        actor=org.junior,
        client=org.junior_client,
        contact_at=local("2026-11-23 09:00"),
        contact_type="visit",
        contact_with="client",
        reached=True,
        minutes=30,
        narrative="Home visit.",
        significant_event=False,
    )
    entry = written.time_entry
    assert (entry.program, entry.activity) == ("", "coordination")


def test_the_month_is_the_organisations_not_utcs(org: Any, settings: Any) -> None:
    assert settings.TIME_ZONE == "America/New_York"
    late = local("2026-10-31 23:30")  # 1 November 03:30 UTC
    assert late.astimezone(dt.UTC).month == 11
    assert month_of(late) == dt.date(2026, 10, 1)
    entry = add_time(org.junior_client, org.junior, 10, when="2026-10-31 23:30")
    assert entry.month == dt.date(2026, 10, 1)
    early = add_time(org.junior_client, org.junior, 10, when="2026-11-01 00:05")
    assert early.month == dt.date(2026, 11, 1)


def test_pcm_time_in_a_month_with_ccm_time_is_refused_on_the_note_form_field(org: Any) -> None:
    note(org, program="CCM")
    with pytest.raises(ValidationFailed) as caught:
        note(org, program="PCM", at=local("2026-11-23 15:00"))
    message = caught.value.field_errors["time_program"][0]
    assert "already has CCM time in November 2026" in message
    assert "PCM is not billed in a month with CCM" in message
    assert TimeEntry.objects.count() == 1  # the second note was not saved either


def test_the_pair_rule_is_per_month(org: Any) -> None:
    add_time(org.junior_client, org.junior, 20, program="CCM", when="2026-10-20 10:00")
    assert add_time(org.junior_client, org.junior, 30, program="PCM").program == "PCM"


def test_programs_that_may_go_together_share_a_month(org: Any) -> None:
    add_time(org.junior_client, org.junior, 20, program="CCM")
    add_time(org.junior_client, org.junior, 20, program="BHI")
    assert add_time(org.junior_client, org.junior, 60, program="CHI", staff_type="auxiliary")


def test_auxiliary_time_toward_ccm_is_refused(org: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        add_time(org.junior_client, org.junior, 20, program="CCM", staff_type="auxiliary")
    assert "does not count toward CCM" in caught.value.field_errors["staff_type"][0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 601}, "minutes"),
        ({"program": "XYZ"}, "program"),
        ({"when": "2026-11-25 10:00"}, "performed_at"),
        ({"practitioner": "Dr\x00 Evil"}, "billing_practitioner"),
    ],
)
def test_bad_time_is_refused_naming_the_field(
    org: Any, changes: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"minutes": 10, **changes}
    minutes = args.pop("minutes")
    with pytest.raises(ValidationFailed) as caught:
        add_time(org.junior_client, org.junior, minutes, **args)
    assert field in caught.value.field_errors
    assert not TimeEntry.objects.exists()


def test_out_of_scope_client_is_not_found(org: Any) -> None:
    from caseload.core.errors import NotFound

    with pytest.raises(NotFound):
        add_time(org.other_client, org.junior, 10)


# -- corrections ------------------------------------------------------------------------------


def test_correcting_time_needs_a_reason_and_keeps_before_and_after(org: Any) -> None:
    entry = add_time(org.junior_client, org.junior, 12)
    with pytest.raises(ValidationFailed) as caught:
        correct(entry, org.junior, 15, reason="  ")
    assert caught.value.field_errors["reason"] == ["Say why the time is changed."]
    correct(entry, org.supervisor, 15, reason="The call ran on: 15 minutes by the log.")
    entry.refresh_from_db()
    assert entry.minutes == 15
    change = TimeEntryChange.objects.get(entry=entry)
    assert (change.before["minutes"], change.after["minutes"]) == (12, 15)
    assert change.changed_by == org.supervisor
    event = AuditEvent.objects.get(action="time_entry.updated", target_id=str(entry.pk))
    assert event.detail["reason"] == "The call ran on: 15 minutes by the log."
    assert event.detail["before"]["minutes"] == 12


def test_a_stale_correction_is_a_version_conflict(org: Any) -> None:
    entry = add_time(org.junior_client, org.junior, 12)
    stale = TimeEntry.objects.get(pk=entry.pk)  # opened in another tab
    correct(entry, org.junior, 13)
    with pytest.raises(VersionConflict):
        services.time_entry_update(
            actor=org.junior,
            entry=stale,
            expected_version=stale.version,
            minutes=14,
            program="CCM",
            activity="coordination",
            staff_type="clinical_staff",
            billing_practitioner="",
            reason="Fix",
        )


def test_only_the_worker_their_supervisor_seniors_and_directors_correct_time(org: Any) -> None:
    entry = add_time(org.supervisor_client, org.supervisor, 12)
    for minutes, actor in enumerate((org.senior, org.director, org.supervisor), start=13):
        correct(entry, actor, minutes)
    assert TimeEntry.objects.get(pk=entry.pk).minutes == 15
    theirs = add_time(org.junior_client, org.supervisor, 10)  # the supervisor did this work
    with pytest.raises(PermissionDenied):
        correct(theirs, org.junior, 11, reason="Mine now")


def test_a_draft_notes_time_is_changed_on_the_note(org: Any) -> None:
    entry = note(org).time_entry
    with pytest.raises(Conflict, match="draft note"):
        correct(entry, org.junior, 20, reason="More")


def test_timed_work_entered_in_error_stops_counting(org: Any) -> None:
    from caseload.programrules.evaluation import counted_entries

    entry = add_time(org.junior_client, org.junior, 12)
    services.time_entry_mark_entered_in_error(
        actor=org.junior, entry=entry, reason="Wrong client", expected_version=entry.version
    )
    assert not counted_entries().filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="time_entry.entered_in_error").exists()


def test_a_note_entered_in_error_takes_its_time_with_it(org: Any) -> None:
    from caseload.programrules.evaluation import counted_entries

    written = note(org)
    note_services.note_mark_entered_in_error(
        actor=org.junior, note=written, reason="Wrong client", expected_version=written.version
    )
    assert not counted_entries().filter(note=written).exists()


# -- the timer --------------------------------------------------------------------------------


def test_timer_minutes_are_whole_and_at_least_one(org: Any, pin: Any) -> None:
    timer = services.timer_start(
        actor=org.junior, client=org.junior_client, program="CCM", activity="coordination"
    )
    pin("2026-11-24 12:00:50")
    assert services.timer_minutes(timer) == 1
    pin("2026-11-24 12:14:59")
    assert services.timer_minutes(timer) == 14


def test_one_timer_at_a_time(org: Any) -> None:
    services.timer_start(actor=org.junior, client=org.junior_client, program="", activity="other")
    with pytest.raises(Conflict, match="already have a timer"):
        services.timer_start(
            actor=org.junior, client=org.junior_client, program="", activity="other"
        )


def test_recording_the_timer_stops_it(org: Any) -> None:
    services.timer_start(
        actor=org.junior, client=org.junior_client, program="CCM", activity="other"
    )
    add_time(org.junior_client, org.junior, 7, when="2026-11-24 11:00")
    assert not RunningTimer.objects.exists()


# -- closed months ----------------------------------------------------------------------------


def test_a_closed_month_takes_no_new_time(org: Any) -> None:
    services.month_close(actor=org.director, month=dt.date(2026, 10, 1))
    with pytest.raises(ValidationFailed) as caught:
        add_time(org.junior_client, org.junior, 10, when="2026-10-20 10:00")
    assert "October 2026 is closed" in caught.value.field_errors["performed_at"][0]
