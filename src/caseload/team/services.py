"""Writes of bulk reassignment: hand many enrolments on to new care managers at once.

``reassignment_apply`` is the whole change, in one transaction (all or nothing): every enrolment
is locked and checked against the version the preview showed (a concurrent change names the
client and moves nothing), the receivers' caps are checked with their rows locked, then each
enrolment moves (with its history event), the departing care manager's open tasks for those
clients follow, each client gets the task "Introductory call from your new care manager" due in
``settings.INTRO_CALL_BUSINESS_DAYS`` business days, and one audit event per client records it.

A confirmed batch is kept as a ``ReassignmentBatch`` and run by ``reassignment_batch_run``,
inline for an ordinary batch or as a background job for a large one; the batch's row is its
progress (status, enrolments done of total) and its outcome.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from caseload.access import policies
from caseload.audit.services import audit_record_each
from caseload.core import clock
from caseload.core.business_days import business_days_after
from caseload.core.errors import AppError, Conflict, ValidationFailed
from caseload.core.text import clean
from caseload.core.validators import SHORT_TEXT
from caseload.enrolments.models import Enrolment, EnrolmentEvent
from caseload.staff.models import User
from caseload.tasks.models import Priority, Task, TaskStatus
from caseload.team.models import BatchStatus, ReassignmentBatch
from caseload.team.selectors import open_counts

INTRO_TITLE = "Introductory call from your new care manager"
#: Enrolments handled between two progress reports.
CHUNK = 100

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Move:
    """One row of the preview as confirmed: this enrolment, at this version, to this person."""

    enrolment_id: str
    version: int
    to: int

    def as_json(self) -> dict[str, Any]:
        return {"enrolment": self.enrolment_id, "version": self.version, "to": self.to}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Move:
        return cls(str(value["enrolment"]), int(value["version"]), int(value["to"]))


@dataclass(frozen=True)
class Outcome:
    clients: int
    enrolments: int
    tasks_moved: int
    intro_tasks: int


def _reason(reason: str) -> str:
    cleaned = clean(reason)
    if "\x00" in (reason or ""):
        message = "Remove the invalid control character from the reason."
        raise ValidationFailed(message, field_errors={"reason": [message]})
    if not cleaned:
        message = "Say why these clients are being reassigned (it is kept with each change)."
        raise ValidationFailed(message, field_errors={"reason": [message]})
    return cleaned


def _names(enrolments: Sequence[Enrolment]) -> str:
    names = sorted({e.client.full_name for e in enrolments})
    shown = ", ".join(names[:10])
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _lock_enrolments(actor: User, moves: Sequence[Move]) -> list[Enrolment]:
    """The enrolments, locked in a fixed order; a stale, closed or vanished one refuses all."""
    wanted = {m.enrolment_id: m for m in moves}
    locked = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(pk__in=list(wanted))
        .select_related("client", "program", "care_manager")
        .order_by("pk")
    )
    if len(locked) != len(wanted):
        raise Conflict(
            "Some of the clients on the preview are no longer enrolled as they were: nothing "
            "was moved. Start the reassignment again.",
            code="stale",
        )
    for enrolment in locked:
        if not policies.can_reassign(actor, enrolment):
            raise ValidationFailed(
                f"You may not reassign {enrolment.client.full_name}'s "
                f"{enrolment.program.name} enrolment: nothing was moved.",
                code="reassign_not_allowed",
            )
    stale = [e for e in locked if e.version != wanted[str(e.pk)].version or not e.is_open]
    if stale:
        raise Conflict(
            f"Someone changed the enrolment of {_names(stale)} since the preview was made: "
            "nothing was moved. Review the proposal again.",
            code="stale",
            params={"clients": sorted({str(e.client_id) for e in stale})},
        )
    return locked


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


def _check_caps(
    locked: Sequence[Enrolment], receivers: dict[int, User], to: dict[Any, int]
) -> None:
    gained = Counter(to[e.pk] for e in locked)
    lost = Counter(e.care_manager_id for e in locked)
    counts = open_counts(receivers)
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


def _move_tasks(locked: Sequence[Enrolment], to: dict[Any, int], now: Any) -> Counter[Any]:
    """The departing care managers' open tasks for the moved clients go to the receivers: a task
    on a moved enrolment to that enrolment's receiver, any other task of the client's to the
    receiver of the client's first moved enrolment. Returns tasks moved per client."""
    by_enrolment = {e.pk: (e.care_manager_id, to[e.pk]) for e in locked}
    by_client: dict[tuple[Any, Any], int] = {}
    for e in locked:
        by_client.setdefault((e.client_id, e.care_manager_id), to[e.pk])
    tasks = Task.objects.filter(
        status=TaskStatus.OPEN,
        entered_in_error_at__isnull=True,
        client_id__in={e.client_id for e in locked},
        owner_id__in={e.care_manager_id for e in locked},
    ).values_list("pk", "client_id", "owner_id", "enrolment_id")
    targets: dict[int, list[Any]] = defaultdict(list)
    per_client: Counter[Any] = Counter()
    for pk, client_id, owner_id, enrolment_id in tasks:
        moved = by_enrolment.get(enrolment_id)
        target = (
            moved[1] if moved and moved[0] == owner_id else by_client.get((client_id, owner_id))
        )
        if target is None:
            continue
        targets[target].append(pk)
        per_client[client_id] += 1
    for target, pks in targets.items():
        Task.objects.filter(pk__in=pks).update(
            owner_id=target, version=F("version") + 1, updated_at=now
        )
    return per_client


def reassignment_apply(
    *,
    actor: User,
    moves: Sequence[Move],
    reason: str,
    batch: ReassignmentBatch | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Move every enrolment of ``moves`` to its receiver, all or nothing (see the module).

    Raises NotFound (not a senior or director), ValidationFailed (reason, receivers, program,
    caps) and Conflict (an enrolment changed since the preview, naming its client)."""
    policies.require_leads_programs(actor)
    reason = _reason(reason)
    if not moves:
        message = "Choose at least one client to move."
        raise ValidationFailed(message, field_errors={"enrolments": [message]})
    report = progress or (lambda done, total: None)
    with transaction.atomic():
        locked = _lock_enrolments(actor, moves)
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
        total = len(locked)
        previous = {e.pk: e.care_manager for e in locked}
        for start in range(0, total, CHUNK):
            chunk = locked[start : start + CHUNK]
            for enrolment in chunk:
                enrolment.care_manager = receivers[to[enrolment.pk]]
                enrolment.version += 1
                enrolment.updated_at = now
            Enrolment.objects.bulk_update(chunk, ["care_manager", "version", "updated_at"])
            EnrolmentEvent.objects.bulk_create(
                EnrolmentEvent(
                    enrolment=e,
                    kind=EnrolmentEvent.Kind.REASSIGNED,
                    from_value=str(previous[e.pk])[:100],
                    to_value=str(e.care_manager)[:100],
                    reason=reason,
                    actor=actor,
                )
                for e in chunk
            )
            report(start + len(chunk), total)

        for e in locked:  # the tasks follow the departing care manager's enrolments
            e.care_manager_id = previous[e.pk].pk
        tasks_per_client = _move_tasks(locked, to, now)
        for e in locked:
            e.care_manager_id = to[e.pk]

        due = business_days_after(clock.today(), settings.INTRO_CALL_BUSINESS_DAYS)
        firsts: dict[tuple[Any, int], Enrolment] = {}
        for e in locked:
            firsts.setdefault((e.client_id, to[e.pk]), e)
        intro = Task.objects.bulk_create(
            Task(
                title=INTRO_TITLE,
                description=(
                    f"{e.client.full_name} was handed on to you by {actor} from "
                    f"{previous[e.pk]}: introduce yourself. Reason: {reason}"
                ),
                client=e.client,
                enrolment=e,
                owner=receivers[receiver],
                due_on=due,
                priority=Priority.HIGH,
                created_by=actor,
            )
            for (_, receiver), e in firsts.items()
        )
        intro_by_client = {task.client_id: task for task in intro}

        per_client: dict[Any, list[Enrolment]] = defaultdict(list)
        for e in locked:
            per_client[e.client_id].append(e)
        audit_record_each(
            actor=actor,
            action="client.reassigned",
            events=[
                (
                    enrolments[0].client,
                    enrolments[0].client,
                    {
                        "batch": str(batch.pk) if batch else None,
                        "enrolments": [
                            {
                                "id": str(e.pk),
                                "program": e.program.code,
                                "from_care_manager_id": previous[e.pk].pk,
                                "to_care_manager_id": to[e.pk],
                            }
                            for e in enrolments
                        ],
                        "tasks_moved": tasks_per_client.get(client_id, 0),
                        "intro_task": str(intro_by_client[client_id].pk),
                    },
                )
                for client_id, enrolments in per_client.items()
            ],
        )
        if batch is not None:
            batch.clients_moved = len(per_client)
            batch.tasks_moved = sum(tasks_per_client.values())
    return Outcome(
        clients=len(per_client),
        enrolments=total,
        tasks_moved=sum(tasks_per_client.values()),
        intro_tasks=len(intro),
    )


def reassignment_batch_create(
    *, actor: User, moves: Sequence[Move], reason: str
) -> ReassignmentBatch:
    """Keep a confirmed preview as a batch to run (checked again, fully, when it runs)."""
    policies.require_leads_programs(actor)
    reason = _reason(reason)
    if not moves:
        message = "Choose at least one client to move."
        raise ValidationFailed(message, field_errors={"enrolments": [message]})
    return ReassignmentBatch.objects.create(
        actor=actor, reason=reason, moves=[m.as_json() for m in moves], total=len(moves)
    )


def reassignment_batch_run(batch_id: Any, progress: Progress | None = None) -> ReassignmentBatch:
    """Run a queued batch (inline, or as a job): its status, progress and outcome are kept on
    its row; a refusal leaves every enrolment as it was and says why. ``progress`` is also told
    of each chunk done (a job's own progress report)."""
    batch = ReassignmentBatch.objects.select_related("actor").get(pk=batch_id)
    if batch.status != BatchStatus.QUEUED:
        return batch
    batch.status, batch.started_at = BatchStatus.RUNNING, clock.now()
    batch.save(update_fields=["status", "started_at", "updated_at"])

    def report(done: int, total: int) -> None:
        batch.done, batch.total = done, total
        if progress is not None:
            progress(done, total)

    try:
        outcome = reassignment_apply(
            actor=batch.actor,
            moves=[Move.from_json(m) for m in batch.moves],
            reason=batch.reason,
            batch=batch,
            progress=report,
        )
    except AppError as error:
        batch.status, batch.error, batch.done = BatchStatus.FAILED, error.message[:SHORT_TEXT], 0
        batch.error_code = error.code
    else:
        batch.status = BatchStatus.DONE
        batch.done = batch.total = outcome.enrolments
        batch.clients_moved, batch.tasks_moved = outcome.clients, outcome.tasks_moved
    batch.finished_at = clock.now()
    batch.save()
    return batch
