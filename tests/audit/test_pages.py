from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.audit.services import audit_record
from tests.exports_support import csv_dicts, exported

pytestmark = pytest.mark.django_db


def _seed(org: Any) -> None:
    audit_record(
        actor=org.junior, action="client.viewed", target=org.junior_client, client=org.junior_client
    )
    audit_record(
        actor=org.supervisor,
        action="client.updated",
        target=org.junior_client,
        client=org.junior_client,
    )
    audit_record(
        actor=org.other_cm, action="client.viewed", target=org.other_client, client=org.other_client
    )


def test_audit_search_is_for_directors_and_privacy_officers(org: Any, login: Any) -> None:
    for user in (org.junior, org.supervisor, org.senior, org.admin):
        assert login(user).get(reverse("audit:search")).status_code == 404
    for user in (org.director, org.privacy):
        assert login(user).get(reverse("audit:search")).status_code == 200


def test_audit_search_filters_by_client_user_and_action(org: Any, login: Any) -> None:
    _seed(org)
    http = login(org.privacy)
    page = http.get(reverse("audit:search"), {"client": org.junior_client.mrn}).content.decode()
    rows = page.split("<tbody>")[1]
    assert rows.count("client.viewed") == 1 and "client.updated" in rows
    page = http.get(reverse("audit:search"), {"username": "other-cm"}).content.decode()
    assert "other-cm" in page and "supervisor" not in page.split("<tbody>")[1]
    page = http.get(reverse("audit:search"), {"action": "client.updated"}).content.decode()
    assert "1 event." in page


def test_audit_export_is_csv_and_itself_audited(org: Any, login: Any) -> None:
    _seed(org)
    response = exported(
        login(org.director), reverse("audit:export"), {"client": org.junior_client.mrn}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="caseload-audit.csv"'
    rows = csv_dicts(response)
    assert {r["action"] for r in rows} == {"client.viewed", "client.updated"}
    assert all(r["client_mrn"] == org.junior_client.mrn for r in rows)
    assert AuditEvent.objects.filter(action="audit.exported", actor=org.director).exists()


def test_client_access_report_lists_everyone_who_touched_the_record(org: Any, login: Any) -> None:
    _seed(org)
    response = login(org.privacy).get(
        reverse("audit:client_report", kwargs={"client_id": org.junior_client.pk})
    )
    assert response.status_code == 200
    people = {p["actor_label"]: p for p in response.context["report"].people}
    assert people["junior"]["views"] == 1 and people["supervisor"]["changes"] == 1
    assert "other-cm" not in people
    assert AuditEvent.objects.filter(
        action="audit.client_report_viewed", client=org.junior_client
    ).exists()
