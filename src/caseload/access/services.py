"""Writes about access: break the glass (opening a client outside one's scope, and reviewing
that it was justified), and the privileges of staff accounts (who may see what).

Every change to a staff account's privileges is a clinical event: it goes through one service
here, with an actor, under the rule ``access.policies`` gives for it, and is written to the
hash-chained audit as ``staff.<what>_changed`` with the value before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from caseload.access import policies
from caseload.access.models import BreakGlassGrant
from caseload.audit.services import audit_record
from caseload.core import clock
from caseload.core.errors import NotFound, PermissionDenied, ValidationFailed
from caseload.staff.models import CareerLevel, User
from caseload.staff.services import SYSTEM_USERNAME

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from caseload.enrolments.models import Program

MIN_REASON_LENGTH = 20


def break_glass_open(
    *, actor: User, mrn: str, family_name: str, date_of_birth: dt.date | None, reason: str
) -> BreakGlassGrant:
    """Grant ``actor`` time-limited access to one client found by MRN, or by name and birth date.

    Raises ValidationFailed for a missing reason or identifiers, NotFound when nothing matches.
    """
    from caseload.clients.models import Client

    if not policies.can_break_glass(actor):
        raise NotFound("Not found.")
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if len(reason) < MIN_REASON_LENGTH:
        errors["reason"] = [
            f"Say why you need this record now, in at least {MIN_REASON_LENGTH} characters."
        ]
    if not mrn.strip() and not (family_name.strip() and date_of_birth):
        errors["mrn"] = ["Enter the client's MRN, or their family name and date of birth."]
    if errors:
        raise ValidationFailed("Check the highlighted fields.", field_errors=errors)
    if mrn.strip():
        matches = Client.objects.filter(mrn=mrn.strip())
    else:
        assert date_of_birth is not None  # checked above  # noqa: S101
        matches = Client.objects.filter(
            family_name__iexact=family_name.strip(), date_of_birth=date_of_birth
        )
    found = list(matches[:2])
    if len(found) != 1:
        raise NotFound(
            "No single client matches. Check the MRN, or the family name and date of birth."
            if not found
            else "More than one client matches: use the MRN."
        )
    client = found[0]
    minutes = settings.BREAK_GLASS_MINUTES
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            client=client,
            reason=reason,
            expires_at=clock.now() + dt.timedelta(minutes=minutes),
        )
        audit_record(
            actor=actor,
            action="client.break_glass",
            target=grant,
            client=client,
            detail={"reason": reason, "minutes": minutes},
        )
    return grant


def break_glass_review(*, actor: User, grant: BreakGlassGrant, note: str) -> BreakGlassGrant:
    """Record that a supervisor or the privacy officer reviewed a break-the-glass access."""
    if (
        not BreakGlassGrant.objects.filter(
            policies.break_glass_reviewable_user_ids(actor), pk=grant.pk
        ).exists()
        or grant.user_id == actor.pk
    ):
        raise NotFound("Not found.")
    if grant.reviewed_at is not None:
        raise ValidationFailed("This access has already been reviewed.")
    if not note.strip():
        raise ValidationFailed(
            "Say what you concluded.", field_errors={"note": ["Enter your review note."]}
        )
    with transaction.atomic():
        grant.reviewed_by = actor
        grant.reviewed_at = clock.now()
        grant.review_note = note.strip()
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "updated_at"])
        audit_record(
            actor=actor,
            action="break_glass.reviewed",
            target=grant,
            client=grant.client,
            detail={"note": grant.review_note},
        )
    return grant


# --- Staff accounts and privileges ---------------------------------------------------------------

PROFILE_FIELDS = ("first_name", "last_name", "email", "job_title", "phone", "languages")


def _validated(user: User, fields: Iterable[str]) -> None:
    """The model's own limits (lengths, formats) for ``fields``, as ValidationFailed."""
    names = set(fields)
    try:
        user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in names])
    except ValidationError as exc:
        raise ValidationFailed(
            "Check the highlighted fields.",
            field_errors={
                name: [str(m) for m in messages] for name, messages in exc.message_dict.items()
            },
        ) from exc


def _record(actor: User, user: User, what: str, before: Any, after: Any, reason: str) -> None:
    detail: dict[str, Any] = {"before": before, "after": after}
    if reason.strip():
        detail["reason"] = reason.strip()
    audit_record(actor=actor, action=f"staff.{what}_changed", target=user, detail=detail)


def staff_create(
    *,
    actor: User,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """A new, active account with no privileges (no career level, flags, programs or
    supervisor: those are granted afterwards, each under its own rule); ``password`` None makes
    it unusable. Raises PermissionDenied, ValidationFailed."""
    if not policies.can_create_staff(actor):
        raise PermissionDenied(
            "Only an administrator may create accounts.", code="administrator_only"
        )
    username = username.strip()
    if username == SYSTEM_USERNAME or User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(
            "That username is taken.", field_errors={"username": ["That username is taken."]}
        )
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    _validated(user, ["username", "first_name", "last_name", "email"])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor, action="staff.created", target=user, detail={"username": username}
        )
    return user


def staff_update_profile(*, actor: User, user: User, changes: dict[str, str]) -> User:
    """Names, email, job title, phone, languages (one's own too). Raises PermissionDenied,
    ValidationFailed."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    policies.require_may_edit_profile(actor, user)
    changed = [name for name, value in changes.items() if getattr(user, name) != value]
    if not changed:
        return user
    before = {name: getattr(user, name) for name in changed}
    for name in changed:
        setattr(user, name, changes[name])
    _validated(user, changed)
    with transaction.atomic():
        user.save(update_fields=changed)
        _record(actor, user, "profile", before, {name: changes[name] for name in changed}, "")
    return user


def staff_rename(*, actor: User, user: User, username: str) -> User:
    """Change the username someone signs in with (administrators; not one's own)."""
    policies.require_may_rename(actor, user)
    username = username.strip()
    if username == user.username:
        return user
    clash = User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists()
    if clash or username == SYSTEM_USERNAME:
        raise ValidationFailed(
            "That username is taken.", field_errors={"username": ["That username is taken."]}
        )
    before, user.username = user.username, username
    _validated(user, ["username"])
    with transaction.atomic():
        user.save(update_fields=["username"])
        _record(actor, user, "username", before, username, "")
    return user


def staff_set_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    """Deactivate an account (it can no longer sign in), or reactivate it."""
    if user.is_active == active:
        return user
    policies.require_may_set_active(actor, user, active=active)
    if is_system_account(user):
        raise PermissionDenied("The system account cannot sign in.", code="system_account")
    with transaction.atomic():
        if not active:
            policies.require_no_open_caseload(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
        _record(actor, user, "active", not active, active, reason)
    return user


def is_system_account(user: User) -> bool:
    return user.username == SYSTEM_USERNAME


def staff_set_administrator(*, actor: User, user: User, value: bool, reason: str = "") -> User:
    """Grant or take away administrator rights (the Django admin; no client records)."""
    if user.is_administrator == value:
        return user
    policies.require_may_set_administrator(actor, user)
    with transaction.atomic():
        user.is_administrator = value
        # Django's own flags follow: the admin site's models are the administrators'.
        user.is_staff = user.is_superuser = value
        user.save(update_fields=["is_administrator", "is_staff", "is_superuser"])
        _record(actor, user, "administrator", not value, value, reason)
    return user


def staff_set_privacy_officer(*, actor: User, user: User, value: bool, reason: str = "") -> User:
    """Grant or take away privacy-officer rights (audit search, access reports): a director's."""
    if user.is_privacy_officer == value:
        return user
    policies.require_may_set_privacy_officer(actor, user)
    with transaction.atomic():
        user.is_privacy_officer = value
        user.save(update_fields=["is_privacy_officer"])
        _record(actor, user, "privacy_officer", not value, value, reason)
    return user


def staff_set_career_level(*, actor: User, user: User, level: str, reason: str = "") -> User:
    """Set the career level ("" for none: no client records). Raises PermissionDenied (see
    ``policies.require_may_set_career_level``), ValidationFailed for an unknown level."""
    if level not in CareerLevel.values and level != "":
        raise ValidationFailed(
            "Choose a career level.", field_errors={"career_level": ["Choose a career level."]}
        )
    if user.career_level == level:
        return user
    before = user.career_level
    policies.require_may_set_career_level(actor, user, before, level)
    with transaction.atomic():
        user.career_level = level
        user.save(update_fields=["career_level"])
        _record(actor, user, "career_level", before, level, reason)
    return user


def staff_set_supervisor(
    *, actor: User, user: User, supervisor: User | None, reason: str = ""
) -> User:
    """Name (a director's) or remove someone's supervisor. The supervisor must be active
    clinical staff above junior, and not supervised, however indirectly, by ``user``."""
    if user.supervisor_id == (supervisor.pk if supervisor else None):
        return user
    policies.require_may_set_supervisor(
        actor, user, supervisor_id=supervisor.pk if supervisor else None
    )
    if supervisor is not None:
        _check_supervisor(user, supervisor)
    before = user.supervisor.username if user.supervisor else None
    with transaction.atomic():
        user.supervisor = supervisor
        user.save(update_fields=["supervisor"])
        _record(
            actor, user, "supervisor", before, supervisor.username if supervisor else None, reason
        )
    return user


def _check_supervisor(user: User, supervisor: User) -> None:
    message = ""
    if not policies.is_clinical(supervisor) or supervisor.career_level == CareerLevel.JUNIOR:
        message = "A supervisor is an active care manager, senior or director."
    seen: set[Any] = {user.pk}
    above: User | None = supervisor
    while not message and above is not None:
        if above.pk in seen:
            message = "That would make a circle of supervision."
        seen.add(above.pk)
        above = above.supervisor
    if message:
        raise ValidationFailed(message, field_errors={"supervisor": [message]})


def staff_set_programs(
    *, actor: User, user: User, programs: Iterable[Program], reason: str = ""
) -> User:
    """The programs someone works in (and, for a senior, leads). Adding one is a director's;
    removing one is also an administrator's."""
    chosen = list(programs)
    wanted = {program.pk: program.code for program in chosen}
    current = dict(user.programs.values_list("pk", "code"))
    added = sorted(code for pk, code in wanted.items() if pk not in current)
    removed = sorted(code for pk, code in current.items() if pk not in wanted)
    if not added and not removed:
        return user
    policies.require_may_set_programs(actor, user, adding=bool(added))
    with transaction.atomic():
        user.programs.set(chosen)
        _record(actor, user, "programs", sorted(current.values()), sorted(wanted.values()), reason)
    return user


def staff_set_caseload_cap(*, actor: User, user: User, cap: int | None, reason: str = "") -> User:
    """Override the caseload cap of someone's career level (None: the level's default)."""
    if user.caseload_cap_override == cap:
        return user
    policies.require_may_set_caseload_cap(actor, user)
    if cap is not None and cap < 0:
        raise ValidationFailed(
            "A cap is 0 or more.", field_errors={"caseload_cap_override": ["A cap is 0 or more."]}
        )
    before = user.caseload_cap_override
    with transaction.atomic():
        user.caseload_cap_override = cap
        user.save(update_fields=["caseload_cap_override"])
        _record(actor, user, "caseload_cap", before, cap, reason)
    return user


def staff_set_password(*, actor: User, user: User, password: str | None) -> User:
    """Set someone's password (None: password sign-in disabled); audited, never the value."""
    policies.require_may_set_password(actor, user)
    with transaction.atomic():
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="staff.password_set" if password else "staff.password_disabled",
            target=user,
            detail={"own": actor.pk == user.pk},
        )
    return user


def staff_remove_two_factor_device(*, actor: User, device: TOTPDevice) -> None:
    """Remove a two-factor device (a lost phone): they set up a new one at next sign-in."""
    user = device.user
    policies.require_may_remove_two_factor(actor, user)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="staff.two_factor_removed",
            target=user,
            detail={"device": device.name, "own": actor.pk == user.pk},
        )
        device.delete()


def staff_update(*, actor: User, user: User, changes: dict[str, Any], reason: str = "") -> User:
    """Apply what changed on one account (as an edit form gives it), each attribute through its
    own service and rule, in one transaction: all or nothing."""
    unknown = set(changes) - set(PROFILE_FIELDS) - set(_PRIVILEGES) - {"username", "is_active"}
    if unknown:
        raise ValueError(f"not staff attributes: {sorted(unknown)}")
    profile = {name: changes[name] for name in PROFILE_FIELDS if name in changes}
    with transaction.atomic():
        if profile:
            staff_update_profile(actor=actor, user=user, changes=profile)
        if "username" in changes:
            staff_rename(actor=actor, user=user, username=changes["username"])
        for name in _PRIVILEGES:
            if name in changes:
                _set_privilege(actor, user, name, changes[name], reason)
        if "is_active" in changes:  # last: reactivating is judged on the rights after the edit
            staff_set_active(
                actor=actor, user=user, active=bool(changes["is_active"]), reason=reason
            )
    return user


_PRIVILEGES = (
    "is_administrator",
    "is_privacy_officer",
    "career_level",
    "supervisor",
    "programs",
    "caseload_cap_override",
)


def _set_privilege(actor: User, user: User, name: str, value: Any, reason: str) -> None:
    if name == "is_administrator":
        staff_set_administrator(actor=actor, user=user, value=bool(value), reason=reason)
    elif name == "is_privacy_officer":
        staff_set_privacy_officer(actor=actor, user=user, value=bool(value), reason=reason)
    elif name == "career_level":
        staff_set_career_level(actor=actor, user=user, level=value or "", reason=reason)
    elif name == "supervisor":
        staff_set_supervisor(actor=actor, user=user, supervisor=value, reason=reason)
    elif name == "programs":
        staff_set_programs(actor=actor, user=user, programs=value, reason=reason)
    else:
        staff_set_caseload_cap(actor=actor, user=user, cap=value, reason=reason)
