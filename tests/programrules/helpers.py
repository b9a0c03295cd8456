"""Arranging a client who may bill a program: consent, a care plan, chronic conditions, time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from caseload.careplans.models import CarePlanVersion
from caseload.consents.models import Consent
from caseload.programrules import services
from caseload.programrules.models import ChronicCondition, TimeEntry
from tests import factories


def ready(
    client: Any,
    owner: Any,
    *,
    consent: str = "Chronic care management (99490)",
    conditions: int = 2,
    care_plan: bool = True,
    on: dt.date = dt.date(2026, 1, 1),
) -> None:
    """``client`` has billing consent for ``consent``, a published care plan and
    ``conditions`` chronic conditions, all since ``on``."""
    if consent:
        Consent.objects.create(
            client=client,
            kind="billing",
            billing_program=consent,
            method="verbal",
            given_on=on,
            recorded_by=owner,
        )
    if care_plan:
        enrolment = client.enrolments.first()
        plan = factories.CarePlanFactory(enrolment=enrolment, author=owner)
        version = CarePlanVersion.objects.create(
            careplan=plan, number=1, snapshot={}, reason="First plan", author=owner
        )
        moment = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        CarePlanVersion.objects.filter(pk=version.pk).update(created_at=moment)
    for n in range(conditions):
        ChronicCondition.objects.create(
            client=client,
            name=["Heart failure", "Type 2 diabetes", "COPD", "CKD stage 3"][n],
            noted_on=on,
            recorded_by=owner,
        )


def local(when: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(when))


def add_time(
    client: Any,
    by: Any,
    minutes: int,
    *,
    program: str = "CCM",
    when: str = "2026-11-10 10:00",
    staff_type: str = "clinical_staff",
    practitioner: str = "Dr. Priya Nair",
    **extra: Any,
) -> TimeEntry:
    """Time recorded through the service (the timer's path)."""
    return services.time_entry_create(
        actor=by,
        client=client,
        performed_at=local(when),
        minutes=minutes,
        program=program,
        activity="coordination",
        staff_type=staff_type,
        billing_practitioner=practitioner,
        **extra,
    )


def correct(entry: TimeEntry, by: Any, minutes: int, *, reason: str = "Checked the log") -> Any:
    """Correct ``entry``'s minutes as ``by``, keeping its other values (the edit page's path)."""
    current = TimeEntry.objects.get(pk=entry.pk)
    return services.time_entry_update(
        actor=by,
        entry=current,
        expected_version=current.version,
        minutes=minutes,
        program=current.program,
        activity=current.activity,
        staff_type=current.staff_type,
        billing_practitioner=current.billing_practitioner,
        reason=reason,
    )
