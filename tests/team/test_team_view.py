"""The team view: each supervisee's figures, linked to the clients behind them; home by role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.audit.models import AuditEvent
from caseload.careplans.models import CarePlanVersion
from tests import factories

pytestmark = pytest.mark.django_db

TEAM = "/team/"


def test_only_supervisors_seniors_and_directors_have_a_team(org: Any, login: Any) -> None:
    for role in ("junior", "other_cm", "admin", "privacy"):
        assert login(org.users()[role]).get(TEAM).status_code == 404, role
    for role in ("supervisor", "senior", "director"):
        assert login(org.users()[role]).get(TEAM).status_code == 200, role


def test_a_supervisor_sees_each_figure_of_their_supervisee(org: Any, login: Any) -> None:
    junior, client = org.junior, org.junior_client
    today = timezone.localdate()
    factories.TaskFactory(client=client, owner=junior, due_on=today - dt.timedelta(days=2))
    factories.TaskFactory(client=client, owner=junior, due_on=today + dt.timedelta(days=2))
    note = factories.ProgressNoteFactory(
        client=client,
        author=junior,
        status="signed",
        cosign_status="pending",
        contact_at=timezone.now() - dt.timedelta(days=20),
    )
    plan = factories.CarePlanFactory(enrolment=client.enrolments.get(), status="returned")
    CarePlanVersion.objects.create(
        careplan=plan,
        number=1,
        snapshot={},
        reason="First",
        author=junior,
        cosign_status="pending",
    )
    page = login(org.supervisor).get(TEAM)
    row = next(r for r in page.context["rows"] if r.person == junior)
    assert (row.caseload, row.cap, row.overdue_tasks, row.cosign) == (1, 40, 1, 2)
    assert row.cosign_oldest_days == 0
    assert (row.not_reached_14, row.not_reached_30) == (1, 0)  # reached 20 days ago
    assert row.returned_plans == 1
    assert [r.person for r in page.context["rows"]] == [junior]
    assert note.pk


def test_a_figure_lists_its_clients_and_audits_the_list(org: Any, login: Any) -> None:
    http = login(org.supervisor)
    listing = http.get(reverse("team:clients"), {"member": org.junior.pk, "figure": "caseload"})
    assert listing.status_code == 200
    assert org.junior_client.sortable_name in listing.content.decode()
    assert AuditEvent.objects.filter(
        action="client.listed", client=org.junior_client, detail__page="team"
    ).exists()


def test_someone_outside_the_team_is_not_found(org: Any, login: Any) -> None:
    http = login(org.supervisor)
    for member, figure in ((org.other_cm.pk, "caseload"), (org.junior.pk, "nonsense"), ("x", "")):
        assert (
            http.get(reverse("team:clients"), {"member": member, "figure": figure}).status_code
            == 404
        )


def test_a_senior_sees_their_programs_staff_and_a_director_everyone(org: Any, login: Any) -> None:
    senior = {r.person for r in login(org.senior).get(TEAM).context["rows"]}
    assert senior == {org.supervisor, org.junior}
    director = {r.person for r in login(org.director).get(TEAM).context["rows"]}
    assert {org.supervisor, org.junior, org.other_cm, org.senior} <= director


def test_home_by_role(org: Any, login: Any) -> None:
    expected = {
        "director": reverse("reports:month"),
        "senior": f"{reverse('reports:month')}?program={org.geriatric.pk}",
        "supervisor": reverse("team:view"),
        "junior": reverse("worklist:caseload"),
        "other_cm": reverse("worklist:caseload"),
    }
    for role, url in expected.items():
        assert login(org.users()[role]).get(reverse("home"))["Location"] == url, role


def test_a_returned_care_plan_is_on_its_authors_worklist(org: Any, login: Any) -> None:
    factories.CarePlanFactory(enrolment=org.junior_client.enrolments.get(), status="returned")
    page = login(org.junior).get(reverse("worklist:caseload"))
    assert "Care plan returned by the supervisor: revise and resubmit" in page.content.decode()


def test_a_large_team_comes_a_page_of_care_managers_at_a_time(
    org: Any, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A senior's whole program can be hundreds of care managers: the figures are worked out
    for the page shown."""
    from caseload.team import team_view

    monkeypatch.setattr(team_view, "MEMBERS_PER_PAGE", 1)
    http = login(org.director)
    first = http.get(TEAM)
    members = first.context["page"].paginator.count
    assert members > 1
    assert len(first.context["rows"]) == 1
    html = first.content.decode()
    assert f"Care managers 1–1 of {members}" in html
    assert 'href="?page=2"' in html
    second = http.get(TEAM, {"page": "2"})
    assert second.context["rows"][0].person != first.context["rows"][0].person
    assert f"Care managers 2–2 of {members}" in second.content.decode()
    last = http.get(TEAM, {"page": "x"})  # not a number: the first page
    assert last.context["rows"][0].person == first.context["rows"][0].person
