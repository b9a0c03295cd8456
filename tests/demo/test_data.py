"""The demo's data module: the plan library holds to the care plan rules, references resolve.

The seed inserts library problems, goals and interventions directly (see caseload.demo.seed),
so the rules careplans.services applies to typed-in goals are checked here instead.
"""

from __future__ import annotations

from collections import Counter

from caseload.careplans.models import ExpressedBy
from caseload.clients.models import FlagKind, Relationship, SexAtBirth
from caseload.demo import data
from caseload.enrolments.models import EnrolmentStatus
from caseload.staff.models import CASELOAD_CAPS, CareerLevel


def test_every_library_goal_is_measurable_and_every_intervention_says_who_and_how_often():
    for key, problem in data.PROBLEMS.items():
        assert problem.description and len(problem.description) <= 300, key
        assert problem.goals, key
        for goal in problem.goals:
            assert goal.description and goal.measure and goal.target_value, key
            assert goal.days > 0, key
            assert goal.expressed_by in ExpressedBy.values, key
            assert len(goal.description.format(date="30 September 2026")) <= 300, key
            assert goal.interventions, key
            for item in goal.interventions:
                assert item.description and item.responsible and item.frequency, key


def test_every_reference_in_the_client_list_resolves():
    staff = {spec.username: spec for spec in data.STAFF}
    programs = {spec.code for spec in data.PROGRAMS}
    for client in data.CLIENTS:
        assert client.sex in SexAtBirth.values, client.key
        for person in client.related:
            assert person.relationship in Relationship.values, client.key
        for flag in client.flags:
            assert flag.kind in FlagKind.values, client.key
        for enrolment in client.enrolments:
            assert enrolment.program in programs, client.key
            assert enrolment.program in staff[enrolment.care_manager].programs, client.key
            assert set(enrolment.problems) <= set(data.PROBLEMS), client.key
            if enrolment.status == EnrolmentStatus.DISCHARGED:
                assert enrolment.ended is not None and enrolment.discharge_reason, client.key
        for task in client.tasks or ():
            assert not task.goal_of or any(task.goal_of in e.problems for e in client.enrolments), (
                client.key
            )


def test_client_keys_and_usernames_are_unique_and_supervisors_come_first():
    assert max(Counter(client.key for client in data.CLIENTS).values()) == 1
    seen: set[str] = set()
    for spec in data.STAFF:
        assert spec.username not in seen
        assert spec.supervisor is None or spec.supervisor in seen, spec.username
        seen.add(spec.username)
    assert data.MARKER_USERNAME in seen


def test_no_care_manager_is_given_more_clients_than_their_cap():
    levels = {spec.username: spec.career_level for spec in data.STAFF}
    load = Counter(
        enrolment.care_manager
        for client in data.CLIENTS
        for enrolment in client.enrolments
        if enrolment.status != EnrolmentStatus.DISCHARGED
    )
    for username, count in load.items():
        assert count <= CASELOAD_CAPS[levels[username]], username
    assert levels["maya"] == levels["tomas"] == CareerLevel.JUNIOR
