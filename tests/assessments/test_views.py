"""Giving an instrument through the pages: accessible form, drafts, completion, results."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from caseload.assessments import selectors, services
from caseload.assessments.models import AssessmentResponse, ReassessmentSchedule, ResponseStatus
from caseload.audit.models import AuditEvent
from caseload.core import clock
from tests import factories
from tests.assessments.helpers import complete, gad7_total, phq9, phq9_total

pytestmark = pytest.mark.django_db


def form_data(answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = {f"a_{link}": value for link, value in answers.items()}
    data.update(extra)
    return data


def administer_url(client_id: Any, code: str = "") -> str:
    url = reverse("assessments:administer", args=[client_id])
    return f"{url}?instrument={code}" if code else url


def test_the_instrument_picker_lists_every_instrument_and_is_audited(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    response = http.get(administer_url(cocm.client.pk))
    assert response.status_code == 200
    body = response.content.decode()
    for name in (
        "PHQ-9",
        "PHQ-2",
        "GAD-7",
        "Mini-Cog",
        "STEADI",
        "AHC HRSN",
        "LACE",
        "Katz ADL",
        "Lawton IADL",
    ):
        assert name in body
    event = AuditEvent.objects.get(action="assessment.form_opened")
    assert event.client_id == cocm.client.pk


def test_the_form_is_one_fieldset_with_a_legend_and_radios_per_question(
    login: Any, cocm: Any
) -> None:
    http = login(cocm.aisha)
    response = http.get(administer_url(cocm.client.pk, "phq9"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<fieldset") == 10  # 9 questions + the difficulty question
    assert body.count("<legend>") == 10
    assert "<legend>1. Little interest or pleasure in doing things</legend>" in body
    radios = re.findall(
        r'<input type="radio" name="a_q1" value="([^"]+)"[^>]*id="(id_a_q1_\d)"', body
    )
    assert [value for value, _ in radios] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    for _, radio_id in radios:
        assert f'<label for="{radio_id}">' in body
    assert "Pfizer" in body  # attribution shown
    assert "<script>" not in body  # no inline script (CSP)


def test_every_instrument_form_renders(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    for code in ("phq9", "phq2", "gad7", "minicog", "steadi", "hrsn", "lace", "katz", "lawton"):
        response = http.get(administer_url(cocm.client.pk, code))
        assert response.status_code == 200, code
    lace = http.get(administer_url(cocm.client.pk, "lace")).content.decode()
    assert 'type="number"' in lace
    assert "short labels" in lace
    hrsn = http.get(administer_url(cocm.client.pk, "hrsn")).content.decode()
    assert 'type="checkbox" name="a_problems"' in hrsn


def test_saving_a_draft_keeps_every_answer_and_shows_them_again(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    response = http.post(
        administer_url(cocm.client.pk, "phq9"),
        form_data({"q1": "LA6570-1", "q3": "LA6568-5"}, action="draft"),
    )
    draft = AssessmentResponse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:response", args=[draft.pk])
    assert draft.status == ResponseStatus.DRAFT
    assert draft.answers == {"q1": "LA6570-1", "q3": "LA6568-5"}
    page = http.get(response["Location"]).content.decode()
    assert re.search(r'value="LA6570-1"[^>]*id="id_a_q1_2"[^>]*checked', page) or re.search(
        r'value="LA6570-1"[^>]*checked[^>]*id="id_a_q1_2"', page
    )
    assert "Draft" in page


def test_opening_the_form_again_continues_the_existing_draft(login: Any, cocm: Any) -> None:
    draft = services.response_save_draft(
        actor=cocm.aisha, client=cocm.client, instrument_code="gad7", answers={"q1": "LA6569-3"}
    )
    http = login(cocm.aisha)
    response = http.get(administer_url(cocm.client.pk, "gad7"))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:response", args=[draft.pk])


def test_completing_scores_and_shows_the_result(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    response = http.post(
        administer_url(cocm.client.pk, "phq9"),
        form_data(phq9(2, 2, 2, 2, 1, 1, 1, 1, 0), action="complete"),
    )
    saved = AssessmentResponse.objects.get()
    assert response.status_code == 302
    assert saved.status == ResponseStatus.COMPLETED
    assert saved.total == 12
    page = http.get(response["Location"])
    body = page.content.decode()
    assert "<strong>12</strong>" in body
    assert "Moderate depression" in body
    assert AuditEvent.objects.filter(action="assessment.viewed", client=cocm.client).exists()


def test_completing_an_incomplete_response_says_what_is_missing_and_keeps_the_draft(
    login: Any, cocm: Any
) -> None:
    http = login(cocm.aisha)
    answers = phq9(1, 1, 1, 1, 1, 1, 1, 1, 0)
    del answers["q6"]
    response = http.post(
        administer_url(cocm.client.pk, "phq9"), form_data(answers, action="complete")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Answer every question before completing: 1 question is unanswered" in body
    assert 'href="#id_a_q6_0"' in body  # the error summary links to the question
    assert "Question 6: Answer this question." in body
    draft = AssessmentResponse.objects.get()
    assert draft.status == ResponseStatus.DRAFT
    assert draft.answers == answers
    # The form now saves against the draft, with its current version.
    assert reverse("assessments:response", args=[draft.pk]) in body
    assert f'name="version" value="{draft.version}"' in body


def test_an_answer_outside_the_options_is_refused_by_the_page(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    response = http.post(
        administer_url(cocm.client.pk, "phq9"),
        form_data({"q1": "LA6569-3", "q2": "3"}, action="draft"),
    )
    assert response.status_code == 400
    assert "Choose one of the answers offered." in response.content.decode()
    assert not AssessmentResponse.objects.exists()


def test_a_number_out_of_range_is_refused_by_the_page(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    response = http.post(
        administer_url(cocm.client.pk, "lace"),
        form_data({"los": "-2", "acuity": "emergent"}, action="draft"),
    )
    assert response.status_code == 400
    assert "Enter a number of 0 or more." in response.content.decode()


def test_a_nul_character_in_a_reason_is_refused(login: Any, cocm: Any) -> None:
    saved = complete(cocm.aisha, cocm.client, "phq9", phq9_total(3))
    http = login(cocm.aisha)
    response = http.post(
        reverse("assessments:entered_in_error", args=[saved.pk]),
        {"reason": "wrong\x00client", "version": saved.version},
    )
    assert response.status_code == 400
    saved.refresh_from_db()
    assert saved.status == ResponseStatus.COMPLETED


def test_a_stale_draft_save_answers_409_keeping_the_users_answers(login: Any, cocm: Any) -> None:
    draft = services.response_save_draft(
        actor=cocm.aisha, client=cocm.client, instrument_code="phq9", answers={"q1": "LA6569-3"}
    )
    services.response_save_draft(
        actor=cocm.senior,
        client=cocm.client,
        instrument_code="phq9",
        answers={"q1": "LA6571-9"},
        response=draft,
        expected_version=draft.version,
    )
    http = login(cocm.aisha)
    response = http.post(
        reverse("assessments:response", args=[draft.pk]),
        form_data({"q1": "LA6568-5", "q2": "LA6570-1"}, action="draft", version=draft.version),
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved answers" in body
    assert f'name="version" value="{draft.version + 1}"' in body
    assert re.search(r'value="LA6570-1"[^>]*id="id_a_q2_2"[^>]*checked', body)


def test_posting_to_a_completed_response_changes_nothing(login: Any, cocm: Any) -> None:
    saved = complete(cocm.aisha, cocm.client, "gad7", gad7_total(6))
    http = login(cocm.aisha)
    response = http.post(reverse("assessments:response", args=[saved.pk]), {"a_q1": "LA6571-9"})
    assert response.status_code == 409
    saved.refresh_from_db()
    assert saved.total == 6


def test_the_safety_rule_through_the_page(login: Any, cocm: Any) -> None:
    http = login(cocm.aisha)
    response = http.post(
        administer_url(cocm.client.pk, "phq9"),
        form_data(phq9(3, 3, 2, 2, 2, 2, 1, 1, 1), action="complete"),
    )
    page = http.get(response["Location"]).content.decode()
    assert "Safety follow-up today" in page
    assert "same-day safety follow-up" in page


def test_entered_in_error_through_the_page(login: Any, cocm: Any) -> None:
    saved = complete(cocm.aisha, cocm.client, "phq9", phq9_total(3))
    http = login(cocm.aisha)
    url = reverse("assessments:entered_in_error", args=[saved.pk])
    assert http.get(url).status_code == 200
    response = http.post(url, {"reason": "Wrong client", "version": saved.version})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.status == ResponseStatus.ENTERED_IN_ERROR


def test_the_fhir_export_is_audited(login: Any, cocm: Any) -> None:
    saved = complete(cocm.aisha, cocm.client, "phq9", phq9_total(7))
    http = login(cocm.aisha)
    response = http.get(reverse("assessments:response_fhir", args=[saved.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    assert bundle["entry"][0]["resource"]["resourceType"] == "QuestionnaireResponse"
    assert AuditEvent.objects.filter(action="assessment.exported", client=cocm.client).exists()


def test_the_client_history_shows_trends_with_a_table(login: Any, cocm: Any) -> None:
    today = clock.today()
    for weeks, total in ((8, 18), (4, 12), (0, 6)):
        complete(
            cocm.aisha, cocm.client, "phq9", phq9_total(total), on=today - dt.timedelta(weeks=weeks)
        )
    http = login(cocm.aisha)
    response = http.get(reverse("assessments:client_history", args=[cocm.client.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-trend-source="assessment-trend-phq9-data"' in body
    assert 'id="assessment-trend-phq9-data" type="application/json"' in body
    assert "chart-4.6.1.umd.min.js" in body
    assert "assessments/trends.js" in body
    assert "PHQ-9: 3 scores from 18" in body  # the canvas's text alternative
    assert body.count('<th scope="col">Score</th>') >= 1
    assert AuditEvent.objects.filter(action="assessment.viewed", client=cocm.client).exists()


def test_the_chart_section_shows_latest_due_drafts_and_trends(cocm: Any) -> None:
    today = clock.today()
    ReassessmentSchedule.objects.create(
        program=cocm.program, instrument_code="phq9", interval_days=28
    )
    ReassessmentSchedule.objects.create(
        program=cocm.program, instrument_code="gad7", interval_days=28
    )
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(16), on=today - dt.timedelta(days=40))
    complete(cocm.aisha, cocm.client, "phq9", phq9_total(11), on=today - dt.timedelta(days=30))
    services.response_save_draft(
        actor=cocm.aisha, client=cocm.client, instrument_code="steadi", answers={"s1": "LA33-6"}
    )
    summary = selectors.assessment_summary_for_client(actor=cocm.aisha, client=cocm.client)
    html = render_to_string(
        "assessments/partials/chart_section.html",
        {"summary": summary, "client": cocm.client},
    )
    assert '<section class="panel" id="assessments" aria-labelledby="assessments-title">' in html
    assert '<h2 id="assessments-title">Assessments</h2>' in html
    assert "Moderate depression" in html
    assert "\u22125 since" in html  # 16 → 11
    assert "PHQ-9 reassessment overdue since" in html
    assert "GAD-7 baseline overdue since" in html
    assert "Continue the STEADI" in html
    assert 'data-trend-source="assessment-trend-phq9-data"' in html
    assert f"{administer_url(cocm.client.pk)}?instrument=lace" in html


def test_the_summary_costs_three_queries_after_the_scope_check_whatever_the_history(
    cocm: Any, django_assert_max_num_queries: Any
) -> None:
    today = clock.today()
    ReassessmentSchedule.objects.create(
        program=cocm.program, instrument_code="phq9", interval_days=28
    )
    for days in range(0, 200, 20):
        complete(
            cocm.aisha,
            cocm.client,
            "phq9",
            phq9_total(days % 25),
            on=today - dt.timedelta(days=days),
        )
        complete(
            cocm.aisha,
            cocm.client,
            "gad7",
            gad7_total(days % 21),
            on=today - dt.timedelta(days=days),
        )
    # Outside a request the scope check is two queries (supervisees, the client); the chart
    # has made it already.
    with django_assert_max_num_queries(2 + 3):
        summary = selectors.assessment_summary_for_client(actor=cocm.aisha, client=cocm.client)
        render_to_string(
            "assessments/partials/chart_section.html",
            {"summary": summary, "client": cocm.client},
        )
    assert len(summary.trends) == 2


def test_goal_target_page_sets_a_target(login: Any, cocm: Any) -> None:
    plan = factories.CarePlanFactory(enrolment=cocm.enrolment, author=cocm.aisha)
    goal = factories.GoalFactory(problem=factories.ProblemFactory(careplan=plan), careplan=plan)
    http = login(cocm.aisha)
    url = reverse("assessments:goal_target", args=[goal.pk])
    assert http.get(url).status_code == 200
    bad = http.post(url, {"instrument": "phq9", "comparator": "lt", "target_score": "99"})
    assert bad.status_code == 400
    assert "Enter a score between 0 and 27." in bad.content.decode()
    response = http.post(url, {"instrument": "phq9", "comparator": "lt", "target_score": "5"})
    assert response.status_code == 302
    assert goal.score_target.target_score == 5


def test_a_blank_form_posted_after_someone_else_started_a_draft_is_a_conflict(
    login: Any, cocm: Any
) -> None:
    services.response_save_draft(
        actor=cocm.senior, client=cocm.client, instrument_code="phq9", answers={"q1": "LA6571-9"}
    )
    http = login(cocm.aisha)
    response = http.post(
        administer_url(cocm.client.pk, "phq9"),
        form_data({"q1": "LA6568-5", "q2": "LA6569-3"}, action="draft"),
    )
    assert response.status_code == 409
    assert "Nearly every day" in response.content.decode()  # what the other person saved
    draft = AssessmentResponse.objects.get()
    assert draft.answers == {"q1": "LA6571-9"}
