"""Who may grant what on a staff account: one test per row of the rule table in
docs/security.md, for the roles it allows and the ones it refuses. An allowed change is saved and
audited with its before and after; a refused one changes nothing and records nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.access import services
from caseload.audit.models import AuditEvent
from caseload.core.errors import PermissionDenied, ValidationFailed
from caseload.enrolments.models import Enrolment
from caseload.staff.models import CareerLevel, User
from tests import factories

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Row:
    """One rule: ``change(actor, target, org)`` performed by ``actor`` on ``target`` (roles of
    the org fixture, or "self"), leaving ``event`` in the audit when allowed."""

    name: str
    change: Callable[[User, User, Any], Any]
    event: str
    allowed: tuple[str, ...]
    refused: tuple[str, ...]
    target: str = "other_cm"


def _level(level: str) -> Callable[[User, User, Any], Any]:
    return lambda actor, user, org: services.staff_set_career_level(
        actor=actor, user=user, level=level, reason="Test"
    )


def _active(active: bool) -> Callable[[User, User, Any], Any]:
    def change(actor: User, user: User, org: Any) -> Any:
        # An account with open enrolments is not deactivated until they are reassigned
        # (tests/team/test_deactivation.py): the target's clients are handed on first.
        Enrolment.objects.filter(care_manager=user).update(care_manager=org.senior_other)
        return services.staff_set_active(actor=actor, user=user, active=active)

    return change


ROWS = [
    Row(
        "profile of someone else",
        lambda a, u, o: services.staff_update_profile(actor=a, user=u, changes={"phone": "555"}),
        "staff.profile_changed",
        allowed=("admin", "director"),
        refused=("senior", "privacy", "supervisor"),
    ),
    Row(
        "username",
        lambda a, u, o: services.staff_rename(actor=a, user=u, username="renamed"),
        "staff.username_changed",
        allowed=("admin",),
        refused=("director", "senior"),
    ),
    Row(
        "raise a career level",
        _level(CareerLevel.SENIOR),
        "staff.career_level_changed",
        allowed=("director",),
        refused=("admin", "senior", "privacy"),
    ),
    Row(
        "give a first clinical level",
        _level(CareerLevel.JUNIOR),
        "staff.career_level_changed",
        allowed=("director",),
        refused=("admin",),
        target="privacy",
    ),
    Row(
        "make a director",
        _level(CareerLevel.DIRECTOR),
        "staff.career_level_changed",
        allowed=("director",),
        refused=("admin", "senior"),
    ),
    Row(
        "take director away",
        _level(CareerLevel.SENIOR),
        "staff.career_level_changed",
        allowed=(),
        refused=("admin", "senior"),
        target="director",
    ),
    Row(
        "lower a career level",
        _level(CareerLevel.JUNIOR),
        "staff.career_level_changed",
        allowed=("admin", "director"),
        refused=("senior", "supervisor", "privacy"),
    ),
    Row(
        "grant privacy-officer rights",
        lambda a, u, o: services.staff_set_privacy_officer(actor=a, user=u, value=True),
        "staff.privacy_officer_changed",
        allowed=("director",),
        refused=("admin", "privacy", "senior"),
    ),
    Row(
        "take privacy-officer rights away",
        lambda a, u, o: services.staff_set_privacy_officer(actor=a, user=u, value=False),
        "staff.privacy_officer_changed",
        allowed=("director",),
        refused=("admin",),
        target="privacy",
    ),
    Row(
        "grant administrator rights",
        lambda a, u, o: services.staff_set_administrator(actor=a, user=u, value=True),
        "staff.administrator_changed",
        allowed=("admin",),
        refused=("director", "senior", "privacy"),
    ),
    Row(
        "add to a program",
        lambda a, u, o: services.staff_set_programs(
            actor=a, user=u, programs=[o.chronic, o.geriatric]
        ),
        "staff.programs_changed",
        allowed=("director",),
        refused=("admin", "senior", "senior_other"),
    ),
    Row(
        "take out of a program",
        lambda a, u, o: services.staff_set_programs(actor=a, user=u, programs=[]),
        "staff.programs_changed",
        allowed=("admin", "director"),
        refused=("senior_other", "privacy"),
    ),
    Row(
        "name a supervisor",
        lambda a, u, o: services.staff_set_supervisor(actor=a, user=u, supervisor=o.senior),
        "staff.supervisor_changed",
        allowed=("director",),
        refused=("admin", "senior", "privacy"),
    ),
    Row(
        "remove a supervisor",
        lambda a, u, o: services.staff_set_supervisor(actor=a, user=u, supervisor=None),
        "staff.supervisor_changed",
        allowed=("admin", "director"),
        refused=("senior", "supervisor"),
        target="junior",
    ),
    Row(
        "caseload cap",
        lambda a, u, o: services.staff_set_caseload_cap(actor=a, user=u, cap=10),
        "staff.caseload_cap_changed",
        allowed=("director",),
        refused=("admin", "senior"),
    ),
    Row(
        "deactivate",
        _active(False),
        "staff.active_changed",
        allowed=("admin", "director"),
        refused=("senior", "privacy"),
    ),
    Row(
        "reset a password",
        lambda a, u, o: services.staff_set_password(actor=a, user=u, password="N3w-passphrase!"),
        "staff.password_set",
        allowed=("admin", "director"),
        refused=("senior", "privacy", "supervisor"),
    ),
    Row(
        "reset a director's password",
        lambda a, u, o: services.staff_set_password(actor=a, user=u, password="N3w-passphrase!"),
        "staff.password_set",
        allowed=(),
        refused=("admin", "senior"),
        target="director",
    ),
    Row(
        "reset a privacy officer's password",
        lambda a, u, o: services.staff_set_password(actor=a, user=u, password="N3w-passphrase!"),
        "staff.password_set",
        allowed=("director",),
        refused=("admin",),
        target="privacy",
    ),
]


def _snapshot(user: User) -> tuple[Any, ...]:
    user = User.objects.get(pk=user.pk)
    return (
        user.username,
        user.phone,
        user.career_level,
        user.is_privacy_officer,
        user.is_administrator,
        user.supervisor_id,
        user.caseload_cap_override,
        user.is_active,
        user.password,
        tuple(sorted(str(pk) for pk in user.programs.values_list("pk", flat=True))),
    )


def _cases() -> list[Any]:
    return [
        pytest.param(
            row, role, allowed, id=f"{row.name}-{role}-{'allowed' if allowed else 'refused'}"
        )
        for row in ROWS
        for allowed, roles in ((True, row.allowed), (False, row.refused))
        for role in roles
    ]


@pytest.mark.parametrize(("row", "role", "allowed"), _cases())
def test_rule_table(org: Any, row: Row, role: str, allowed: bool) -> None:
    actor = org.users()[role]
    target = org.users()[row.target]
    other_director = factories.UserFactory(username="director-2", career_level=CareerLevel.DIRECTOR)
    if row.name == "take director away":  # a director's target is another director
        target = other_director
    before = _snapshot(target)
    if allowed:
        row.change(actor, User.objects.get(pk=target.pk), org)
        assert _snapshot(target) != before
        event = AuditEvent.objects.get(action=row.event, target_id=str(target.pk))
        assert event.actor_id == actor.pk
        if row.event.endswith("_changed"):
            assert event.detail["before"] != event.detail["after"]
    else:
        with pytest.raises(PermissionDenied):
            row.change(actor, User.objects.get(pk=target.pk), org)
        assert _snapshot(target) == before
        assert not AuditEvent.objects.filter(action__startswith="staff.").exists()


def test_a_director_takes_director_rights_from_another_director(org: Any) -> None:
    other = factories.UserFactory(username="director-2", career_level=CareerLevel.DIRECTOR)
    services.staff_set_career_level(actor=org.director, user=other, level=CareerLevel.SENIOR)
    event = AuditEvent.objects.get(action="staff.career_level_changed")
    assert event.detail == {"before": "director", "after": "senior"}


def _other_level(user: User) -> str:
    return CareerLevel.SENIOR if user.career_level == CareerLevel.DIRECTOR else CareerLevel.DIRECTOR


OWN_CHANGES: list[tuple[str, Callable[[User, Any], Any]]] = [
    (
        "career level",
        lambda u, o: services.staff_set_career_level(actor=u, user=u, level=_other_level(u)),
    ),
    (
        "privacy officer",
        lambda u, o: services.staff_set_privacy_officer(
            actor=u, user=u, value=not u.is_privacy_officer
        ),
    ),
    (
        "administrator",
        lambda u, o: services.staff_set_administrator(
            actor=u, user=u, value=not u.is_administrator
        ),
    ),
    (
        "programs",
        lambda u, o: services.staff_set_programs(
            actor=u, user=u, programs=[o.chronic, o.geriatric]
        ),
    ),
    (
        "supervisor",
        lambda u, o: services.staff_set_supervisor(actor=u, user=u, supervisor=o.senior_other),
    ),
    ("caseload cap", lambda u, o: services.staff_set_caseload_cap(actor=u, user=u, cap=200)),
    ("deactivate", lambda u, o: services.staff_set_active(actor=u, user=u, active=False)),
    ("username", lambda u, o: services.staff_rename(actor=u, user=u, username="me-again")),
]


@pytest.mark.parametrize("role", ["admin", "director", "senior", "junior", "privacy"])
@pytest.mark.parametrize(("what", "change"), OWN_CHANGES, ids=[name for name, _ in OWN_CHANGES])
def test_nobody_changes_their_own_privileges(
    org: Any, role: str, what: str, change: Callable[[User, Any], Any]
) -> None:
    user = org.users()[role]
    user.caseload_cap_override = 5
    user.save()
    before = _snapshot(user)
    with pytest.raises(PermissionDenied) as refused:
        change(User.objects.get(pk=user.pk), org)
    assert refused.value.code == "own_privileges"
    assert _snapshot(user) == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["admin", "director", "junior", "privacy"])
def test_everyone_changes_their_own_profile_and_password(org: Any, role: str) -> None:
    user = org.users()[role]
    services.staff_update_profile(
        actor=user, user=user, changes={"phone": "555-0101", "languages": "English, Polish"}
    )
    services.staff_set_password(actor=user, user=user, password="An0ther-passphrase")
    user.refresh_from_db()
    assert (user.phone, user.languages) == ("555-0101", "English, Polish")
    assert user.check_password("An0ther-passphrase")
    assert AuditEvent.objects.get(action="staff.password_set").detail == {"own": True}


def test_only_an_administrator_creates_accounts_and_they_start_with_no_rights(org: Any) -> None:
    for role in ("director", "senior", "privacy"):
        with pytest.raises(PermissionDenied):
            services.staff_create(actor=org.users()[role], username="new", password="x" * 12)
    user = services.staff_create(actor=org.admin, username="new", password="Lo0ng-passphrase")
    assert (user.career_level, user.is_administrator, user.is_privacy_officer) == ("", False, False)
    assert (user.supervisor_id, user.programs.count(), user.is_active) == (None, 0, True)
    assert AuditEvent.objects.get(action="staff.created").actor_id == org.admin.pk


def test_reactivating_an_account_with_client_access_is_a_directors(org: Any) -> None:
    Enrolment.objects.filter(care_manager=org.other_cm).update(care_manager=org.senior_other)
    services.staff_set_active(actor=org.admin, user=org.other_cm, active=False)
    with pytest.raises(PermissionDenied, match="Only a director"):
        services.staff_set_active(actor=org.admin, user=org.other_cm, active=True)
    services.staff_set_active(actor=org.director, user=org.other_cm, active=True)
    second_admin = factories.UserFactory(username="admin-2", career_level="", is_active=False)
    services.staff_set_active(actor=org.admin, user=second_admin, active=True)
    assert User.objects.get(pk=second_admin.pk).is_active


def test_a_two_factor_device_of_someone_with_client_access_is_removed_by_a_director_only(
    org: Any,
) -> None:
    clinical = TOTPDevice.objects.create(user=org.other_cm, name="phone", confirmed=True)
    with pytest.raises(PermissionDenied):
        services.staff_remove_two_factor_device(actor=org.admin, device=clinical)
    services.staff_remove_two_factor_device(actor=org.director, device=clinical)
    second_admin = factories.UserFactory(username="admin-2", career_level="", is_administrator=True)
    theirs = TOTPDevice.objects.create(user=second_admin, name="phone", confirmed=True)
    services.staff_remove_two_factor_device(actor=org.admin, device=theirs)
    assert not TOTPDevice.objects.exists()
    assert AuditEvent.objects.filter(action="staff.two_factor_removed").count() == 2


def test_a_supervisor_is_senior_clinical_staff_and_never_in_a_circle(org: Any) -> None:
    with pytest.raises(ValidationFailed, match="circle"):
        services.staff_set_supervisor(
            actor=org.director, user=org.senior, supervisor=org.supervisor
        )
    with pytest.raises(ValidationFailed, match="care manager, senior or director"):
        services.staff_set_supervisor(actor=org.director, user=org.other_cm, supervisor=org.junior)


def test_one_edit_is_all_or_nothing(org: Any) -> None:
    before = _snapshot(org.other_cm)
    with pytest.raises(PermissionDenied):
        services.staff_update(
            actor=org.admin,
            user=org.other_cm,
            changes={"phone": "555", "career_level": CareerLevel.SENIOR},
        )
    assert _snapshot(org.other_cm) == before
    assert not AuditEvent.objects.exists()


def test_the_console_grants_the_first_director_and_administrator(org: Any) -> None:
    newcomer = factories.UserFactory(username="first", career_level="")
    call_command(
        "staff_grant",
        "first",
        "--career-level",
        "director",
        "--administrator",
        "--reason",
        "Go-live",
    )
    newcomer.refresh_from_db()
    assert (newcomer.career_level, newcomer.is_administrator, newcomer.is_staff) == (
        "director",
        True,
        True,
    )
    events = AuditEvent.objects.filter(target_id=str(newcomer.pk)).order_by("sequence")
    assert {e.action for e in events} == {
        "staff.career_level_changed",
        "staff.administrator_changed",
    }
    assert {e.actor_label for e in events} == {"caseload-system"}
    assert all(e.detail["reason"] == "Go-live" for e in events)
    with pytest.raises(CommandError, match="No account"):
        call_command("staff_grant", "nobody", "--administrator", "--reason", "x")
