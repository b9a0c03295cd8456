"""Writes for time toward the care management programs, chronic conditions and month close.

Every rule about time comes from the year's rules file: which programs exist, whose time counts
toward each, and which programs may not share a client-month. A minute counts toward one program
(an entry names one); a closed month takes no new or changed time until a director reopens it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.core import clock, entered_in_error
from caseload.core.errors import Conflict, ValidationFailed, VersionConflict, check_version
from caseload.programrules import rules
from caseload.programrules.evaluation import (
    closed_month,
    counted_entries,
    evaluate_month,
    month_of,
    month_words,
)

__all__ = ["TimeDetails", "closed_month", "month_of", "month_words"]
from caseload.programrules.models import (
    Activity,
    ChronicCondition,
    MonthClose,
    MonthResult,
    RunningTimer,
    StaffType,
    TimeEntry,
    TimeEntryChange,
    TimeSource,
)

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.notes.models import ProgressNote
    from caseload.staff.models import User

#: Where a note form shows each time error (its own contact time and minutes, its time fields).
NOTE_FIELDS = {
    "performed_at": "contact_at",
    "program": "time_program",
    "activity": "time_activity",
    "staff_type": "time_staff_type",
    "billing_practitioner": "time_billing_practitioner",
}
MIN_MINUTES = 1
MAX_MINUTES = 600
TEXT_MAX = 200
DESCRIPTION_MAX = 300
REASON_REQUIRED = "Say why the time is changed."


def program_label(key: str, month: dt.date | None = None) -> str:
    """'CCM (chronic care management)' for a program key; '' stays 'no program'."""
    if not key:
        return "no program"
    try:
        rule_set = rules.for_year((month or clock.today()).year)
    except rules.RulesError:  # a month before the first rules file (a date typed in error)
        return key
    program = rule_set.programs.get(key)
    return f"{key} ({program.name})" if program else key


@dataclass(frozen=True)
class TimeDetails:
    """What a progress note's form adds about its time: the note gives minutes and moment."""

    program: str
    activity: str
    staff_type: str
    billing_practitioner: str = ""


def _check_text(value: str, field: str, limit: int, errors: dict[str, list[str]]) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        errors[field] = [entered_in_error.NUL_MESSAGE]
    elif len(value) > limit:
        errors[field] = [f"Use {limit} characters or fewer."]
    return value


def _clean(
    *,
    client: Client,
    performed_at: dt.datetime | None,
    minutes: int | None,
    program: str,
    activity: str,
    staff_type: str,
    billing_practitioner: str,
    description: str = "",
    exclude: TimeEntry | None = None,
    field_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The values to store, or ValidationFailed naming each field (``field_names`` lets the
    note form put the errors on its own fields)."""
    errors: dict[str, list[str]] = {}
    if performed_at is None or performed_at.tzinfo is None:
        errors["performed_at"] = ["Enter when the work was done."]
    elif performed_at > clock.now():
        errors["performed_at"] = ["The time cannot be in the future."]
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["minutes"] = [f"Minutes must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}."]
    if activity not in Activity.values:
        errors["activity"] = ["Choose the activity."]
    if staff_type not in StaffType.values:
        errors["staff_type"] = ["Choose the staff type of the person who did the work."]
    billing_practitioner = _check_text(
        billing_practitioner, "billing_practitioner", TEXT_MAX, errors
    )
    description = _check_text(description, "description", DESCRIPTION_MAX, errors)
    month = month_of(performed_at) if "performed_at" not in errors and performed_at else None
    program = program or ""
    if month is not None:
        rule_set = rules.for_year(month.year)
        found = rule_set.programs.get(program) if program else None
        if program and found is None:
            errors["program"] = ["Choose one of the programs, or no program."]
        elif (
            found is not None
            and found.staff
            and staff_type in StaffType.values
            and staff_type not in found.staff
        ):
            errors["staff_type"] = [
                f"Time by {StaffType(staff_type).label.split(' (')[0].lower()} does not "
                f"count toward {found.key} ({found.name}). Choose another program or no "
                "program."
            ]
        if found is not None and "program" not in errors:
            clash = _excluded_program_in_month(client, month, program, rule_set, exclude)
            if clash:
                errors["program"] = [
                    f"{client.full_name} already has {clash} time in {month_words(month)}, and "
                    f"{_pair_words(program, clash, rule_set)}. Count this time toward {clash}, "
                    f"or change the {clash} time first."
                ]
        if closed_month(month) is not None:
            errors["performed_at"] = [
                f"{month_words(month)} is closed for program billing. Ask a director to reopen "
                "it to add or change its time."
            ]
    if errors:
        if field_names:
            errors = {field_names.get(k, k): v for k, v in errors.items()}
        raise ValidationFailed("Check the time and try again.", field_errors=errors)
    return {
        "performed_at": performed_at,
        "month": month,
        "minutes": minutes,
        "program": program,
        "activity": activity,
        "staff_type": staff_type,
        "billing_practitioner": billing_practitioner,
        "description": description,
    }


def _pair_words(program: str, other: str, rule_set: rules.RuleSet) -> str:
    """Which of the two is not billed with the other, as the rules file says."""
    if other in rule_set.program(program).not_with:
        return f"{program} is not billed in a month with {other}"
    return f"{other} is not billed in a month with {program}"


def _excluded_program_in_month(
    client: Client,
    month: dt.date,
    program: str,
    rule_set: rules.RuleSet,
    exclude: TimeEntry | None,
) -> str:
    """A program already holding time this client-month that may not be billed with
    ``program`` ('' if none)."""
    pairs = rule_set.excluded_pairs()
    others = (
        counted_entries()
        .filter(client=client, month=month)
        .exclude(program__in=["", program])
        .exclude(pk__in=[exclude.pk] if exclude else [])
        .values_list("program", flat=True)
        .distinct()
    )
    for other in sorted(set(others)):
        if frozenset((program, other)) in pairs:
            return str(other)
    return ""


def _snapshot(entry: TimeEntry) -> dict[str, Any]:
    return {
        "minutes": entry.minutes,
        "program": entry.program,
        "activity": entry.activity,
        "staff_type": entry.staff_type,
        "billing_practitioner": entry.billing_practitioner,
        "performed_at": entry.performed_at.isoformat(),
    }


# -- a progress note's time -------------------------------------------------------------------


def time_record_for_note(*, actor: User, note: ProgressNote, time: TimeDetails) -> TimeEntry:
    """Create or change the time entry of ``note`` (called by the notes services inside their
    transaction, after the note is saved). A draft's time follows the draft; once signed, the
    time is changed on its own page with a reason."""
    existing = TimeEntry.objects.select_for_update().filter(note=note).first()
    values = _clean(
        client=note.client,
        performed_at=note.contact_at,
        minutes=note.minutes,
        program=time.program,
        activity=time.activity,
        staff_type=time.staff_type,
        billing_practitioner=time.billing_practitioner,
        exclude=existing,
        field_names=NOTE_FIELDS,
    )
    if existing is None:
        entry = TimeEntry(
            client=note.client,
            note=note,
            source=TimeSource.NOTE,
            performed_by=note.author,
            **values,
        )
        entry.save()
        audit_record(
            actor=actor,
            action="time_entry.created",
            target=entry,
            client=note.client,
            detail={"source": "note", **_snapshot(entry)},
        )
        return entry
    before = _snapshot(existing)
    for name, value in values.items():
        setattr(existing, name, value)
    if _snapshot(existing) != before:
        existing.version += 1
        existing.save(update_fields=[*values.keys(), "version", "updated_at"])
        audit_record(
            actor=actor,
            action="time_entry.updated",
            target=existing,
            client=note.client,
            detail={"source": "note draft", "before": before, "after": _snapshot(existing)},
        )
    return existing


# -- time on its own (the timer) and corrections ------------------------------------------------


def time_entry_create(
    *,
    actor: User,
    client: Client,
    performed_at: dt.datetime | None,
    minutes: int | None,
    program: str,
    activity: str,
    staff_type: str,
    billing_practitioner: str = "",
    description: str = "",
) -> TimeEntry:
    """Time worked on ``client`` that is not a contact (the chart's timer)."""
    with transaction.atomic():
        client = policies.require_clinical_client(actor, client.pk)
        values = _clean(
            client=client,
            performed_at=performed_at,
            minutes=minutes,
            program=program,
            activity=activity,
            staff_type=staff_type,
            billing_practitioner=billing_practitioner,
            description=description,
        )
        entry = TimeEntry(client=client, source=TimeSource.TIMER, performed_by=actor, **values)
        entry.save()
        RunningTimer.objects.filter(user=actor, client=client).delete()
        audit_record(
            actor=actor,
            action="time_entry.created",
            target=entry,
            client=client,
            detail={"source": "timer", **_snapshot(entry)},
        )
    return entry


def time_entry_update(
    *,
    actor: User,
    entry: TimeEntry,
    expected_version: int,
    minutes: int | None,
    program: str,
    activity: str,
    staff_type: str,
    billing_practitioner: str,
    reason: str,
) -> TimeEntry:
    """Correct a time entry, with a reason (kept with the values before and after)."""
    with transaction.atomic():
        client = policies.require_clinical_client(actor, entry.client_id)
        current = (
            TimeEntry.objects.select_for_update(of=("self",))
            .select_related("note")
            .get(pk=entry.pk)
        )
        entered_in_error.refuse_if_entered_in_error(current, "time entry")
        policies.require_may_edit_time_entry(actor, current.performed_by)
        check_version(current, expected_version, "time entry")
        if current.note is not None and current.note.status == "draft":
            raise Conflict(
                "This time belongs to a draft note: change the minutes and program on the note.",
                code="note_draft",
            )
        if current.version != expected_version:
            raise VersionConflict(
                "This time was changed by someone else since you opened it.",
                code="stale_version",
                current_version=current.version,
            )
        reason = (reason or "").strip()
        errors: dict[str, list[str]] = {}
        if not reason:
            errors["reason"] = [REASON_REQUIRED]
        reason = _check_text(reason, "reason", entered_in_error.REASON_MAX, errors)
        try:
            values = _clean(
                client=client,
                performed_at=current.performed_at,
                minutes=minutes,
                program=program,
                activity=activity,
                staff_type=staff_type,
                billing_practitioner=billing_practitioner,
                description=current.description,
                exclude=current,
            )
        except ValidationFailed as refusal:
            raise ValidationFailed(
                refusal.message, field_errors={**refusal.field_errors, **errors}
            ) from refusal
        if errors:
            raise ValidationFailed("Check the time and try again.", field_errors=errors)
        before = _snapshot(current)
        for name, value in values.items():
            setattr(current, name, value)
        after = _snapshot(current)
        if after == before:
            raise ValidationFailed(
                "Nothing was changed.", field_errors={"minutes": ["Change something, or go back."]}
            )
        current.version += 1
        current.save(update_fields=[*values.keys(), "version", "updated_at"])
        TimeEntryChange.objects.create(
            entry=current, changed_by=actor, reason=reason, before=before, after=after
        )
        audit_record(
            actor=actor,
            action="time_entry.updated",
            target=current,
            client=client,
            detail={"reason": reason, "before": before, "after": after},
        )
    for field in TimeEntry._meta.concrete_fields:
        setattr(entry, field.attname, getattr(current, field.attname))
    return entry


def time_entry_mark_entered_in_error(
    *, actor: User, entry: TimeEntry, reason: str, expected_version: int
) -> TimeEntry:
    """A timed entry recorded by mistake stops counting (a note's time goes with its note).
    VersionConflict when it changed since ``expected_version`` (its confirmation page's)."""
    with transaction.atomic():
        client = policies.require_clinical_client(actor, entry.client_id)
        current = TimeEntry.objects.select_for_update().get(pk=entry.pk)
        entered_in_error.refuse_if_entered_in_error(current, "time entry")
        policies.require_may_edit_time_entry(actor, current.performed_by)
        check_version(current, expected_version, "time entry")
        if current.note_id is not None:
            raise Conflict(
                "This time belongs to a progress note: mark the note entered in error instead.",
                code="note_time",
            )
        if closed_month(current.month) is not None:
            raise Conflict(
                f"{month_words(current.month)} is closed for program billing. Ask a director "
                "to reopen it first.",
                code="month_closed",
            )
        fields = entered_in_error.mark(
            current, actor=actor, reason=entered_in_error.clean_reason(reason)
        )
        current.version += 1
        current.save(update_fields=[*fields, "version"])
        audit_record(
            actor=actor,
            action="time_entry.entered_in_error",
            target=current,
            client=client,
            detail={"reason": current.entered_in_error_reason, **_snapshot(current)},
        )
    return current


# -- the timer ----------------------------------------------------------------------------------


def timer_start(*, actor: User, client: Client, program: str, activity: str) -> RunningTimer:
    """Start timing work on ``client``; one timer a person at a time."""
    with transaction.atomic():
        client = policies.require_clinical_client(actor, client.pk)
        errors: dict[str, list[str]] = {}
        if activity not in Activity.values:
            errors["activity"] = ["Choose the activity."]
        if program and program not in rules.for_year(clock.today().year).programs:
            errors["program"] = ["Choose one of the programs, or no program."]
        if errors:
            raise ValidationFailed("Check the timer and try again.", field_errors=errors)
        running = RunningTimer.objects.select_for_update().filter(user=actor).first()
        if running is not None:
            raise Conflict(
                "You already have a timer running. Stop it before starting another.",
                code="timer_running",
            )
        timer = RunningTimer.objects.create(
            user=actor, client=client, started_at=clock.now(), program=program, activity=activity
        )
        audit_record(
            actor=actor,
            action="time_timer.started",
            target=timer,
            client=client,
            detail={"program": program, "activity": activity},
        )
    return timer


def timer_discard(*, actor: User) -> None:
    """Throw the running timer away without recording time."""
    with transaction.atomic():
        timer = RunningTimer.objects.select_for_update().filter(user=actor).first()
        if timer is None:
            return
        audit_record(
            actor=actor,
            action="time_timer.discarded",
            target=timer,
            client=timer.client,
            detail={"started_at": timer.started_at.isoformat()},
        )
        timer.delete()


def timer_minutes(timer: RunningTimer, now: dt.datetime | None = None) -> int:
    """Whole minutes on the timer (at least 1, at most the largest entry)."""
    seconds = ((now or clock.now()) - timer.started_at).total_seconds()
    return max(MIN_MINUTES, min(MAX_MINUTES, int(seconds // 60)))


# -- chronic conditions -------------------------------------------------------------------------


def chronic_condition_create(
    *,
    actor: User,
    client: Client,
    name: str,
    icd10: str = "",
    high_risk: bool = False,
    noted_on: dt.date | None,
) -> ChronicCondition:
    with transaction.atomic():
        client = policies.require_clinical_client(actor, client.pk)
        errors: dict[str, list[str]] = {}
        name = _check_text(name, "name", TEXT_MAX, errors)
        if not name and "name" not in errors:
            errors["name"] = ["Enter the condition."]
        icd10 = _check_text(icd10, "icd10", 10, errors).upper()
        if noted_on is None:
            errors["noted_on"] = ["Enter the date the condition was noted."]
        elif noted_on > clock.today():
            errors["noted_on"] = ["The date cannot be in the future."]
        if not errors and (
            ChronicCondition.objects.filter(
                client=client,
                name__iexact=name,
                entered_in_error_at__isnull=True,
                resolved_on__isnull=True,
            ).exists()
        ):
            errors["name"] = [f"{name} is already on {client.full_name}'s list."]
        if errors or noted_on is None:
            raise ValidationFailed("Check the condition and try again.", field_errors=errors)
        condition = ChronicCondition.objects.create(
            client=client,
            name=name,
            icd10=icd10,
            high_risk=bool(high_risk),
            noted_on=noted_on,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="chronic_condition.created",
            target=condition,
            client=client,
            detail={"name": name, "icd10": icd10, "high_risk": condition.high_risk},
        )
    return condition


def chronic_condition_resolve(
    *, actor: User, condition: ChronicCondition, resolved_on: dt.date | None
) -> ChronicCondition:
    with transaction.atomic():
        client = policies.require_clinical_client(actor, condition.client_id)
        current = ChronicCondition.objects.select_for_update().get(pk=condition.pk)
        entered_in_error.refuse_if_entered_in_error(current, "condition")
        if current.resolved_on is not None:
            raise Conflict("This condition is already resolved.", code="already_resolved")
        if resolved_on is None or resolved_on > clock.today() or resolved_on < current.noted_on:
            raise ValidationFailed(
                "Check the date.",
                field_errors={"resolved_on": ["Enter a date from when it was noted up to today."]},
            )
        current.resolved_on = resolved_on
        current.save(update_fields=["resolved_on", "updated_at"])
        audit_record(
            actor=actor,
            action="chronic_condition.resolved",
            target=current,
            client=client,
            detail={"resolved_on": resolved_on.isoformat()},
        )
    return current


def chronic_condition_mark_entered_in_error(
    *, actor: User, condition: ChronicCondition, reason: str
) -> ChronicCondition:
    """A condition recorded by mistake stops counting; it stays on the list, marked."""
    with transaction.atomic():
        client = policies.require_clinical_client(actor, condition.client_id)
        current = ChronicCondition.objects.select_for_update().get(pk=condition.pk)
        entered_in_error.refuse_if_entered_in_error(current, "condition")
        fields = entered_in_error.mark(current, actor=actor, reason=reason)
        current.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="chronic_condition.entered_in_error",
            target=current,
            client=client,
            detail={"name": current.name, "reason": current.entered_in_error_reason},
        )
    return current


# -- closing a month ----------------------------------------------------------------------------


def month_close(*, actor: User, month: dt.date) -> MonthClose:
    """Freeze ``month``'s results for every client (a director; only a month that has ended)."""
    with transaction.atomic():
        policies.require_may_close_months(actor)
        month = month.replace(day=1)
        if month > clock.today().replace(day=1) or month == clock.today().replace(day=1):
            raise ValidationFailed(
                f"{month_words(month)} has not ended yet; a month is closed once it is over.",
                field_errors={"month": ["Choose a month that has ended."]},
            )
        if closed_month(month) is not None:
            raise Conflict(f"{month_words(month)} is already closed.", code="month_closed")
        closing = MonthClose.objects.create(
            month=month,
            closed_at=clock.now(),
            closed_by=actor,
            rules_year=rules.for_year(month.year).year,
        )
        results = evaluate_month(month)
        MonthResult.objects.bulk_create(
            MonthResult(
                month_close=closing,
                client_id=row.client_id,
                program=row.program,
                codes=row.result["codes"],
                not_met=row.result["not_met"],
                minutes=row.minutes,
                minutes_by_staff=row.minutes_by_staff,
                billing_practitioner=row.billing_practitioner,
                care_manager_id=row.care_manager_id,
            )
            for row in results
        )
        audit_record(
            actor=actor,
            action="program_month.closed",
            target=closing,
            detail={
                "month": month.isoformat(),
                "results": len(results),
                "codes": sum(len(r.result["codes"]) for r in results),
            },
        )
    return closing


def month_reopen(*, actor: User, month: dt.date, reason: str) -> MonthClose:
    """Reopen a closed month (a director, with a reason); its frozen results are kept."""
    with transaction.atomic():
        policies.require_may_close_months(actor)
        closing = (
            MonthClose.objects.select_for_update()
            .filter(month=month.replace(day=1), is_closed=True)
            .first()
        )
        if closing is None:
            raise Conflict(f"{month_words(month)} is not closed.", code="month_open")
        errors: dict[str, list[str]] = {}
        reason = _check_text(reason, "reason", entered_in_error.REASON_MAX, errors)
        if not reason and not errors:
            errors["reason"] = ["Say why the month is reopened."]
        if errors:
            raise ValidationFailed("Check the reason and try again.", field_errors=errors)
        closing.is_closed = False
        closing.reopened_at = clock.now()
        closing.reopened_by = actor
        closing.reopen_reason = reason
        closing.version += 1
        closing.save(
            update_fields=[
                "is_closed",
                "reopened_at",
                "reopened_by",
                "reopen_reason",
                "version",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="program_month.reopened",
            target=closing,
            detail={"month": closing.month.isoformat(), "reason": reason},
        )
    return closing
