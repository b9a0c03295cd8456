"""Writes of bulk reassignment: hand many enrolments on to new care managers at once.

``reassignment_apply`` is the whole change, in one transaction (all or nothing), composed of
the owning apps' services: ``enrolments.services.enrolments_reassign_many`` locks every
enrolment and checks it against the version the preview showed (a concurrent change names the
client and moves nothing), checks the receivers' programs and caps with their rows locked and
moves each enrolment (with its history event); ``tasks.services.tasks_hand_on`` gives the
departing care manager's open tasks for those clients to the receivers and
``tasks.services.tasks_create_many`` gives each client the task "Introductory call from your
new care manager" due in ``settings.INTRO_CALL_BUSINESS_DAYS`` business days; then one
``client.reassigned`` audit event per client records it all.

A confirmed batch is kept as a ``ReassignmentBatch`` and run by ``reassignment_batch_run``,
inline for an ordinary batch or as a background job for a large one; the batch's row is its
progress (its step, enrolments checked of total, then moved) and its outcome.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from caseload.access import policies
from caseload.audit.services import audit_record_each
from caseload.core import clock
from caseload.core.business_days import business_days_after
from caseload.core.errors import AppError, ValidationFailed
from caseload.core.text import clean
from caseload.core.validators import SHORT_TEXT
from caseload.enrolments.services import (
    EnrolmentMove,
    MovedEnrolment,
    enrolments_reassign_check,
    enrolments_reassign_many,
)
from caseload.staff.models import User
from caseload.tasks.models import Priority
from caseload.tasks.services import HandOn, NewTask, tasks_create_many, tasks_hand_on
from caseload.team.models import BatchStatus, ReassignmentBatch

INTRO_TITLE = "Introductory call from your new care manager"
#: Enrolments a batch checks between two progress reports.
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


def reassignment_apply(
    *,
    actor: User,
    moves: Sequence[Move],
    reason: str,
    batch: ReassignmentBatch | None = None,
) -> Outcome:
    """Move every enrolment of ``moves`` to its receiver, all or nothing (see the module).

    Raises NotFound (not a senior or director), ValidationFailed (reason, receivers, program,
    caps) and Conflict (an enrolment changed since the preview, naming its client)."""
    policies.require_leads_programs(actor)
    reason = _reason(reason)
    if not moves:
        message = "Choose at least one client to move."
        raise ValidationFailed(message, field_errors={"enrolments": [message]})
    with transaction.atomic():
        moved = enrolments_reassign_many(
            actor=actor,
            moves=[EnrolmentMove(m.enrolment_id, m.version, m.to) for m in moves],
            reason=reason,
        )
        tasks_per_client = tasks_hand_on(
            actor=actor,
            moves=[
                HandOn(
                    client_id=m.enrolment.client_id,
                    enrolment_id=m.enrolment.pk,
                    from_owner_id=m.previous.pk,
                    to_owner_id=m.enrolment.care_manager_id,
                )
                for m in moved
            ],
        )
        due = business_days_after(clock.today(), settings.INTRO_CALL_BUSINESS_DAYS)
        firsts: dict[tuple[Any, int], MovedEnrolment] = {}
        for m in moved:
            firsts.setdefault((m.enrolment.client_id, m.enrolment.care_manager_id), m)
        intro = tasks_create_many(
            actor=actor,
            tasks=[
                NewTask(
                    client=m.enrolment.client,
                    enrolment=m.enrolment,
                    owner=m.enrolment.care_manager,
                    title=INTRO_TITLE,
                    description=(
                        f"{m.enrolment.client.full_name} was handed on to you by {actor} from "
                        f"{m.previous}: introduce yourself. Reason: {reason}"
                    ),
                    due_on=due,
                    priority=Priority.HIGH,
                )
                for m in firsts.values()
            ],
        )
        intro_by_client = {task.client_id: task for task in intro}

        per_client: dict[Any, list[MovedEnrolment]] = defaultdict(list)
        for m in moved:
            per_client[m.enrolment.client_id].append(m)
        audit_record_each(
            actor=actor,
            action="client.reassigned",
            events=[
                (
                    client_moves[0].enrolment.client,
                    client_moves[0].enrolment.client,
                    {
                        "batch": str(batch.pk) if batch else None,
                        "enrolments": [
                            {
                                "id": str(m.enrolment.pk),
                                "program": m.enrolment.program.code,
                                "from_care_manager_id": m.previous.pk,
                                "to_care_manager_id": m.enrolment.care_manager_id,
                            }
                            for m in client_moves
                        ],
                        "tasks_moved": tasks_per_client.get(client_id, 0),
                        "intro_task": str(intro_by_client[client_id].pk),
                    },
                )
                for client_id, client_moves in per_client.items()
            ],
        )
        if batch is not None:  # done commits with the moves, or neither does
            batch.status, batch.finished_at = BatchStatus.DONE, clock.now()
            batch.done, batch.clients_moved = len(moved), len(per_client)
            batch.tasks_moved = sum(tasks_per_client.values())
            batch.save()
    return Outcome(
        clients=len(per_client),
        enrolments=len(moved),
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
    """Run a queued batch (inline, or as a job) in two steps, each kept on its row as it goes:
    *checking* a chunk of ``CHUNK`` enrolments at a time against the preview (still open, same
    version, the actor's to move), each chunk's count committed so the page can show it, then
    *moving* them all in one transaction (``reassignment_apply``: checked again under locks).
    A refusal at either step moves nothing and says why (naming the clients of a conflict).
    ``progress`` is also told of each chunk checked (a job's own progress report). Must not
    run inside a transaction: the counts would not be seen until the end."""
    batch = ReassignmentBatch.objects.select_related("actor").get(pk=batch_id)
    if batch.is_finished:
        return batch
    # Left checking or moving, its worker died: nothing moved (done commits with the moves), so
    # it starts again.
    moves = [Move.from_json(m) for m in batch.moves]
    batch.status, batch.started_at = BatchStatus.CHECKING, clock.now()
    batch.total, batch.checked = len(moves), 0
    batch.save(update_fields=["status", "started_at", "total", "checked", "updated_at"])
    try:
        policies.require_leads_programs(batch.actor)
        for start in range(0, len(moves), CHUNK):
            chunk = moves[start : start + CHUNK]
            enrolments_reassign_check(
                actor=batch.actor,
                moves=[EnrolmentMove(m.enrolment_id, m.version, m.to) for m in chunk],
            )
            batch.checked = start + len(chunk)
            batch.save(update_fields=["checked", "updated_at"])
            if progress is not None:
                progress(batch.checked, batch.total)
        batch.status = BatchStatus.RUNNING
        batch.save(update_fields=["status", "updated_at"])
        reassignment_apply(actor=batch.actor, moves=moves, reason=batch.reason, batch=batch)
    except AppError as error:
        batch.status, batch.error, batch.done = BatchStatus.FAILED, error.message[:SHORT_TEXT], 0
        batch.error_code = error.code
    else:
        return batch  # done, saved with the moves (``outcome`` is on the row)
    batch.finished_at = clock.now()
    batch.save()
    return batch
