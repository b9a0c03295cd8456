"""Referral pages through HTTP: a referral from draft to closed, its history and write-back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.referrals import services
from caseload.referrals.models import Referral
from tests import factories
from tests.referrals.conftest import goal_for, make_referral


def _detail(referral: Any) -> str:
    return reverse("referrals:referral_detail", kwargs={"referral_id": referral.pk})


def _status(http: Any, referral: Any, to_status: str, **extra: Any) -> Any:
    referral.refresh_from_db()
    data = {"to_status": to_status, "version": referral.version, **extra}
    return http.post(
        reverse("referrals:referral_transition", kwargs={"referral_id": referral.pk}), data
    )


@pytest.mark.django_db
def test_referral_walk_from_draft_to_closed_with_outcome_on_the_goal(
    org: Any, meals: Any, login: Any
) -> None:
    client = org.junior_client
    goal = goal_for(client, org.junior)
    http = login(org.junior)

    form = http.get(
        reverse("referrals:referral_create", kwargs={"client_id": client.pk})
        + f"?service={meals.pk}"
    )
    assert form.status_code == 200
    assert "Eats two balanced meals a day" in form.content.decode()
    response = http.post(
        reverse("referrals:referral_create", kwargs={"client_id": client.pk}),
        {
            "enrolment": client.enrolments.first().pk,
            "service": meals.pk,
            "reason": "Food insecurity on the HRSN screen",
            "care_plan_link": f"goal:{goal.pk}",
            "urgency": "routine",
            "shared_fields": ["name", "phone", "reason"],
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(referral)
    assert (referral.status, referral.goal, referral.consent) == ("draft", goal, None)
    assert AuditEvent.objects.filter(action="referral.created", client=client).count() == 1

    # No consent to share with the meals service yet: the draft is kept, sending is refused,
    # and the page links to recording the consent with the organisation's name filled in.
    page = http.get(_detail(referral)).content.decode()
    assert "None in force" in page
    assert "Print referral letter" not in page
    refused = _status(http, referral, "sent")
    assert refused.status_code == 400
    assert (
        "no current consent to share information with Home-delivered meals "
        "(Eastside Meals on Wheels). Record the client" in refused.content.decode()
    )
    consent_page = http.get(
        reverse("consents:client", kwargs={"client_id": client.pk})
        + "?provider=Eastside+Meals+on+Wheels"
    ).content.decode()
    assert 'value="Eastside Meals on Wheels"' in consent_page
    recorded = http.post(
        reverse("consents:client", kwargs={"client_id": client.pk}),
        {
            "kind": "share_provider",
            "provider_name": "Eastside Meals on Wheels",
            "categories": ["contact", "conditions"],
            "method": "written",
            "given_on": clock.today().isoformat(),
        },
    )
    assert recorded.status_code == 302
    assert "In force" in http.get(_detail(referral)).content.decode()

    for step, extra in [
        ("sent", {}),
        ("received", {"note": "Intake coordinator has it"}),
        ("accepted", {}),
        ("scheduled", {"scheduled_for": "2030-03-16T10:00"}),
        ("completed", {"note": "Delivery started five days a week."}),
    ]:
        response = _status(http, referral, step, **extra)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    referral.refresh_from_db()
    assert referral.consent is not None
    assert referral.consent.provider_name == "Eastside Meals on Wheels"

    page = http.get(_detail(referral)).content.decode()
    assert "Completed" in page
    assert "Delivery started five days a week." in page
    assert "Intake coordinator has it" in page  # history notes shown
    history = page[page.index('id="referral-history"') :]
    for change in (
        "Draft → Sent",
        "Sent → Received",
        "Received → Accepted",
        "Accepted → Scheduled",
        "Scheduled → Completed",
    ):
        assert change in history, change
    assert "Outcome recorded on the care plan goal" in page
    goal.refresh_from_db()
    assert "Delivery started five days a week." in goal.outcome_note
    assert AuditEvent.objects.filter(action="referral.viewed", client=client).exists()
    assert AuditEvent.objects.filter(action="referral.transitioned", client=client).count() == 5

    # the outcome shows on the care plan page, under the goal
    plan_page = http.get(reverse("careplans:detail", kwargs={"plan_id": goal.careplan_id}))
    assert plan_page.status_code == 200
    assert "Delivery started five days a week." in plan_page.content.decode()


@pytest.mark.django_db
def test_a_forbidden_transition_is_refused_naming_the_allowed_ones(
    org: Any, meals: Any, login: Any
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="sent"
    )
    response = _status(login(org.junior), referral, "completed", note="Done")
    assert response.status_code == 409
    page = response.content.decode()
    assert "can only become received, accepted, declined or cancelled, not completed" in page
    referral.refresh_from_db()
    assert referral.status == "sent"


@pytest.mark.django_db
def test_closing_without_an_outcome_keeps_the_page_with_an_error(
    org: Any, meals: Any, login: Any
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="scheduled"
    )
    response = _status(login(org.junior), referral, "no_show", note="")
    assert response.status_code == 400
    assert "Describe the outcome" in response.content.decode()


@pytest.mark.django_db
def test_stale_status_form_is_a_conflict_with_the_current_state(
    org: Any, meals: Any, login: Any
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="sent"
    )
    http = login(org.junior)
    response = http.post(
        reverse("referrals:referral_transition", kwargs={"referral_id": referral.pk}),
        {"to_status": "received", "version": 7},
    )
    assert response.status_code == 409
    assert "Someone else changed this while you were editing" in response.content.decode()


@pytest.mark.django_db
def test_reopen_needs_a_reason_and_is_kept_in_the_history(org: Any, meals: Any, login: Any) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="declined"
    )
    http = login(org.junior)
    url = reverse("referrals:referral_reopen", kwargs={"referral_id": referral.pk})
    assert http.post(url, {"reason": "", "version": 1}).status_code == 400
    assert http.post(url, {"reason": "Place opened up", "version": 1}).status_code == 302
    page = http.get(_detail(referral)).content.decode()
    assert "Reopened: declined → received" in page
    assert "Place opened up" in page


@pytest.mark.django_db
def test_nul_characters_are_refused_with_a_clear_message(org: Any, meals: Any, login: Any) -> None:
    response = login(org.junior).post(
        reverse("referrals:referral_create", kwargs={"client_id": org.junior_client.pk}),
        {
            "enrolment": org.junior_client.enrolments.first().pk,
            "service": meals.pk,
            "reason": "Food\x00",
            "urgency": "routine",
        },
    )
    assert response.status_code == 400
    assert "invalid control character" in response.content.decode()
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_editing_a_draft_changes_what_is_shared(org: Any, meals: Any, login: Any) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, consent=False, shared_fields=[]
    )
    http = login(org.supervisor)
    url = reverse("referrals:referral_edit", kwargs={"referral_id": referral.pk})
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {
            "enrolment": referral.enrolment_id,
            "service": meals.pk,
            "reason": "Food insecurity",
            "urgency": "soon",
            "shared_fields": ["name"],
            "version": referral.version,
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.shared_fields, referral.urgency) == (["name"], "soon")
    updated = AuditEvent.objects.get(action="referral.updated", target_id=str(referral.pk))
    assert updated.detail == {"sharing_changed": True}


@pytest.mark.django_db
def test_a_sent_referral_cannot_be_edited(org: Any, meals: Any, login: Any) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="sent"
    )
    response = login(org.junior).get(
        reverse("referrals:referral_edit", kwargs={"referral_id": referral.pk})
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_my_referrals_lists_unanswered_first_with_bounded_queries(
    org: Any, meals: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    today = clock.today()
    for days in range(8):
        client = factories.EnrolmentFactory(program=org.geriatric, care_manager=org.junior).client
        make_referral(
            client=client,
            owner=org.junior,
            service=meals,
            status="sent",
            response_due_on=today - dt.timedelta(days=days),
        )
    http = login(org.junior)
    with django_assert_max_num_queries(10):
        response = http.get(reverse("referrals:referral_list"))
    assert response.status_code == 200
    assert len(response.context["referrals"]) == 8
    assert response.content.decode().count("No answer: response was due") == 7
    assert AuditEvent.objects.filter(action="referral.list_viewed").count() == 8


def _edit_data(referral: Any, meals: Any, **extra: Any) -> dict[str, Any]:
    return {
        "enrolment": referral.enrolment_id,
        "service": meals.pk,
        "reason": "My words about the referral",
        "urgency": "routine",
        "shared_fields": ["name"],
        **extra,
    }


@pytest.mark.django_db
def test_a_stale_referral_edit_keeps_the_users_text_beside_the_saved_one(
    org: Any, meals: Any, login: Any
) -> None:
    referral = make_referral(client=org.junior_client, owner=org.junior, service=meals)
    opened = referral.version
    services.referral_update(  # saved in another tab meanwhile
        actor=org.junior,
        referral=referral,
        expected_version=opened,
        enrolment=referral.enrolment,
        service=meals,
        reason="Saved in the other tab",
        urgency="urgent",
        shared_fields=["name", "phone"],
    )
    referral.refresh_from_db()
    http = login(org.junior)
    url = reverse("referrals:referral_edit", kwargs={"referral_id": referral.pk})

    response = http.post(url, _edit_data(referral, meals, version=opened))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this referral since you opened it." in page
    assert "My words about the referral</textarea>" in page  # the user's text, kept
    current = page[page.index("The current saved version") :]
    assert "Saved in the other tab" in current and "Urgent" in current
    assert f'name="version" value="{referral.version}"' in page  # saving again overwrites
    assert f'href="{url}">discard your changes and reload</a>' in page
    referral.refresh_from_db()
    assert referral.reason == "Saved in the other tab"
    assert AuditEvent.objects.filter(action="referral.updated").count() == 1

    again = http.post(url, _edit_data(referral, meals, version=referral.version))
    assert again.status_code == 302
    referral.refresh_from_db()
    assert referral.reason == "My words about the referral"


@pytest.mark.django_db
def test_a_stale_status_form_keeps_the_note_and_shows_the_status_now(
    org: Any, meals: Any, login: Any
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="sent"
    )
    opened = referral.version
    services.referral_transition(
        actor=org.junior, referral=referral, to_status="received", expected_version=opened
    )
    referral.refresh_from_db()
    http = login(org.junior)
    response = http.post(
        reverse("referrals:referral_transition", kwargs={"referral_id": referral.pk}),
        {"to_status": "declined", "note": "They said no by phone", "version": opened},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this referral since you opened it." in page
    current = page[page.index("The current saved version") :]
    assert "<dt>Status</dt><dd>Received</dd>" in current
    assert "They said no by phone</textarea>" in page
    assert f'name="version" value="{referral.version}"' in page
    referral.refresh_from_db()
    assert referral.status == "received"


@pytest.mark.django_db
def test_reopening_a_referral_someone_reopened_meanwhile_is_a_conflict(
    org: Any, meals: Any, login: Any
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="declined"
    )
    opened = referral.version
    services.referral_reopen(
        actor=org.junior, referral=referral, reason="Place opened up", expected_version=opened
    )
    http = login(org.junior)
    response = http.post(
        reverse("referrals:referral_reopen", kwargs={"referral_id": referral.pk}),
        {"reason": "Reopening it too", "version": opened},
    )
    assert response.status_code == 409
    current = response.content.decode()
    current = current[current.index("The current saved version") :]
    assert "<dt>Status</dt><dd>Received</dd>" in current
    assert referral.events.filter(kind="reopened").count() == 1
