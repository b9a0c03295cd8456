"""Building crafted caseloads for the worklist tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from caseload.clients.models import Client
from caseload.core import clock
from caseload.enrolments.models import Enrolment, Program
from caseload.staff.models import User
from tests import factories


def days_ago(days: int) -> dt.date:
    return clock.today() - dt.timedelta(days=days)


def noon(day: dt.date) -> dt.datetime:
    """Midday local time: far from midnight, so 'N days ago' never straddles a day boundary."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def enrol(
    care_manager: User,
    program: Program,
    *,
    family: str,
    given: str = "Alex",
    acuity: int = 2,
    status: str = "active",
    referred_days_ago: int = 60,
    client: Client | None = None,
    **client_fields: Any,
) -> Client:
    """A client (new unless given) with an open enrolment on ``care_manager``'s caseload."""
    if client is None:
        client = factories.ClientFactory(family_name=family, given_name=given, **client_fields)
    factories.EnrolmentFactory(
        client=client,
        program=program,
        care_manager=care_manager,
        acuity=acuity,
        status=status,
        referred_on=days_ago(referred_days_ago),
    )
    return client


def contact(
    client: Client,
    author: User,
    days: int,
    *,
    reached: bool = True,
    status: str = "signed",
) -> None:
    factories.ProgressNoteFactory(
        client=client,
        author=author,
        contact_at=noon(days_ago(days)),
        reached=reached,
        status=status,
    )


def overdue_tasks(client: Client, owner: User, count: int, *, days_late: int = 3) -> None:
    for n in range(count):
        factories.TaskFactory(
            client=client, owner=owner, title=f"Overdue {n}", due_on=days_ago(days_late)
        )


def plan_review(client: Client, due: dt.date, *, status: str = "active") -> None:
    enrolment = Enrolment.objects.filter(client=client).order_by("created_at").first()
    factories.CarePlanFactory(enrolment=enrolment, client=client, review_due=due, status=status)


def sign_in_with_second_factor(http: Any, user: User) -> Any:
    """Sign in and pass two-factor verification (directors and administrators must have it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    http.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return http
