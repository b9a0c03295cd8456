"""Staff privileges through /admin/, as people use it: the IT administrator cannot make himself a
director (the probe of issue 10), a director can make a care manager senior, refusals are
messages and audit events, and every admin action of every kind lands in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.audit.admin import AuditedAdminMixin
from caseload.audit.models import AuditEvent
from caseload.enrolments.models import Program
from caseload.staff.models import CareerLevel, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(org: Any) -> User:
    """The demo's IT administrator: administrator, staff and superuser, no career level."""
    org.admin.is_superuser = True
    org.admin.save()
    return org.admin  # type: ignore[no-any-return]


def _change_url(user: User) -> str:
    return reverse("admin:staff_user_change", args=[user.pk])


def _form(user: User, **changes: Any) -> dict[str, Any]:
    """The change form as the admin page posts it, with ``changes`` made."""
    values: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": user.job_title,
        "phone": user.phone,
        "languages": user.languages,
        "career_level": user.career_level,
        "supervisor": user.supervisor_id or "",
        "programs": [str(pk) for pk in user.programs.values_list("pk", flat=True)],
        "caseload_cap_override": user.caseload_cap_override or "",
        "is_privacy_officer": user.is_privacy_officer,
        "is_administrator": user.is_administrator,
        "is_active": user.is_active,
        "reason": "",
    }
    values.update(changes)
    return {
        name: ("on" if value is True else value)
        for name, value in values.items()
        if value is not False
    }


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_it_administrator_cannot_make_himself_a_director(
    org: Any, sam: User, login: Any
) -> None:
    http = login(sam)
    response = http.post(_change_url(sam), _form(sam, career_level=CareerLevel.DIRECTOR))
    assert response.status_code == 302
    page = http.get(response["Location"])
    assert page.status_code == 200
    assert any("cannot change your own career level" in m for m in _messages(page))
    sam.refresh_from_db()
    assert sam.career_level == ""
    refusal = AuditEvent.objects.get(action="admin.refused")
    assert (refusal.actor_id, refusal.target_id) == (sam.pk, str(sam.pk))
    assert refusal.detail["code"] == "own_privileges"
    assert not AuditEvent.objects.filter(action__startswith="staff.").exists()
    # ... and so still opens no client chart.
    chart = http.get(reverse("clients:chart", args=[org.junior_client.pk]))
    assert chart.status_code == 404


def test_the_it_administrator_cannot_raise_anyone_to_client_records(
    org: Any, sam: User, login: Any
) -> None:
    http = login(sam)
    for user, change in [
        (org.other_cm, {"career_level": CareerLevel.SENIOR}),
        (org.privacy, {"career_level": CareerLevel.JUNIOR}),
        (org.other_cm, {"programs": [str(org.chronic.pk), str(org.geriatric.pk)]}),
        (org.other_cm, {"supervisor": str(org.senior.pk)}),
        (org.other_cm, {"is_privacy_officer": True}),
    ]:
        before = User.objects.get(pk=user.pk).career_level
        response = http.post(_change_url(user), _form(user, **change))
        assert response.status_code == 302, change
        assert "Only a director" in " ".join(_messages(http.get(response["Location"])))
        assert User.objects.get(pk=user.pk).career_level == before
    assert AuditEvent.objects.filter(action="admin.refused").count() == 5
    assert not AuditEvent.objects.filter(action__startswith="staff.").exists()


def test_a_director_makes_a_care_manager_senior_and_it_shows_in_the_audit_search(
    org: Any, login: Any
) -> None:
    http = login(org.director)
    response = http.post(
        _change_url(org.other_cm),
        _form(org.other_cm, career_level=CareerLevel.SENIOR, reason="Leads chronic care now"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:staff_user_changelist")
    org.other_cm.refresh_from_db()
    assert org.other_cm.career_level == CareerLevel.SENIOR
    event = AuditEvent.objects.get(action="staff.career_level_changed")
    assert event.actor_id == org.director.pk
    assert event.detail == {
        "before": "care_manager",
        "after": "senior",
        "reason": "Leads chronic care now",
    }
    assert AuditEvent.objects.filter(action="admin.changed", target_id=str(org.other_cm.pk))

    search = login(org.privacy).get(reverse("audit:search"), {"action": "staff."})
    rows = search.content.decode().split("<tbody>")[1]
    assert "staff.career_level_changed" in rows and "director" in rows


def test_the_administrator_still_runs_accounts(org: Any, sam: User, login: Any) -> None:
    http = login(sam)
    response = http.post(
        reverse("admin:staff_user_add"),
        {
            "username": "newhire",
            "usable_password": "true",
            "password1": "Corr3ct-horse-battery",
            "password2": "Corr3ct-horse-battery",
        },
    )
    assert response.status_code == 302
    newhire = User.objects.get(username="newhire")
    assert newhire.career_level == "" and newhire.check_password("Corr3ct-horse-battery")
    assert AuditEvent.objects.filter(action="staff.created", target_id=str(newhire.pk))
    assert AuditEvent.objects.filter(action="admin.added", target_id=str(newhire.pk))

    # Their client handed on first: an account with open enrolments is not deactivated
    # (tests/team/test_deactivation.py).
    org.other_client.enrolments.update(care_manager=org.senior_other)
    response = http.post(
        _change_url(org.other_cm), _form(org.other_cm, first_name="Renamed", is_active=False)
    )
    assert response.status_code == 302
    org.other_cm.refresh_from_db()
    assert (org.other_cm.first_name, org.other_cm.is_active) == ("Renamed", False)
    assert {"staff.profile_changed", "staff.active_changed"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_password_resets_follow_the_rule_and_never_record_the_password(
    org: Any, sam: User, login: Any
) -> None:
    http = login(sam)
    url = reverse("admin:auth_user_password_change", args=[org.other_cm.pk])
    data = {"password1": "Fresh-passphrase-42", "password2": "Fresh-passphrase-42"}
    data["usable_password"] = "true"
    data["set-password"] = "1"
    response = http.post(url, data)
    assert response.status_code == 302
    assert User.objects.get(pk=org.other_cm.pk).check_password("Fresh-passphrase-42")
    event = AuditEvent.objects.get(action="staff.password_set")
    assert "Fresh-passphrase-42" not in str(event.detail)

    refused = http.post(reverse("admin:auth_user_password_change", args=[org.director.pk]), data)
    assert refused.status_code == 302
    assert not User.objects.get(pk=org.director.pk).check_password("Fresh-passphrase-42")
    assert AuditEvent.objects.filter(action="admin.refused", target_id=str(org.director.pk))


def test_two_factor_secrets_are_not_shown_and_devices_are_not_added_in_the_admin(
    org: Any, sam: User, login: Any
) -> None:
    device = TOTPDevice.objects.create(user=org.director, name="phone", confirmed=True)
    http = login(sam)
    page = http.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    config = http.get(reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk}))
    assert config.status_code == 403
    assert http.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    deleted = http.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.get(action="admin.refused").detail["model"] == "otp_totp.totpdevice"
    assert not AuditEvent.objects.filter(action="admin.deleted").exists()


def test_every_admin_page_is_audited(org: Any) -> None:
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdminMixin)
    ]
    assert unaudited == []


def test_admin_additions_changes_and_deletions_of_every_kind_are_audited(
    org: Any, sam: User, login: Any
) -> None:
    http = login(sam)
    response = http.post(
        reverse("admin:enrolments_program_add"),
        {
            "name": "Transitions",
            "code": "transitions",
            "kind": org.geriatric.kind,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    program = Program.objects.get(code="transitions")
    response = http.post(
        reverse("admin:enrolments_program_change", args=[program.pk]),
        {"name": "Care transitions", "code": "transitions", "kind": program.kind},
    )
    assert response.status_code == 302
    response = http.post(
        reverse("admin:enrolments_program_delete", args=[program.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    events = AuditEvent.objects.filter(target_id=str(program.pk)).order_by("sequence")
    assert [e.action for e in events] == ["admin.added", "admin.changed", "admin.deleted"]
    assert events[1].detail["change"] == [{"changed": {"fields": ["Name", "Is active"]}}]
    assert {e.actor_id for e in events} == {sam.pk}


def test_a_clinician_without_rights_does_not_reach_the_staff_admin(org: Any) -> None:
    http = HttpClient()
    http.force_login(org.senior)
    assert http.get(reverse("admin:staff_user_changelist")).status_code == 302
    response = http.post(_change_url(org.other_cm), _form(org.other_cm, career_level="director"))
    assert response.status_code == 302
    assert User.objects.get(pk=org.other_cm.pk).career_level == CareerLevel.CARE_MANAGER
