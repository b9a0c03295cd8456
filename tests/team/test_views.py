"""Bulk reassignment through its pages: choose, preview, change a row, confirm."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.enrolments.models import Enrolment
from caseload.tasks.models import Task
from caseload.team.models import ReassignmentBatch
from caseload.team.services import INTRO_TITLE
from tests.jobs_support import run_queued_jobs
from tests.team.conftest import Departure

pytestmark = pytest.mark.django_db

REASSIGN = "/team/reassign/"


def _selection(departure: Departure, receivers: list[Any]) -> dict[str, Any]:
    return {
        "enrolments": [str(e.pk) for e in departure.enrolments],
        "receivers": [str(r.pk) for r in receivers],
    }


def test_care_managers_and_other_staff_do_not_find_the_pages(org: Any, login: Any) -> None:
    for role in ("junior", "supervisor", "other_cm", "admin", "privacy"):
        http = login(org.users()[role])
        assert http.get(REASSIGN).status_code == 404, role
        assert http.post(reverse("team:reassign_preview"), {}).status_code == 404, role
        assert http.post(reverse("team:reassign_confirm"), {}).status_code == 404, role


def test_a_senior_sees_only_their_programs_caseloads(
    org: Any, departure: Departure, login: Any
) -> None:
    page = login(org.senior_other).get(REASSIGN)
    assert page.status_code == 200
    assert "Tomás Reyes" not in page.content.decode()
    page = login(org.senior).get(REASSIGN)
    assert "Tomás Reyes" in page.content.decode()


def test_choosing_a_caseload_lists_its_clients_ticked_and_audits_the_list(
    org: Any, departure: Departure, login: Any
) -> None:
    page = login(org.senior).get(REASSIGN, {"care_manager": departure.leaving.pk})
    html = page.content.decode()
    assert page.status_code == 200
    for enrolment in departure.enrolments:
        assert enrolment.client.sortable_name in html
    assert html.count("checked") >= 5
    assert "Tomás Reyes —" not in html  # the departing care manager is not offered as receiver
    listed = AuditEvent.objects.filter(action="client.listed", detail__page="reassign")
    assert listed.count() == 5


def test_the_preview_proposes_and_changes_nothing(
    org: Any, departure: Departure, login: Any
) -> None:
    http = login(org.senior)
    page = http.post(
        reverse("team:reassign_preview"), _selection(departure, [org.supervisor, departure.lena])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Receivers&#x27; caseloads" in html or "Receivers' caseloads" in html
    assert Enrolment.objects.filter(care_manager=departure.leaving).count() == 5
    tagalog = departure.enrolments[0]
    field = page.context["form"][f"to_{tagalog.pk}"]
    assert field.value() == str(departure.lena.pk)


def test_confirm_with_a_changed_row_moves_everyone_and_shows_the_outcome(
    org: Any, departure: Departure, login: Any
) -> None:
    http = login(org.senior)
    page = http.post(
        reverse("team:reassign_preview"), _selection(departure, [org.supervisor, departure.lena])
    )
    form = page.context["form"]
    data = {**_selection(departure, [org.supervisor, departure.lena]), "reason": "Tomás leaves"}
    for name in form.fields:
        if name.startswith(("to_", "version_")):
            data[name] = form[name].value()
    first = departure.enrolments[0]
    data[f"to_{first.pk}"] = str(org.supervisor.pk)  # the senior changes one row
    data[f"to_{departure.enrolments[4].pk}"] = ""  # and keeps one client where they are
    response = http.post(reverse("team:reassign_confirm"), data)
    assert response.status_code == 302
    batch = ReassignmentBatch.objects.get()
    assert response["Location"] == reverse("team:batch", args=[batch.pk])
    assert Enrolment.objects.get(pk=first.pk).care_manager_id == org.supervisor.pk
    assert (
        Enrolment.objects.get(pk=departure.enrolments[4].pk).care_manager_id == departure.leaving.pk
    )
    assert Task.objects.filter(title=INTRO_TITLE).count() == 4
    outcome = http.get(response["Location"]).content.decode()
    assert "Done: 4 clients" in outcome


def test_confirm_after_a_concurrent_change_names_the_client_and_moves_nothing(
    org: Any, departure: Departure, login: Any
) -> None:
    http = login(org.senior)
    page = http.post(reverse("team:reassign_preview"), _selection(departure, [departure.lena]))
    form = page.context["form"]
    data = {**_selection(departure, [departure.lena]), "reason": "Tomás leaves"}
    for name in form.fields:
        if name.startswith(("to_", "version_")):
            data[name] = form[name].value()
    changed = departure.enrolments[2]
    Enrolment.objects.filter(pk=changed.pk).update(version=changed.version + 1)
    response = http.post(reverse("team:reassign_confirm"), data)
    assert response.status_code == 409
    assert changed.client.full_name in response.content.decode()
    assert Enrolment.objects.filter(care_manager=departure.leaving).count() == 5
    assert not Task.objects.filter(title=INTRO_TITLE).exists()


def test_confirm_over_a_cap_is_refused_on_the_preview(
    org: Any, departure: Departure, login: Any
) -> None:
    departure.lena.caseload_cap_override = 2
    departure.lena.save()
    http = login(org.senior)
    data = {**_selection(departure, [departure.lena]), "reason": "Tomás leaves"}
    for e in departure.enrolments:
        data[f"to_{e.pk}"] = str(departure.lena.pk)
        data[f"version_{e.pk}"] = str(e.version)
    response = http.post(reverse("team:reassign_confirm"), data)
    assert response.status_code == 400
    assert "over their cap of 2" in response.content.decode()
    assert Enrolment.objects.filter(care_manager=departure.leaving).count() == 5


def test_a_reason_is_asked_for(org: Any, departure: Departure, login: Any) -> None:
    http = login(org.senior)
    data = _selection(departure, [departure.lena])
    response = http.post(reverse("team:reassign_confirm"), data)
    assert response.status_code == 400
    assert "Say why these clients are being reassigned." in response.content.decode()


def test_nothing_chosen_says_what_to_choose(org: Any, departure: Departure, login: Any) -> None:
    response = login(org.senior).post(reverse("team:reassign_preview"), {})
    assert response.status_code == 400
    assert "Choose at least one client to reassign." in response.content.decode()


def test_someone_elses_batch_is_not_found(org: Any, departure: Departure, login: Any) -> None:
    http = login(org.senior)
    data = {**_selection(departure, [departure.lena]), "reason": "Tomás leaves"}
    for e in departure.enrolments:
        data[f"to_{e.pk}"] = str(departure.lena.pk)
        data[f"version_{e.pk}"] = str(e.version)
    url = http.post(reverse("team:reassign_confirm"), data)["Location"]
    assert login(org.senior_other).get(url).status_code == 404
    assert login(org.director).get(url).status_code == 200


def test_a_large_batch_runs_as_a_background_job_and_the_page_says_when_it_is_done(
    org: Any, departure: Departure, login: Any, settings: Any
) -> None:
    settings.REASSIGN_INLINE_LIMIT = 3  # five clients: a large batch here
    http = login(org.senior)
    data = {**_selection(departure, [departure.lena]), "reason": "Tomás leaves"}
    for e in departure.enrolments:
        data[f"to_{e.pk}"] = str(departure.lena.pk)
        data[f"version_{e.pk}"] = str(e.version)
    url = http.post(reverse("team:reassign_confirm"), data)["Location"]
    waiting = http.get(url).content.decode()
    assert "Waiting to start: 5 client enrolments" in waiting
    assert 'hx-trigger="every 2s"' in waiting
    assert Enrolment.objects.filter(care_manager=departure.leaving).count() == 5
    assert run_queued_jobs() == ["Done: 5 clients moved"]
    done = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Done: 5 clients (5 enrolments) moved" in done
    assert "hx-trigger" not in done
    assert not Enrolment.objects.filter(care_manager=departure.leaving).exists()


@pytest.mark.parametrize(
    "bad", ["bad\x00value", "x" * 100_000, "not-a-valid-00000000-id", "-1e999"]
)
def test_hostile_input_on_the_preview_and_confirm_is_a_clear_4xx(
    org: Any, departure: Departure, login: Any, bad: str
) -> None:
    http = login(org.senior)
    enrolment = departure.enrolments[0]
    data = {
        "enrolments": [str(enrolment.pk), bad],
        "receivers": [str(departure.lena.pk), bad],
        "reason": bad,
        f"to_{enrolment.pk}": bad,
        f"version_{enrolment.pk}": bad,
        "recalculate": bad,
    }
    for name in ("team:reassign_preview", "team:reassign_confirm"):
        assert http.post(reverse(name), data).status_code < 500, name
    for query in ({"care_manager": bad}, {"program": bad}, {"acuity": bad}, {"area": bad}):
        assert http.get(REASSIGN, query).status_code in (200, 400), query
    assert Enrolment.objects.filter(care_manager=departure.leaving).count() == 5


def test_the_batch_page_shows_each_step_and_stops_polling_when_it_ends(
    org: Any, departure: Departure, login: Any
) -> None:
    """What a batch running as a job looks like at each step (the page polls its fragment)."""
    http = login(org.senior)
    batch = ReassignmentBatch.objects.create(
        actor=org.senior,
        reason="Tomás leaves",
        moves=[],
        total=250,
        checked=100,
        status="checking",
    )
    url = reverse("team:batch", args=[batch.pk])
    checking = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Checking the clients: 100 of 250 client enrolments checked" in checking
    assert 'value="100"' in checking and 'hx-trigger="every 2s"' in checking
    assert "<html" not in checking  # the fragment only
    ReassignmentBatch.objects.filter(pk=batch.pk).update(status="running", checked=250)
    moving = http.get(url).content.decode()
    assert "all 250 client enrolments checked; now moving them in one step" in moving
    assert 'hx-trigger="every 2s"' in moving
    ReassignmentBatch.objects.filter(pk=batch.pk).update(
        status="failed",
        error="Someone changed the enrolment of Client3 Family3 since the "
        "preview was made: nothing was moved.",
        error_code="stale",
    )
    failed = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Failed: nothing was moved." in failed and "Client3 Family3" in failed
    assert "hx-trigger" not in failed
