from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record
from caseload.clients.models import Client
from caseload.staff.models import User


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_with_the_audit_chain_intact(
    org: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        audit_record(
            actor=org.junior,
            action="client.viewed",
            target=org.junior_client,
            client=org.junior_client,
        )
    counts = (User.objects.count(), Client.objects.count(), AuditEvent.objects.count())
    names = set(Client.objects.values_list("family_name", flat=True))
    dump = tmp_path / "caseload.json.gz"
    call_command("backup", str(dump))
    assert dump.stat().st_size > 0

    with pytest.raises(CommandError, match="already holds records"):
        call_command("restore", str(dump))

    call_command("flush", interactive=False, verbosity=0)
    assert not Client.objects.exists()
    call_command("restore", str(dump))
    assert (User.objects.count(), Client.objects.count(), AuditEvent.objects.count()) == counts
    assert set(Client.objects.values_list("family_name", flat=True)) == names
    assert "audit chain intact (3 events)" in capsys.readouterr().out
