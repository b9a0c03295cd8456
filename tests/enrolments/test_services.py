"""Enrolment services: the status machine (every pair of statuses), assignment rules, caps,
reassignment, acuity and the care team."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from caseload.access import policies
from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from caseload.enrolments import services
from caseload.enrolments.models import (
    CareTeamMember,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db

STATUSES = [s.value for s in EnrolmentStatus]
ALLOWED = {
    ("referred", "active"),
    ("referred", "discharged"),
    ("active", "on_hold"),
    ("active", "discharged"),
    ("on_hold", "active"),
    ("on_hold", "discharged"),
}
LABELS = {s.value: str(s.label).lower() for s in EnrolmentStatus}


def test_transition_table_is_exactly_the_documented_machine():
    table = {(a, b) for a, targets in services.ALLOWED_TRANSITIONS.items() for b in targets}
    assert table == ALLOWED
    assert set(services.ALLOWED_TRANSITIONS) == set(STATUSES)
    assert services.ALLOWED_TRANSITIONS["discharged"] == frozenset()


def _enrolment(org, status: str) -> Enrolment:
    client = factories.ClientFactory()
    return factories.EnrolmentFactory(
        client=client,
        program=org.geriatric,
        care_manager=org.junior,
        status=status,
        started_on=None if status == "referred" else clock.today() - dt.timedelta(days=30),
        ended_on=clock.today() - dt.timedelta(days=1) if status == "discharged" else None,
        discharge_reason="goals_met" if status == "discharged" else "",
    )


@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED))
def test_allowed_transition_changes_status_and_records_event_and_audit(org, from_status, to_status):
    enrolment = _enrolment(org, from_status)
    updated = services.enrolment_transition(
        actor=org.junior,
        enrolment=enrolment,
        to_status=to_status,
        reason="Agreed at home visit",
        discharge_reason="goals_met" if to_status == "discharged" else "",
        expected_version=enrolment.version,
    )
    enrolment.refresh_from_db()
    assert enrolment.status == to_status == updated.status
    assert enrolment.version == 2
    event = EnrolmentEvent.objects.get(enrolment=enrolment)
    assert (event.kind, event.from_value, event.to_value) == ("status", from_status, to_status)
    assert (event.reason, event.actor) == ("Agreed at home visit", org.junior)
    audit = AuditEvent.objects.get(action="enrolment.transitioned", target_id=str(enrolment.pk))
    assert audit.client_id == enrolment.client_id
    assert audit.detail["from"] == from_status and audit.detail["to"] == to_status
    if to_status == "active":
        assert enrolment.started_on is not None
    if to_status == "discharged":
        assert enrolment.ended_on == clock.today()
        assert enrolment.discharge_reason == "goals_met"
        assert enrolment.discharge_note == "Agreed at home visit"
    else:
        assert enrolment.ended_on is None


FORBIDDEN = sorted(set(itertools.product(STATUSES, STATUSES)) - ALLOWED)


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN)
def test_forbidden_transition_is_refused_naming_the_allowed_ones(org, from_status, to_status):
    enrolment = _enrolment(org, from_status)
    with pytest.raises(Conflict) as caught:
        services.enrolment_transition(
            actor=org.junior,
            enrolment=enrolment,
            to_status=to_status,
            reason="Trying",
            discharge_reason="goals_met",
            expected_version=enrolment.version,
        )
    assert caught.value.code == "transition_not_allowed"
    allowed = services.ALLOWED_TRANSITIONS[from_status]
    for target in allowed:
        assert LABELS[target] in caught.value.message
    if not allowed:
        assert "final" in caught.value.message
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.version) == (from_status, 1)
    assert not EnrolmentEvent.objects.filter(enrolment=enrolment).exists()
    assert not AuditEvent.objects.filter(action="enrolment.transitioned").exists()


def test_every_pair_of_statuses_is_covered():
    assert len(ALLOWED) + len(FORBIDDEN) == len(STATUSES) ** 2


def test_discharge_needs_a_discharge_reason(org):
    enrolment = _enrolment(org, "active")
    with pytest.raises(ValidationFailed) as caught:
        services.enrolment_transition(
            actor=org.junior,
            enrolment=enrolment,
            to_status="discharged",
            reason="Moving away",
            expected_version=1,
        )
    assert "discharge_reason" in caught.value.field_errors
    enrolment.refresh_from_db()
    assert enrolment.status == "active"


def test_transition_needs_a_reason(org):
    enrolment = _enrolment(org, "referred")
    with pytest.raises(ValidationFailed) as caught:
        services.enrolment_transition(
            actor=org.junior,
            enrolment=enrolment,
            to_status="active",
            reason="  ",
            expected_version=1,
        )
    assert caught.value.field_errors == {"reason": ["Say why the status is changing."]}


def test_transition_with_stale_version_is_a_conflict_and_changes_nothing(org):
    enrolment = _enrolment(org, "referred")
    services.enrolment_transition(
        actor=org.junior,
        enrolment=enrolment,
        to_status="active",
        reason="Agreed",
        expected_version=1,
    )
    with pytest.raises(Conflict) as caught:
        services.enrolment_transition(
            actor=org.supervisor,
            enrolment=enrolment,
            to_status="discharged",
            reason="Declined",
            discharge_reason="declined",
            expected_version=1,
        )
    assert caught.value.code == "stale"
    enrolment.refresh_from_db()
    assert enrolment.status == "active"


def test_resuming_from_hold_keeps_the_original_start_date(org):
    enrolment = _enrolment(org, "on_hold")
    started = enrolment.started_on
    services.enrolment_transition(
        actor=org.junior,
        enrolment=enrolment,
        to_status="active",
        reason="Back home",
        expected_version=1,
    )
    enrolment.refresh_from_db()
    assert enrolment.started_on == started


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("junior", "ok"),  # own case
        ("supervisor", "ok"),  # supervises the care manager
        ("senior", "ok"),  # leads the program
        ("director", "ok"),
        ("other_cm", NotFound),  # cannot see the client
        ("senior_other", NotFound),  # leads another program
        ("admin", NotFound),
    ],
)
def test_who_may_change_an_enrolments_status(org, who, outcome):
    enrolment = org.junior_client.enrolments.get()
    actor = org.users()[who]
    if outcome == "ok":
        services.enrolment_transition(
            actor=actor,
            enrolment=enrolment,
            to_status="on_hold",
            reason="Hospitalised",
            expected_version=enrolment.version,
        )
        enrolment.refresh_from_db()
        assert enrolment.status == "on_hold"
    else:
        with pytest.raises(outcome):
            services.enrolment_transition(
                actor=actor,
                enrolment=enrolment,
                to_status="on_hold",
                reason="Hospitalised",
                expected_version=enrolment.version,
            )


def test_care_team_member_sees_the_client_but_cannot_change_the_enrolment(org):
    enrolment = org.other_client.enrolments.get()
    factories.CareTeamMemberFactory(enrolment=enrolment, staff=org.junior, external_name="")
    assert policies.client_in_scope(org.junior, org.other_client.pk)
    with pytest.raises(PermissionDenied):
        services.enrolment_transition(
            actor=org.junior,
            enrolment=enrolment,
            to_status="on_hold",
            reason="x",
            expected_version=enrolment.version,
        )


# --- enrolment_create -------------------------------------------------------------------------


def test_enrolment_create_starts_referred_with_event_and_audit(org):
    enrolment = services.enrolment_create(
        actor=org.junior,
        client=org.junior_client,
        program=org.chronic,
        care_manager=org.junior,
        acuity=3,
        referred_on=clock.today(),
        referral_source="Dr. Park",
    )
    assert (enrolment.status, enrolment.acuity, enrolment.care_manager) == (
        "referred",
        3,
        org.junior,
    )
    event = enrolment.events.get()
    assert (event.from_value, event.to_value, event.actor) == ("", "referred", org.junior)
    assert AuditEvent.objects.filter(
        action="enrolment.created", client=org.junior_client, target_id=str(enrolment.pk)
    ).exists()


@pytest.mark.parametrize(
    ("who", "care_manager", "program", "allowed"),
    [
        ("junior", "junior", "geriatric", True),
        ("junior", "supervisor", "geriatric", False),
        ("supervisor", "junior", "geriatric", False),
        ("supervisor", "supervisor", "geriatric", True),
        ("senior", "supervisor", "geriatric", True),
        ("senior", "other_cm", "chronic", False),
        ("senior_other", "other_cm", "chronic", True),
        ("director", "other_cm", "geriatric", True),
    ],
)
def test_who_may_assign_which_care_manager(org, who, care_manager, program, allowed):
    users = org.users()
    client = factories.ClientFactory()
    # The client must be visible to the actor: give them an enrolment in a third program.
    factories.EnrolmentFactory(
        client=client,
        care_manager=users[who] if who != "director" else org.junior,
        program=factories.ProgramFactory(code="third"),
    )
    kwargs = {
        "actor": users[who],
        "client": client,
        "program": getattr(org, program),
        "care_manager": users[care_manager],
        "referred_on": clock.today(),
    }
    if allowed:
        enrolment = services.enrolment_create(**kwargs)
        assert enrolment.care_manager == users[care_manager]
    else:
        with pytest.raises(PermissionDenied):
            services.enrolment_create(**kwargs)
        assert not Enrolment.objects.filter(client=client, program=getattr(org, program)).exists()


def test_enrolment_refused_when_care_manager_reached_caseload_cap(org):
    org.junior.caseload_cap_override = 1
    org.junior.save()
    with pytest.raises(ValidationFailed) as caught:
        services.enrolment_create(
            actor=org.junior,
            client=org.junior_client,
            program=org.chronic,
            care_manager=org.junior,
        )
    assert caught.value.code == "caseload_cap_reached"
    assert "caseload cap of 1" in caught.value.field_errors["care_manager"][0]
    assert org.junior_client.enrolments.count() == 1


def test_discharged_enrolments_do_not_count_toward_the_cap(org):
    org.junior.caseload_cap_override = 1
    org.junior.save()
    enrolment = org.junior_client.enrolments.get()
    services.enrolment_transition(
        actor=org.junior,
        enrolment=enrolment,
        to_status="discharged",
        reason="Goals met",
        discharge_reason="goals_met",
        expected_version=1,
    )
    services.enrolment_create(
        actor=org.junior, client=org.junior_client, program=org.chronic, care_manager=org.junior
    )
    assert services.open_enrolment_count(org.junior) == 1


def test_second_open_enrolment_in_same_program_is_refused(org):
    with pytest.raises(ValidationFailed) as caught:
        services.enrolment_create(
            actor=org.junior,
            client=org.junior_client,
            program=org.geriatric,
            care_manager=org.junior,
        )
    assert caught.value.code == "already_enrolled"
    assert "program" in caught.value.field_errors


def test_client_may_be_enrolled_again_after_discharge(org):
    enrolment = org.junior_client.enrolments.get()
    services.enrolment_transition(
        actor=org.junior,
        enrolment=enrolment,
        to_status="discharged",
        reason="Moved",
        discharge_reason="moved",
        expected_version=1,
    )
    again = services.enrolment_create(
        actor=org.junior, client=org.junior_client, program=org.geriatric, care_manager=org.junior
    )
    assert again.status == "referred"


def test_enrolling_a_client_out_of_scope_is_not_found(org):
    with pytest.raises(NotFound):
        services.enrolment_create(
            actor=org.junior,
            client=org.other_client,
            program=org.geriatric,
            care_manager=org.junior,
        )


def test_referral_date_cannot_be_in_the_future(org):
    with pytest.raises(ValidationFailed) as caught:
        services.enrolment_create(
            actor=org.junior,
            client=org.junior_client,
            program=org.chronic,
            care_manager=org.junior,
            referred_on=clock.today() + dt.timedelta(days=1),
        )
    assert "referred_on" in caught.value.field_errors


def test_inactive_program_takes_no_enrolments(org):
    org.chronic.is_active = False
    org.chronic.save()
    with pytest.raises(ValidationFailed) as caught:
        services.enrolment_create(
            actor=org.junior,
            client=org.junior_client,
            program=org.chronic,
            care_manager=org.junior,
        )
    assert "program" in caught.value.field_errors


# --- reassignment -----------------------------------------------------------------------------


def test_senior_reassigns_case_in_their_program(org):
    enrolment = org.junior_client.enrolments.get()
    services.enrolment_reassign(
        actor=org.senior,
        enrolment=enrolment,
        care_manager=org.supervisor,
        reason="Maya is on leave",
        expected_version=1,
    )
    enrolment.refresh_from_db()
    assert enrolment.care_manager == org.supervisor
    assert enrolment.version == 2
    event = enrolment.events.get()
    assert event.kind == "reassigned" and event.reason == "Maya is on leave"
    audit = AuditEvent.objects.get(action="enrolment.reassigned")
    assert audit.detail == {
        "from_care_manager_id": org.junior.pk,
        "to_care_manager_id": org.supervisor.pk,
    }


@pytest.mark.parametrize(
    ("who", "error"),
    [("supervisor", PermissionDenied), ("junior", PermissionDenied), ("senior_other", NotFound)],
)
def test_only_seniors_of_the_program_and_directors_reassign(org, who, error):
    enrolment = org.junior_client.enrolments.get()
    with pytest.raises(error):
        services.enrolment_reassign(
            actor=org.users()[who],
            enrolment=enrolment,
            care_manager=org.supervisor,
            reason="x",
            expected_version=enrolment.version,
        )
    enrolment.refresh_from_db()
    assert enrolment.care_manager == org.junior


def test_reassignment_respects_the_new_care_managers_cap(org):
    org.supervisor.caseload_cap_override = 1
    org.supervisor.save()
    enrolment = org.junior_client.enrolments.get()
    with pytest.raises(ValidationFailed) as caught:
        services.enrolment_reassign(
            actor=org.director,
            enrolment=enrolment,
            care_manager=org.supervisor,
            reason="x",
            expected_version=enrolment.version,
        )
    assert "caseload cap of 1" in caught.value.message


def test_discharged_enrolment_cannot_be_reassigned(org):
    enrolment = _enrolment(org, "discharged")
    with pytest.raises(Conflict):
        services.enrolment_reassign(
            actor=org.director,
            enrolment=enrolment,
            care_manager=org.supervisor,
            reason="x",
            expected_version=enrolment.version,
        )


# --- acuity -----------------------------------------------------------------------------------


def test_acuity_change_records_event_and_audit(org):
    enrolment = org.junior_client.enrolments.get()
    services.enrolment_set_acuity(
        actor=org.junior,
        enrolment=enrolment,
        acuity=4,
        reason="Fell twice",
        expected_version=1,
    )
    enrolment.refresh_from_db()
    assert enrolment.acuity == 4
    event = enrolment.events.get()
    assert (event.kind, event.from_value, event.to_value) == ("acuity", "Moderate", "Intensive")
    assert AuditEvent.objects.filter(action="enrolment.acuity_set").count() == 1


def test_setting_the_same_acuity_records_nothing(org):
    enrolment = org.junior_client.enrolments.get()
    services.enrolment_set_acuity(
        actor=org.junior,
        enrolment=enrolment,
        acuity=enrolment.acuity,
        expected_version=enrolment.version,
    )
    assert not enrolment.events.exists()
    assert not AuditEvent.objects.filter(action="enrolment.acuity_set").exists()


# --- care team --------------------------------------------------------------------------------


def test_adding_staff_to_the_care_team_gives_them_access(org):
    enrolment = org.junior_client.enrolments.get()
    assert not policies.client_in_scope(org.other_cm, org.junior_client.pk)
    member = services.care_team_add(
        actor=org.junior, enrolment=enrolment, staff=org.other_cm, role="Diabetes educator"
    )
    assert policies.client_in_scope(org.other_cm, org.junior_client.pk)
    assert AuditEvent.objects.filter(
        action="care_team_member.added", target_id=str(member.pk), client=org.junior_client
    ).exists()
    services.care_team_end(actor=org.junior, member=member)
    member.refresh_from_db()
    assert (member.is_active, member.ended_on) == (False, clock.today())
    assert not policies.client_in_scope(org.other_cm, org.junior_client.pk)
    assert AuditEvent.objects.filter(action="care_team_member.ended").count() == 1


def test_external_care_team_member(org):
    enrolment = org.junior_client.enrolments.get()
    member = services.care_team_add(
        actor=org.junior,
        enrolment=enrolment,
        external_name="Dr. Ada Park",
        external_organisation="Riverside Primary Care",
        role="Primary care physician",
        phone="555-0101",
    )
    assert member.name == "Dr. Ada Park" and member.staff is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "Nurse"}, "staff"),
        ({"role": ""}, "role"),
        ({"role": "Nurse", "external_name": "Ann\x00"}, "external_name"),
    ],
)
def test_care_team_member_needs_a_person_and_a_role(org, kwargs, field):
    enrolment = org.junior_client.enrolments.get()
    with pytest.raises(ValidationFailed) as caught:
        services.care_team_add(actor=org.junior, enrolment=enrolment, **kwargs)
    assert field in caught.value.field_errors
    assert not CareTeamMember.objects.exists()


def test_care_team_member_cannot_be_both_staff_and_external(org):
    enrolment = org.junior_client.enrolments.get()
    with pytest.raises(ValidationFailed) as caught:
        services.care_team_add(
            actor=org.junior,
            enrolment=enrolment,
            staff=org.other_cm,
            external_name="Ann",
            role="Nurse",
        )
    assert "external_name" in caught.value.field_errors


def test_same_staff_member_cannot_join_twice(org):
    enrolment = org.junior_client.enrolments.get()
    services.care_team_add(actor=org.junior, enrolment=enrolment, staff=org.other_cm, role="x")
    with pytest.raises(ValidationFailed):
        services.care_team_add(actor=org.junior, enrolment=enrolment, staff=org.other_cm, role="y")


def test_ending_a_membership_twice_is_a_conflict(org):
    enrolment = org.junior_client.enrolments.get()
    member = services.care_team_add(
        actor=org.junior, enrolment=enrolment, external_name="Ann", role="Nurse"
    )
    services.care_team_end(actor=org.junior, member=member)
    with pytest.raises(Conflict):
        services.care_team_end(actor=org.junior, member=member)


def test_staff_with_a_cap_of_zero_carry_no_caseload(org):
    """Directors' default cap is 0 (staff.models.CASELOAD_CAPS): they assign, they do not carry."""
    with pytest.raises(ValidationFailed) as caught:
        services.enrolment_create(
            actor=org.director,
            client=org.junior_client,
            program=org.chronic,
            care_manager=org.director,
        )
    assert "does not carry a caseload" in caught.value.field_errors["care_manager"][0]
