"""Fixtures for assessment tests: a collaborative-care program with its care manager."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from caseload.assessments import catalogue
from caseload.clients.models import Client
from caseload.enrolments.models import Enrolment, Program
from caseload.staff.models import CareerLevel, User
from tests import factories


@dataclass
class CoCM:
    program: Program
    senior: User
    aisha: User
    client: Client
    enrolment: Enrolment


@pytest.fixture
def cocm(org: Any) -> CoCM:
    program = factories.ProgramFactory(
        code="cocm", name="Collaborative care", kind="behavioural_health"
    )
    senior = factories.UserFactory(username="cocm-senior", career_level=CareerLevel.SENIOR)
    senior.programs.add(program)
    aisha = factories.UserFactory(
        username="aisha", career_level=CareerLevel.CARE_MANAGER, supervisor=senior
    )
    aisha.programs.add(program)
    enrolment = factories.EnrolmentFactory(program=program, care_manager=aisha)
    return CoCM(
        program=program, senior=senior, aisha=aisha, client=enrolment.client, enrolment=enrolment
    )


@pytest.fixture(autouse=True)
def _fresh_catalogue() -> Any:
    catalogue.reload()
    yield
    catalogue.reload()
