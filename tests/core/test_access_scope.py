import pytest

from caseload.access import policies

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_scope_matches_roles(org):
    def visible(user):
        return set(policies.client_scope(user).values_list("pk", flat=True))

    everyone = {org.junior_client.pk, org.supervisor_client.pk, org.other_client.pk}
    assert visible(org.director) == everyone
    assert visible(org.admin) == set()
    assert visible(org.junior) == {org.junior_client.pk}
    assert visible(org.supervisor) == {org.junior_client.pk, org.supervisor_client.pk}
    assert visible(org.senior) == {org.junior_client.pk, org.supervisor_client.pk}
    assert visible(org.senior_other) == {org.other_client.pk}
    assert visible(org.other_cm) == {org.other_client.pk}
