"""Writes for enrolments: register a new client with their first enrolment, enrol, move
through the status machine, reassign, acuity, care team.

The status machine (FHIR EpisodeOfCare): referred → active | discharged; active → on hold |
discharged; on hold → active | discharged; discharged is final (enrol again to restart).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.clients.services import client_create
from caseload.core import clock
from caseload.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
)
from caseload.enrolments.models import (
    OPEN_STATUSES,
    Acuity,
    CareTeamMember,
    DischargeReason,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Program,
)
from caseload.staff.models import User

if TYPE_CHECKING:
    from caseload.clients.models import Client

S = EnrolmentStatus

#: Every status an enrolment may move to from each status. Discharged is final.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REFERRED: frozenset({S.ACTIVE, S.DISCHARGED}),
    S.ACTIVE: frozenset({S.ON_HOLD, S.DISCHARGED}),
    S.ON_HOLD: frozenset({S.ACTIVE, S.DISCHARGED}),
    S.DISCHARGED: frozenset(),
}

_STATUS_ORDER = [S.REFERRED, S.ACTIVE, S.ON_HOLD, S.DISCHARGED]


def allowed_transitions(status: str) -> list[str]:
    """The statuses an enrolment in ``status`` may move to, in the machine's natural order."""
    targets = ALLOWED_TRANSITIONS.get(status, frozenset())
    return [s for s in _STATUS_ORDER if s in targets]


def _label(status: str) -> str:
    return str(EnrolmentStatus(status).label) if status in EnrolmentStatus.values else status


def _or_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _require_visible(actor: User, enrolment: Enrolment) -> None:
    if not policies.client_in_scope(actor, enrolment.client_id):
        raise NotFound("Enrolment not found.")


def _require_manage(actor: User, enrolment: Enrolment) -> None:
    _require_visible(actor, enrolment)
    policies.require_enrolment_manager(actor, enrolment)


def enrolment_lock(enrolment: Enrolment) -> Enrolment:
    """The enrolment's row locked for the caller's transaction (fresh, with client, program and
    care manager): writers elsewhere that depend on its state (a new care plan) call this."""
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("client", "program", "care_manager")
        .get(pk=enrolment.pk)
    )


def _check_version(locked: Enrolment, expected_version: int) -> None:
    if locked.version != expected_version:
        raise VersionConflict(
            "Someone else changed this enrolment since you opened it: it is now "
            f"{locked.get_status_display()} with {locked.care_manager}.",
            code="stale",
            current_version=locked.version,
        )


def _require_text(value: str, field: str, message: str) -> str:
    cleaned = (value or "").strip()
    if "\x00" in cleaned:
        raise ValidationFailed(
            "Remove the invalid control character from this text.",
            field_errors={field: ["Remove the invalid control character from this text."]},
        )
    if not cleaned:
        raise ValidationFailed(message, field_errors={field: [message]})
    return cleaned


def _optional_text(value: str, field: str) -> str:
    cleaned = (value or "").strip()
    if "\x00" in cleaned:
        raise ValidationFailed(
            "Remove the invalid control character from this text.",
            field_errors={field: ["Remove the invalid control character from this text."]},
        )
    return cleaned


def open_enrolment_count(care_manager: User) -> int:
    return Enrolment.objects.filter(care_manager=care_manager, status__in=OPEN_STATUSES).count()


def _require_capacity(care_manager: User) -> None:
    """Refuse when ``care_manager`` already manages as many open enrolments as their cap.

    The care manager's row is locked first so two concurrent assignments cannot both take the
    last place.
    """
    User.objects.select_for_update().filter(pk=care_manager.pk).first()
    cap = care_manager.caseload_cap
    count = open_enrolment_count(care_manager)
    if count >= cap:
        if cap == 0:
            message = (
                f"{care_manager} does not carry a caseload (their caseload cap is 0). "
                "Choose another care manager."
            )
        else:
            message = (
                f"{care_manager} has reached their caseload cap of {cap} open enrolments "
                f"(they manage {count}). Choose another care manager, or ask a director to "
                "raise the cap."
            )
        raise ValidationFailed(
            message,
            code="caseload_cap_reached",
            params={"cap": cap, "count": count},
            field_errors={"care_manager": [message]},
        )


def _acuity(value: Any) -> int:
    try:
        acuity = int(value)
    except (TypeError, ValueError):
        acuity = 0
    if acuity not in Acuity.values:
        message = "Choose an acuity level."
        raise ValidationFailed(message, field_errors={"acuity": [message]})
    return acuity


@transaction.atomic
def enrolment_create(
    *,
    actor: User,
    client: Client,
    program: Program,
    care_manager: User,
    acuity: int = Acuity.MODERATE,
    referred_on: dt.date | None = None,
    referral_source: str = "",
) -> Enrolment:
    """Enrol ``client`` in ``program`` as referred; returns the enrolment.

    Raises NotFound (client out of scope), PermissionDenied (may not assign that care manager),
    ValidationFailed (cap reached, already enrolled, bad input).
    """
    policies.require_clinical(actor)
    # A client with no enrolment yet is being registered (client_register) and is
    # in nobody's scope until this enrolment exists; every other client must be visible.
    if client.enrolments.exists() and not policies.client_in_scope(actor, client.pk):
        raise NotFound("Client not found.")
    if not program.is_active:
        message = f"{program.name} is not taking new enrolments."
        raise ValidationFailed(message, field_errors={"program": [message]})
    policies.require_can_assign(actor, program.pk, care_manager)
    acuity = _acuity(acuity)
    referral_source = _optional_text(referral_source, "referral_source")
    today = clock.today()
    referred_on = referred_on or today
    if referred_on > today:
        message = "The referral date cannot be in the future."
        raise ValidationFailed(message, field_errors={"referred_on": [message]})
    existing = (
        Enrolment.objects.filter(client=client, program=program, status__in=OPEN_STATUSES)
        .only("status")
        .first()
    )
    if existing is not None:
        message = (
            f"{client} already has an open enrolment in {program.name} "
            f"({existing.get_status_display().lower()}). Discharge it before enrolling again."
        )
        raise ValidationFailed(
            message, code="already_enrolled", field_errors={"program": [message]}
        )
    _require_capacity(care_manager)
    enrolment = Enrolment(
        client=client,
        program=program,
        care_manager=care_manager,
        status=EnrolmentStatus.REFERRED,
        acuity=acuity,
        referred_on=referred_on,
        referral_source=referral_source,
    )
    try:
        with transaction.atomic():
            enrolment.save(force_insert=True)
    except IntegrityError as exc:  # a concurrent enrolment in the same program won the race
        message = f"{client} already has an open enrolment in {program.name}."
        raise ValidationFailed(
            message, code="already_enrolled", field_errors={"program": [message]}
        ) from exc
    EnrolmentEvent.objects.create(
        enrolment=enrolment,
        kind=EnrolmentEvent.Kind.STATUS,
        from_value="",
        to_value=EnrolmentStatus.REFERRED,
        reason=f"Referred by {referral_source}" if referral_source else "Referred",
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="enrolment.created",
        target=enrolment,
        client=client,
        detail={"program": program.code, "care_manager_id": care_manager.pk},
    )
    return enrolment


@transaction.atomic
def client_register(
    *,
    actor: User,
    program: Program,
    care_manager: User,
    acuity: int = Acuity.MODERATE,
    referred_on: dt.date | None = None,
    referral_source: str = "",
    **details: Any,
) -> Client:
    """Register a new client and refer them to their first program, so they are on a caseload:
    ``clients.services.client_create`` with ``details`` (given_name, family_name, date_of_birth,
    sex_at_birth …), then ``enrolment_create``, in one transaction. Returns the client.

    Raises NotFound (not clinical staff), PermissionDenied (may not assign that care manager),
    ValidationFailed (details, duplicate MRN, caseload cap, program); nothing is kept then.
    """
    client = client_create(actor=actor, **details)
    enrolment_create(
        actor=actor,
        client=client,
        program=program,
        care_manager=care_manager,
        acuity=acuity,
        referred_on=referred_on,
        referral_source=referral_source,
    )
    return client


@transaction.atomic
def enrolment_transition(
    *,
    actor: User,
    enrolment: Enrolment,
    to_status: str,
    reason: str,
    discharge_reason: str = "",
    expected_version: int,
) -> Enrolment:
    """Move ``enrolment`` to ``to_status``; returns it updated.

    Raises Conflict when the record changed (code "stale") or the machine forbids the move
    (code "transition_not_allowed"), ValidationFailed for a missing reason or discharge reason.
    """
    _require_manage(actor, enrolment)
    locked = enrolment_lock(enrolment)
    _check_version(locked, expected_version)
    if to_status not in EnrolmentStatus.values:
        message = "Choose the new status."
        raise ValidationFailed(message, field_errors={"to_status": [message]})
    allowed = allowed_transitions(locked.status)
    if to_status not in allowed:
        current = _label(locked.status).lower()
        if allowed:
            options = _or_list([_label(s).lower() for s in allowed])
            message = (
                f"An enrolment that is {current} can only become {options}, "
                f"not {_label(to_status).lower()}."
            )
        else:
            message = (
                "A discharged enrolment is final and cannot change status. "
                "Enrol the client in the program again to restart services."
            )
        raise Conflict(
            message,
            code="transition_not_allowed",
            params={"from": locked.status, "to": to_status, "allowed": allowed},
        )
    errors: dict[str, list[str]] = {}
    reason = _optional_text(reason, "reason")
    if not reason:
        errors["reason"] = ["Say why the status is changing."]
    discharging = to_status == EnrolmentStatus.DISCHARGED
    if discharging and discharge_reason not in DischargeReason.values:
        errors["discharge_reason"] = ["Choose the reason for discharge."]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    fields = ["status", "version", "updated_at"]
    today = clock.today()
    if discharging:
        locked.discharge_reason = discharge_reason
        locked.discharge_note = reason
        locked.ended_on = today
        fields += ["discharge_reason", "discharge_note", "ended_on"]
    if to_status == EnrolmentStatus.ACTIVE and locked.started_on is None:
        locked.started_on = today
        fields.append("started_on")
    from_status = locked.status
    locked.status = to_status
    locked.version += 1
    locked.save(update_fields=fields)
    EnrolmentEvent.objects.create(
        enrolment=locked,
        kind=EnrolmentEvent.Kind.STATUS,
        from_value=from_status,
        to_value=to_status,
        reason=reason,
        actor=actor,
    )
    detail: dict[str, Any] = {"from": from_status, "to": to_status}
    if discharging:
        detail["discharge_reason"] = discharge_reason
    audit_record(
        actor=actor,
        action="enrolment.transitioned",
        target=locked,
        client=locked.client,
        detail=detail,
    )
    return locked


@transaction.atomic
def enrolment_reassign(
    *,
    actor: User,
    enrolment: Enrolment,
    care_manager: User,
    reason: str,
    expected_version: int,
) -> Enrolment:
    """Give ``enrolment`` a new care manager (seniors of the program, directors); returns it.

    Raises PermissionDenied, Conflict (stale or closed enrolment), ValidationFailed (cap, input).
    """
    _require_visible(actor, enrolment)
    if not policies.can_reassign(actor, enrolment):
        raise PermissionDenied(
            "Only a senior care manager of this program or a director may reassign a case.",
            code="reassign_not_allowed",
        )
    locked = enrolment_lock(enrolment)
    _check_version(locked, expected_version)
    if not locked.is_open:
        raise Conflict("A discharged enrolment cannot be reassigned.", code="enrolment_closed")
    if not policies.is_clinical(care_manager):
        message = "Choose an active clinical staff member."
        raise ValidationFailed(message, field_errors={"care_manager": [message]})
    if care_manager.pk == locked.care_manager_id:
        message = f"{care_manager} is already the care manager."
        raise ValidationFailed(message, field_errors={"care_manager": [message]})
    policies.require_can_assign(actor, locked.program_id, care_manager)
    reason = _require_text(reason, "reason", "Say why the case is being reassigned.")
    _require_capacity(care_manager)
    previous = locked.care_manager
    locked.care_manager = care_manager
    locked.version += 1
    locked.save(update_fields=["care_manager", "version", "updated_at"])
    EnrolmentEvent.objects.create(
        enrolment=locked,
        kind=EnrolmentEvent.Kind.REASSIGNED,
        from_value=str(previous)[:100],
        to_value=str(care_manager)[:100],
        reason=reason,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="enrolment.reassigned",
        target=locked,
        client=locked.client,
        detail={"from_care_manager_id": previous.pk, "to_care_manager_id": care_manager.pk},
    )
    return locked


@transaction.atomic
def enrolment_set_acuity(
    *,
    actor: User,
    enrolment: Enrolment,
    acuity: int,
    reason: str = "",
    expected_version: int,
) -> Enrolment:
    """Change the acuity of an open enrolment; returns it. Raises Conflict, ValidationFailed."""
    _require_manage(actor, enrolment)
    locked = enrolment_lock(enrolment)
    _check_version(locked, expected_version)
    if not locked.is_open:
        raise Conflict("A discharged enrolment cannot change.", code="enrolment_closed")
    acuity = _acuity(acuity)
    reason = _optional_text(reason, "reason")
    if acuity == locked.acuity:
        return locked
    previous = locked.acuity
    locked.acuity = acuity
    locked.version += 1
    locked.save(update_fields=["acuity", "version", "updated_at"])
    EnrolmentEvent.objects.create(
        enrolment=locked,
        kind=EnrolmentEvent.Kind.ACUITY,
        from_value=str(Acuity(previous).label),
        to_value=str(Acuity(acuity).label),
        reason=reason,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="enrolment.acuity_set",
        target=locked,
        client=locked.client,
        detail={"from": previous, "to": acuity},
    )
    return locked


@transaction.atomic
def care_team_add(
    *,
    actor: User,
    enrolment: Enrolment,
    staff: User | None = None,
    external_name: str = "",
    external_organisation: str = "",
    role: str,
    phone: str = "",
    email: str = "",
) -> CareTeamMember:
    """Add a staff member or an external person to the enrolment's care team; returns them.

    Adding staff gives them access to the client's record.
    """
    _require_manage(actor, enrolment)
    external_name = _optional_text(external_name, "external_name")
    external_organisation = _optional_text(external_organisation, "external_organisation")
    phone = _optional_text(phone, "phone")
    email = _optional_text(email, "email")
    role = _require_text(role, "role", "Enter the person's role in the care team.")
    if not enrolment.is_open:
        raise Conflict(
            "The care team of a discharged enrolment cannot change.", code="enrolment_closed"
        )
    if staff is None and not external_name:
        message = "Choose a staff member, or enter the name of someone outside the organisation."
        raise ValidationFailed(message, field_errors={"staff": [message]})
    if staff is not None and external_name:
        message = "Choose a staff member or enter an external person's name, not both."
        raise ValidationFailed(message, field_errors={"external_name": [message]})
    if staff is not None:
        if not policies.is_clinical(staff):
            message = "Choose an active clinical staff member."
            raise ValidationFailed(message, field_errors={"staff": [message]})
        if CareTeamMember.objects.filter(enrolment=enrolment, staff=staff, is_active=True).exists():
            message = f"{staff} is already on this care team."
            raise ValidationFailed(message, field_errors={"staff": [message]})
    member = CareTeamMember.objects.create(
        enrolment=enrolment,
        staff=staff,
        external_name=external_name,
        external_organisation=external_organisation,
        role=role,
        phone=phone,
        email=email,
        added_by=actor,
    )
    audit_record(
        actor=actor,
        action="care_team_member.added",
        target=member,
        client=enrolment.client,
        detail={"enrolment_id": str(enrolment.pk), "staff_id": staff.pk if staff else None},
    )
    return member


@transaction.atomic
def care_team_end(*, actor: User, member: CareTeamMember) -> CareTeamMember:
    """End a care-team membership (kept for the record); returns it. Raises Conflict if ended."""
    enrolment = member.enrolment
    _require_manage(actor, enrolment)
    locked = CareTeamMember.objects.select_for_update().get(pk=member.pk)
    if not locked.is_active:
        raise Conflict("This care-team membership has already ended.", code="already_ended")
    locked.is_active = False
    locked.ended_on = clock.today()
    locked.save(update_fields=["is_active", "ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action="care_team_member.ended",
        target=locked,
        client=enrolment.client,
        detail={"enrolment_id": str(enrolment.pk)},
    )
    return locked


def check_enrolment_choice(
    errors: dict[str, list[str]], client: Client, enrolment: Enrolment | None, *, required: bool
) -> None:
    """Add to ``errors`` what is wrong with ``enrolment`` as the one a record about ``client``
    is part of (a referral, an appointment, a discharge): not the client's, or discharged."""
    if enrolment is None:
        if required:
            errors["enrolment"] = ["Choose the enrolment this is part of."]
        return
    if enrolment.client_id != client.pk:
        errors["enrolment"] = ["Choose one of this client's enrolments."]
    elif not enrolment.is_open:
        errors["enrolment"] = ["That enrolment has been discharged. Choose an open enrolment."]


# Bulk reassignment (the team app's `/team/reassign/`): many enrolments handed on at once, in
# the caller's transaction, so the tasks that follow them and the audit commit with them.


@dataclass(frozen=True)
class EnrolmentMove:
    """One enrolment, at the version the preview showed, to the care manager with id ``to``."""

    enrolment_id: str
    version: int
    to: int


@dataclass(frozen=True)
class MovedEnrolment:
    """An enrolment a bulk reassignment moved (now with its new care manager), and from whom."""

    enrolment: Enrolment
    previous: User


def _names(enrolments: Sequence[Enrolment]) -> str:
    names = sorted({e.client.full_name for e in enrolments})
    shown = ", ".join(names[:10])
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _check_moves(actor: User, moves: Sequence[EnrolmentMove], rows: Sequence[Enrolment]) -> None:
    """The checks a preview's moves must pass (``rows``: their enrolments as read now)."""
    wanted = {m.enrolment_id: m for m in moves}
    if len(rows) != len(wanted):
        raise Conflict(
            "Some of the clients on the preview are no longer enrolled as they were: nothing "
            "was moved. Start the reassignment again.",
            code="stale",
        )
    for enrolment in rows:
        if not policies.can_reassign(actor, enrolment):
            raise ValidationFailed(
                f"You may not reassign {enrolment.client.full_name}'s "
                f"{enrolment.program.name} enrolment: nothing was moved.",
                code="reassign_not_allowed",
            )
    stale = [e for e in rows if e.version != wanted[str(e.pk)].version or not e.is_open]
    if stale:
        raise Conflict(
            f"Someone changed the enrolment of {_names(stale)} since the preview was made: "
            "nothing was moved. Review the proposal again.",
            code="stale",
            params={"clients": sorted({str(e.client_id) for e in stale})},
        )


def _move_rows(moves: Sequence[EnrolmentMove], *, lock: bool) -> list[Enrolment]:
    rows = Enrolment.objects.filter(pk__in=[m.enrolment_id for m in moves])
    if lock:  # in a fixed order, so two batches touching the same clients cannot deadlock
        rows = rows.select_for_update(of=("self",))
    return list(rows.select_related("client", "program", "care_manager").order_by("pk"))


def enrolments_reassign_check(*, actor: User, moves: Sequence[EnrolmentMove]) -> None:
    """Check ``moves`` as ``enrolments_reassign_many`` will, without locking (a batch checks
    its rows a chunk at a time before it moves them all). Raises as it does."""
    _check_moves(actor, moves, _move_rows(moves, lock=False))


def _lock_receivers(actor: User, ids: list[int]) -> dict[int, User]:
    allowed = set(
        policies.reassignment_receivers(actor).filter(pk__in=ids).values_list("pk", flat=True)
    )
    people = {
        u.pk: u
        for u in User.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .prefetch_related("programs")
    }
    refused = [people[i] for i in ids if i in people and i not in allowed]
    if len(people) != len(ids) or refused:
        who = ", ".join(str(p) for p in refused) or "A chosen care manager"
        raise ValidationFailed(
            f"{who} cannot receive clients from you (not active, no caseload, or not in a "
            "program you lead): nothing was moved.",
            code="receiver_not_allowed",
        )
    return people


def _check_programs(
    locked: Sequence[Enrolment], receivers: dict[int, User], to: dict[Any, int]
) -> None:
    outside = [
        f"{e.client.full_name} ({e.program.name}) to {receivers[to[e.pk]]}"
        for e in locked
        if e.program_id not in {p.pk for p in receivers[to[e.pk]].programs.all()}
    ]
    if outside:
        raise ValidationFailed(
            "A client can only go to a care manager in their program: "
            + "; ".join(outside[:10])
            + ". Nothing was moved.",
            code="receiver_not_in_program",
        )


def open_enrolment_counts(care_manager_ids: Iterable[Any]) -> dict[Any, int]:
    """Open enrolments each of these people manage now (one aggregate query)."""
    ids = list(care_manager_ids)
    counts = dict(
        Enrolment.objects.filter(care_manager_id__in=ids, status__in=OPEN_STATUSES)
        .order_by()
        .values_list("care_manager_id")
        .annotate(n=Count("pk"))
        .values_list("care_manager_id", "n")
    )
    return {user_id: counts.get(user_id, 0) for user_id in ids}


def _check_caps(
    locked: Sequence[Enrolment], receivers: dict[int, User], to: dict[Any, int]
) -> None:
    gained = Counter(to[e.pk] for e in locked)
    lost = Counter(e.care_manager_id for e in locked)
    counts = open_enrolment_counts(receivers)
    over = []
    for pk, person in receivers.items():
        after = counts[pk] + gained[pk] - lost[pk]
        if gained[pk] and after > person.caseload_cap:
            over.append(
                f"{person} would have {after} open enrolments, over their cap of "
                f"{person.caseload_cap}"
            )
    if over:
        raise ValidationFailed(
            "; ".join(over) + ". Choose other care managers for some of their clients, or ask a "
            "director to raise the cap. Nothing was moved.",
            code="caseload_cap_reached",
        )


#: Enrolments written per statement.
REASSIGN_CHUNK = 500


def enrolments_reassign_many(
    *, actor: User, moves: Sequence[EnrolmentMove], reason: str
) -> list[MovedEnrolment]:
    """Hand every enrolment of ``moves`` on to its receiver, all or nothing (seniors of the
    programs, directors); returns those moved (a move to the current care manager is left out).

    In one transaction (the caller's when it has one): every enrolment is locked and checked
    against the version the preview showed, the receivers are locked and checked (may receive
    from ``actor``, work in the program, stay within their cap), then each enrolment moves with
    its ``reassigned`` history event. Raises Conflict (an enrolment changed since the preview,
    naming its client) and ValidationFailed (not allowed, receiver, program, cap, nothing to
    move). The caller records the audit event (one per client, with what else moved)."""
    with transaction.atomic():
        locked = _move_rows(moves, lock=True)
        _check_moves(actor, moves, locked)
        to_by_id = {m.enrolment_id: m.to for m in moves}
        to = {e.pk: to_by_id[str(e.pk)] for e in locked}
        locked = [e for e in locked if to[e.pk] != e.care_manager_id]
        if not locked:
            message = "Every chosen client already has the care manager proposed."
            raise ValidationFailed(message, field_errors={"enrolments": [message]})
        receivers = _lock_receivers(actor, sorted({to[e.pk] for e in locked}))
        _check_programs(locked, receivers, to)
        _check_caps(locked, receivers, to)

        now = clock.now()
        moved = [MovedEnrolment(e, e.care_manager) for e in locked]
        for enrolment in locked:
            enrolment.care_manager = receivers[to[enrolment.pk]]
            enrolment.version += 1
            enrolment.updated_at = now
        Enrolment.objects.bulk_update(
            locked, ["care_manager", "version", "updated_at"], batch_size=REASSIGN_CHUNK
        )
        EnrolmentEvent.objects.bulk_create(
            (
                EnrolmentEvent(
                    enrolment=m.enrolment,
                    kind=EnrolmentEvent.Kind.REASSIGNED,
                    from_value=str(m.previous)[:100],
                    to_value=str(m.enrolment.care_manager)[:100],
                    reason=reason,
                    actor=actor,
                )
                for m in moved
            ),
            batch_size=REASSIGN_CHUNK,
        )
    return moved
