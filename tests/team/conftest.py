"""A departing care manager in the geriatric program, with clients and open tasks, and the
people who may receive them (the shared org's supervisor and junior, and Lena)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from caseload.enrolments.models import Enrolment
from caseload.staff.models import CareerLevel, User
from caseload.tasks.models import Task
from tests import factories


@dataclass
class Departure:
    leaving: User
    lena: User
    enrolments: list[Enrolment]
    tasks: list[Task]


@pytest.fixture
def departure(org: Any) -> Departure:
    leaving = factories.UserFactory(
        username="tomas", first_name="Tomás", last_name="Reyes", supervisor=org.supervisor
    )
    leaving.programs.add(org.geriatric)
    lena = factories.UserFactory(
        username="lena",
        first_name="Lena",
        last_name="Ortiz",
        career_level=CareerLevel.CARE_MANAGER,
        languages="Spanish, Tagalog",
    )
    lena.programs.add(org.geriatric)
    enrolments = []
    tasks = []
    for n, (language, address) in enumerate(
        [
            ("Tagalog", "12 Elm Street"),
            ("Tagalog", "12 Elm St"),
            ("Spanish", ""),
            ("English", ""),
            ("English", "4 Oak Road"),
        ]
    ):
        client = factories.ClientFactory(
            given_name=f"Client{n}",
            family_name=f"Family{n}",
            preferred_language=language,
            address_line=address,
            postal_code="02134" if address else "",
            city="Allston",
        )
        enrolment = factories.EnrolmentFactory(
            client=client, program=org.geriatric, care_manager=leaving
        )
        enrolments.append(enrolment)
        tasks.append(
            factories.TaskFactory(
                client=client,
                enrolment=enrolment,
                owner=leaving,
                created_by=leaving,
                due_on=dt.date(2026, 12, 10),
            )
        )
    return Departure(leaving=leaving, lena=lena, enrolments=enrolments, tasks=tasks)
