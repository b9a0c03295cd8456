"""Supervisor co-sign: the transitions progress notes and care plan versions share.

A junior's signed note or published care plan version waits for their supervisor
(``core.models.Cosigned`` holds the fields)::

    not_required --request (a junior's work)--> pending    the cosigner: their supervisor
    pending --co-sign (the cosigner)--> cosigned
    pending --return (the cosigner, a comment)--> returned
    returned --resubmit (the author)--> pending

The calling service locks its row inside its transaction and checks its own rules first (a
note entered in error is final); these functions check that the record is waiting, who may
co-sign it (``policies.require_cosigner``) and, for a versioned record (a note), the version
the co-signer read (``expected_version``; missing is refused like stale), then change the
fields, save them and record the audit event. A versioned record's version moves on, so a form
loaded before the co-sign is refused as stale. A care plan version is not versioned: its
content is frozen when it is published, and its co-sign state is the lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from caseload.access.policies import require_cosigner
from caseload.audit.services import audit_record
from caseload.core import clock
from caseload.core.errors import Conflict, ValidationFailed, VersionConflict
from caseload.core.models import Cosigned, CosignStatus, Versioned

if TYPE_CHECKING:
    from django.db.models import Model

    from caseload.clients.models import Client
    from caseload.staff.models import User

NOT_PENDING = "not_pending"
COMMENT_REQUIRED = "Say what the author needs to change."


def cosign_request(record: Cosigned, *, cosigner: User | None) -> list[str]:
    """Send ``record`` to ``cosigner`` (pending), or mark it as needing no co-sign when None.
    Returns the fields set, for the caller's save."""
    record.cosign_status = CosignStatus.PENDING if cosigner else CosignStatus.NOT_REQUIRED
    record.cosigner = cosigner
    return ["cosign_status", "cosigner"]


def cosign_resubmit(record: Cosigned) -> list[str]:
    """A returned record goes back to its cosigner's queue; returns the fields set (none when
    it was not returned)."""
    if record.cosign_status != CosignStatus.RETURNED:
        return []
    record.cosign_status = CosignStatus.PENDING
    return ["cosign_status", *_next_version(record)]


def cosign_approve(
    *,
    actor: User,
    record: Cosigned,
    not_pending: str,
    action: str,
    target: Model,
    client: Client,
    detail: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> None:
    """The cosigner co-signs ``record`` (locked by the caller), audited as ``action`` on
    ``target``. Raises Conflict ``not_pending`` with the message ``not_pending`` (not waiting
    for co-sign), PermissionDenied (not the cosigner), VersionConflict (changed since loaded)."""
    _require_pending(actor, record, not_pending, expected_version)
    record.cosign_status = CosignStatus.COSIGNED
    record.cosigned_at = clock.now()
    fields = ["cosign_status", "cosigned_at", *_next_version(record)]
    record.save(update_fields=[*fields, "updated_at"])
    audit_record(actor=actor, action=action, target=target, client=client, detail=detail)


def cosign_return(
    *,
    actor: User,
    record: Cosigned,
    comment: str,
    not_pending: str,
    action: str,
    target: Model,
    client: Client,
    detail: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> None:
    """The cosigner sends ``record`` (locked by the caller) back to its author with a comment,
    audited as ``action`` on ``target``. Raises as :func:`cosign_approve`, and ValidationFailed
    on ``comment`` when it is empty."""
    _require_pending(actor, record, not_pending, expected_version)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(COMMENT_REQUIRED, field_errors={"comment": [COMMENT_REQUIRED]})
    record.cosign_status = CosignStatus.RETURNED
    record.return_comment = comment
    fields = ["cosign_status", "return_comment", *_next_version(record)]
    record.save(update_fields=[*fields, "updated_at"])
    audit_record(actor=actor, action=action, target=target, client=client, detail=detail)


def _require_pending(
    actor: User, record: Cosigned, not_pending: str, expected_version: int | None
) -> None:
    # The state first: a record nobody is asked to co-sign has no cosigner to be.
    if record.cosign_status != CosignStatus.PENDING:
        raise Conflict(not_pending, code=NOT_PENDING)
    require_cosigner(actor, record.cosigner_id)
    if isinstance(record, Versioned) and record.version != expected_version:
        raise VersionConflict(
            "This changed since you opened it. Read it again, then co-sign or return it.",
            current_version=record.version,
        )


def _next_version(record: Cosigned) -> list[str]:
    if not isinstance(record, Versioned):
        return []
    record.version += 1
    return ["version"]
