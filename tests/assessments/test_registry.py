"""The collaborative-care registry: response, remission and review flags for generated histories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.assessments import selectors
from caseload.audit.models import AuditEvent
from caseload.clients.models import Client
from caseload.core import clock
from caseload.core.errors import NotFound
from caseload.staff.models import CareerLevel
from tests import factories
from tests.assessments.helpers import complete, gad7_total, phq9_total
from tests.exports_support import csv_rows, exported

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class History:
    """A client started ``weeks`` ago with PHQ-9 totals at (week, total) and optional GAD-7."""

    name: str
    weeks: int
    phq: tuple[tuple[int, int], ...]
    gad: tuple[tuple[int, int], ...] = ()
    before_referral: int | None = None


HISTORIES = [
    History("Responder", 12, ((0, 20), (4, 8), (10, 4))),
    History("Stuck", 10, ((0, 16), (6, 12), (9, 10)), gad=((0, 15), (6, 6))),
    History("Halved", 3, ((0, 10), (2, 5))),
    History("Mild", 9, ((0, 6), (3, 4))),
    History("New", 2, ((0, 14),)),
    History("Lost", 5, ((0, 13),)),
    History("Unmeasured", 10, ()),
    History("Screened", 1, ((0, 11),), before_referral=22),
]


@pytest.fixture(autouse=True)
def _only_generated_histories(cocm: Any) -> None:
    """The fixture's own collaborative-care client is discharged: the registry shows open
    enrolments only, so it holds exactly the generated histories."""
    cocm.enrolment.status = "discharged"
    cocm.enrolment.ended_on = clock.today()
    cocm.enrolment.save(update_fields=["status", "ended_on"])


def build(cocm: Any, histories: list[History] = HISTORIES) -> dict[str, Client]:
    today = clock.today()
    clients: dict[str, Client] = {}
    for history in histories:
        start = today - dt.timedelta(weeks=history.weeks)
        enrolment = factories.EnrolmentFactory(
            program=cocm.program,
            care_manager=cocm.aisha,
            referred_on=start,
            started_on=start,
            client__family_name=history.name,
        )
        client = enrolment.client
        clients[history.name] = client
        if history.before_referral is not None:
            complete(
                cocm.aisha,
                client,
                "phq9",
                phq9_total(history.before_referral),
                on=start - dt.timedelta(days=20),
            )
        for week, total in history.phq:
            complete(
                cocm.aisha, client, "phq9", phq9_total(total), on=start + dt.timedelta(weeks=week)
            )
        for week, total in history.gad:
            complete(
                cocm.aisha, client, "gad7", gad7_total(total), on=start + dt.timedelta(weeks=week)
            )
    return clients


def rows_by_name(actor: Any, program: Any) -> dict[str, selectors.RegistryRow]:
    rows = selectors.registry_rows(actor=actor, program=program)
    return {row.sortable_name.split(",")[0]: row for row in rows}


def test_response_remission_and_flags_follow_the_collaborative_care_rules(cocm: Any) -> None:
    build(cocm)
    rows = rows_by_name(cocm.aisha, cocm.program)
    expected = {
        # name: (response, remission, no follow-up in 4 weeks, not responding at 8+)
        "Responder": (True, True, False, False),
        "Stuck": (False, False, True, True),
        "Halved": (True, False, False, False),
        "Mild": (False, True, False, False),
        "New": (False, False, False, False),
        "Lost": (False, False, True, False),
        "Unmeasured": (False, False, True, False),
        "Screened": (False, False, False, False),
    }
    for name, flags in expected.items():
        row = rows[name]
        got = (row.response, row.remission, row.no_followup_in_4_weeks, row.not_responding)
        assert got == flags, name


def test_baseline_latest_change_and_weeks(cocm: Any) -> None:
    build(cocm)
    rows = rows_by_name(cocm.aisha, cocm.program)
    responder = rows["Responder"]
    assert (responder.phq_baseline, responder.phq_latest, responder.phq_change) == (20, 4, -80)
    assert responder.weeks == 12
    stuck = rows["Stuck"]
    assert (stuck.phq_baseline, stuck.phq_latest, stuck.phq_change) == (16, 10, -38)
    assert (stuck.gad_baseline, stuck.gad_latest, stuck.gad_change) == (15, 6, -60)
    assert stuck.review_due_by == stuck.start_on + dt.timedelta(weeks=12)
    new = rows["New"]
    assert (new.phq_baseline, new.phq_change, new.has_phq_followup) == (14, None, False)
    assert rows["Unmeasured"].phq_baseline is None
    # A PHQ-9 taken before the referral is not the baseline.
    assert rows["Screened"].phq_baseline == 11


def test_default_order_puts_clients_not_responding_first_then_no_follow_up(cocm: Any) -> None:
    build(cocm)
    rows = selectors.registry_rows(actor=cocm.aisha, program=cocm.program)
    names = [row.sortable_name.split(",")[0] for row in rows]
    assert names[0] == "Stuck"
    assert set(names[1:3]) == {"Unmeasured", "Lost"}
    assert names[1] == "Unmeasured"  # longer in treatment first


def test_sorting_by_change_puts_empty_values_last_either_way(cocm: Any) -> None:
    build(cocm)
    rows = selectors.registry_rows(actor=cocm.aisha, program=cocm.program, sort="phq_change")
    changes = [row.phq_change for row in rows]
    assert changes[:4] == [-80, -50, -38, -33]
    assert changes[4:] == [None] * 4
    rows = selectors.registry_rows(actor=cocm.aisha, program=cocm.program, sort="-phq_change")
    assert [row.phq_change for row in rows][:4] == [-33, -38, -50, -80]


def test_the_registry_page_shows_flags_counts_and_sort_links(login: Any, cocm: Any) -> None:
    build(cocm)
    http = login(cocm.aisha)
    url = reverse("assessments:registry", args=[cocm.program.pk])
    response = http.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not responding at week 10" in body
    assert "No follow-up within 4 weeks" in body
    assert "<strong>1</strong> not responding at 8+ weeks" in body
    assert "<strong>3</strong> no follow-up within 4 weeks" in body
    assert "<strong>2</strong> responding" in body
    assert "<strong>2</strong> in remission" in body
    assert "?sort=phq_change" in body
    assert "export.csv" in body
    sorted_page = http.get(url + "?sort=-weeks").content.decode()
    assert 'aria-sort="descending"' in sorted_page
    only = http.get(url + "?show=attention").content.decode()
    assert "Responder" not in only
    assert "Stuck" in only


def test_viewing_the_registry_audits_each_client_shown(login: Any, cocm: Any) -> None:
    clients = build(cocm)
    login(cocm.aisha).get(reverse("assessments:registry", args=[cocm.program.pk]))
    audited = set(
        AuditEvent.objects.filter(action="assessment.registry_viewed").values_list(
            "client_id", flat=True
        )
    )
    assert audited == {c.pk for c in clients.values()}


def test_the_csv_export_has_every_row_and_defuses_formulas(login: Any, cocm: Any) -> None:
    build(cocm, [*HISTORIES, History("=HYPERLINK(1)", 3, ((0, 9),))])
    response = exported(
        login(cocm.aisha), reverse("assessments:registry_csv", args=[cocm.program.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    reader = csv_rows(response)
    header, rows = reader[0], reader[1:]
    assert header[:3] == ["Client", "MRN", "Care manager"]
    assert len(rows) == len(HISTORIES) + 1
    stuck = next(r for r in rows if r[0].startswith("Stuck"))
    assert stuck[header.index("PHQ-9 change %")] == "-38"
    assert stuck[header.index("Not responding at 8+ weeks")] == "yes"
    assert any(r[0].startswith("'=HYPERLINK") for r in rows)
    assert AuditEvent.objects.filter(action="assessment.registry_exported").count() == len(rows)


def test_the_registry_costs_the_same_queries_for_many_clients(
    login: Any, cocm: Any, django_assert_max_num_queries: Any
) -> None:
    build(cocm)
    http = login(cocm.aisha)
    url = reverse("assessments:registry", args=[cocm.program.pk])
    with CaptureQueriesContext(connection) as few:
        assert http.get(url).status_code == 200
    build(cocm, [History(f"More{i}", 9, ((0, 12), (4, 9), (8, 7))) for i in range(15)])
    # Session, user and audit bookkeeping included; the registry itself is one query.
    with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as many:
        assert http.get(url).status_code == 200
    assert len(many) == len(few)


# --- who sees what ----------------------------------------------------------------------------


def test_care_managers_see_only_their_scoped_clients(org: Any, cocm: Any) -> None:
    build(cocm, HISTORIES[:2])
    # The supervisor (another program) has one client in collaborative care too.
    theirs = factories.EnrolmentFactory(program=cocm.program, care_manager=org.supervisor)
    rows = selectors.registry_rows(actor=org.supervisor, program=cocm.program)
    assert [r.client_id for r in rows] == [theirs.client_id]
    assert len(selectors.registry_rows(actor=cocm.aisha, program=cocm.program)) == 2
    assert len(selectors.registry_rows(actor=cocm.senior, program=cocm.program)) == 3
    assert len(selectors.registry_rows(actor=org.director, program=cocm.program)) == 3


def test_the_registry_of_another_program_is_not_found(login: Any, org: Any, cocm: Any) -> None:
    build(cocm, HISTORIES[:1])
    for user in (org.other_cm, org.senior_other, org.junior, org.admin):
        with pytest.raises(NotFound):
            selectors.registry_program_get(actor=user, program_id=cocm.program.pk)
        http = login(user)
        assert http.get(reverse("assessments:registry", args=[cocm.program.pk])).status_code == 404
        csv_url = reverse("assessments:registry_csv", args=[cocm.program.pk])
        assert http.get(csv_url).status_code == 404
        assert http.post(csv_url).status_code == 404


def test_a_member_of_a_program_with_no_clients_yet_sees_an_empty_registry(
    login: Any, cocm: Any
) -> None:
    newcomer = factories.UserFactory(username="newcomer", career_level=CareerLevel.JUNIOR)
    newcomer.programs.add(cocm.program)
    build(cocm, HISTORIES[:2])
    response = login(newcomer).get(reverse("assessments:registry", args=[cocm.program.pk]))
    assert response.status_code == 200
    assert "No clients to show." in response.content.decode()


def test_the_registry_index_lists_programs_in_scope(login: Any, org: Any, cocm: Any) -> None:
    response = login(org.director).get(reverse("assessments:registry_index"))
    body = response.content.decode()
    assert "Collaborative care" in body
    assert "Geriatric care management" in body
    one = login(cocm.aisha).get(reverse("assessments:registry_index"))
    assert one.status_code == 302
    assert one["Location"] == reverse("assessments:registry", args=[cocm.program.pk])
