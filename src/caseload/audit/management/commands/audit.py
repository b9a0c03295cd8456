"""`caseload audit verify|checkpoint|rotate-key`: the audit chain's operator tools.

- ``verify [--checkpoints FILE]`` checks the chain end to end against its signed head, and
  against every checkpoint in FILE; a non-zero exit names the first broken link.
- ``checkpoint [--file FILE]`` appends the signed head of the chain to FILE (default
  ``CASELOAD_AUDIT_CHECKPOINT_FILE``) and logs it: keep the file away from the database server.
- ``rotate-key`` prints a new key and the environment that signs new events with it while
  older events still verify.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseload.audit.chain import checkpoint_of, head_problem, read_checkpoints, verify
from caseload.audit.models import AuditChainHead, AuditEvent
from caseload.core import clock

logger = logging.getLogger("caseload.audit")


class Command(BaseCommand):
    help = (
        "Audit trail tools: `verify` checks the hash chain end to end (and against "
        "--checkpoints FILE); `checkpoint` appends the signed head to a file kept outside the "
        "database; `rotate-key` prints a new signing key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint", "rotate-key"])
        parser.add_argument(
            "--checkpoints", help="verify: a checkpoint file the database must still match"
        )
        parser.add_argument(
            "--file", help="checkpoint: append here (default CASELOAD_AUDIT_CHECKPOINT_FILE)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify(options["checkpoints"])
        elif action == "checkpoint":
            self._checkpoint(options["file"] or settings.AUDIT_CHECKPOINT_FILE)
        else:
            self._rotate_key()

    def _verify(self, checkpoint_file: str | None) -> None:
        checkpoints = []
        if checkpoint_file:
            try:
                lines = Path(checkpoint_file).read_text(encoding="utf-8").splitlines()
                checkpoints = read_checkpoints(lines)
            except (OSError, ValueError) as exc:
                raise CommandError(
                    f"Cannot read checkpoints from {checkpoint_file}: {exc}."
                ) from exc
        result = verify(checkpoints=checkpoints)
        if not result.ok:
            where = f" at event {result.broken_at}" if result.broken_at else ""
            raise CommandError(
                f"Audit chain BROKEN{where}: {result.problem}. "
                f"{result.checked} events before it are intact."
            )
        against = f", matching {len(checkpoints)} checkpoints" if checkpoint_file else ""
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {result.checked} events{against}.")
        )

    def _checkpoint(self, path: str) -> None:
        head = AuditChainHead.objects.filter(pk=1).first()
        problem = head_problem(head)
        if head is None or problem:
            raise CommandError(f"No checkpoint: {problem}. Run `caseload audit verify`.")
        if (
            head.sequence
            and not AuditEvent.objects.filter(sequence=head.sequence, hash=head.hash).exists()
        ):
            raise CommandError(
                "The chain head names an event that is not there: run `audit verify`."
            )
        checkpoint = checkpoint_of(head, clock.now())
        line = checkpoint.line()
        logger.info("audit checkpoint %s", line)
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(line + "\n")
                out.flush()
                os.fsync(out.fileno())
            self.stdout.write(
                self.style.SUCCESS(f"Checkpoint of event {head.sequence} added to {path}.")
            )
        else:
            self.stdout.write(line)

    def _rotate_key(self) -> None:
        current_id = settings.AUDIT_HMAC_KEY_ID
        retired = [f"{key_id}:{key}" for key_id, key in settings.AUDIT_HMAC_KEYS.items()]
        new_id = f"k{clock.today():%Y%m%d}"
        if new_id in settings.AUDIT_HMAC_KEYS:
            new_id += "-" + secrets.token_hex(2)
        self.stdout.write(
            "A new audit key. Put these in the environment of every Caseload process (from your "
            "secret store), restart them, then run `caseload audit checkpoint`. New events are "
            f"signed with {new_id}; events signed with {current_id} and earlier keys still "
            "verify as long as CASELOAD_AUDIT_RETIRED_KEYS keeps them.\n\n"
            f"CASELOAD_AUDIT_KEY={secrets.token_urlsafe(48)}\n"
            f"CASELOAD_AUDIT_KEY_ID={new_id}\n"
            f"CASELOAD_AUDIT_RETIRED_KEYS={','.join(retired)}\n"
        )
