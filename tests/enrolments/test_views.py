"""Enrolment pages through HTTP: response, database and audit row."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.core import clock
from caseload.enrolments.models import CareTeamMember, Enrolment
from tests import factories

pytestmark = pytest.mark.django_db


def _enrol_form(org, **overrides):
    data = {
        "program": str(org.chronic.pk),
        "care_manager": str(org.junior.pk),
        "acuity": "2",
        "referred_on": clock.today().isoformat(),
        "referral_source": "Dr. Park",
    }
    data.update(overrides)
    return data


def _referred(org):
    return factories.EnrolmentFactory(
        client=factories.ClientFactory(),
        program=org.geriatric,
        care_manager=org.junior,
        status="referred",
        started_on=None,
    )


# --- enrol ------------------------------------------------------------------------------------


def test_enrolling_a_client_redirects_to_the_new_enrolment(org, login):
    client = org.junior_client
    http = login(org.junior)
    url = reverse("enrolments:create", args=[client.pk])
    assert http.get(url).status_code == 200
    response = http.post(url, _enrol_form(org))
    enrolment = Enrolment.objects.get(client=client, program=org.chronic)
    assert response.status_code == 302
    assert response["Location"] == reverse("enrolments:detail", args=[enrolment.pk])
    assert (enrolment.status, enrolment.referral_source) == ("referred", "Dr. Park")
    assert AuditEvent.objects.filter(
        action="enrolment.created", client=client, target_id=str(enrolment.pk)
    ).exists()


def test_enrolment_over_the_cap_is_refused_naming_the_cap(org, login):
    org.junior.caseload_cap_override = 1
    org.junior.save()
    response = login(org.junior).post(
        reverse("enrolments:create", args=[org.junior_client.pk]), _enrol_form(org)
    )
    assert response.status_code == 400
    assert "reached their caseload cap of 1 open enrolments" in response.content.decode()
    assert org.junior_client.enrolments.count() == 1


def test_second_open_enrolment_in_a_program_is_a_form_error(org, login):
    response = login(org.junior).post(
        reverse("enrolments:create", args=[org.junior_client.pk]),
        _enrol_form(org, program=str(org.geriatric.pk)),
    )
    assert response.status_code == 400
    assert "already has an open enrolment in Geriatric care management" in (
        response.content.decode()
    )


def test_junior_cannot_enrol_a_client_with_someone_else(org, login):
    response = login(org.junior).post(
        reverse("enrolments:create", args=[org.junior_client.pk]),
        _enrol_form(org, care_manager=str(org.supervisor.pk)),
    )
    assert response.status_code == 400
    assert not Enrolment.objects.filter(program=org.chronic, client=org.junior_client).exists()


def test_enrol_form_nul_character_is_a_form_error(org, login):
    response = login(org.junior).post(
        reverse("enrolments:create", args=[org.junior_client.pk]),
        _enrol_form(org, referral_source="Dr.\x00 Park"),
    )
    assert response.status_code == 400
    assert "Remove the invalid control character" in response.content.decode()


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_history_team_and_only_allowed_transitions(org, login):
    enrolment = _referred(org)
    factories.CareTeamMemberFactory(enrolment=enrolment, external_name="Dr. Ada Park")
    response = login(org.junior).get(reverse("enrolments:detail", args=[enrolment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dr. Ada Park" in html
    form = response.context["transition_form"]
    assert [value for value, _ in form.fields["to_status"].choices] == ["active", "discharged"]
    assert 'value="on_hold"' not in html
    assert reverse("careplans:create", args=[enrolment.pk]) in html
    assert "reassign_form" not in response.context  # a junior does not reassign
    assert AuditEvent.objects.filter(
        action="enrolment.viewed", target_id=str(enrolment.pk), client=enrolment.client
    ).exists()


def test_detail_links_to_the_existing_care_plan(org, login):
    enrolment = org.junior_client.enrolments.get()
    plan = factories.CarePlanFactory(enrolment=enrolment)
    html = login(org.junior).get(reverse("enrolments:detail", args=[enrolment.pk])).content.decode()
    assert reverse("careplans:detail", args=[plan.pk]) in html
    assert reverse("careplans:create", args=[enrolment.pk]) not in html


def test_senior_sees_the_reassign_form(org, login):
    enrolment = org.junior_client.enrolments.get()
    response = login(org.senior).get(reverse("enrolments:detail", args=[enrolment.pk]))
    choices = set(response.context["reassign_form"].fields["care_manager"].queryset)
    assert org.supervisor in choices and org.junior not in choices and org.other_cm not in choices


def test_detail_query_count_is_bounded(org, login, django_assert_max_num_queries):
    enrolment = org.junior_client.enrolments.get()
    for i in range(15):
        factories.CareTeamMemberFactory(enrolment=enrolment, external_name=f"Person {i}")
    http = login(org.senior)
    with django_assert_max_num_queries(30):
        assert http.get(reverse("enrolments:detail", args=[enrolment.pk])).status_code == 200


# --- transitions ------------------------------------------------------------------------------


def test_transition_through_the_page(org, login):
    enrolment = _referred(org)
    http = login(org.junior)
    url = reverse("enrolments:transition", args=[enrolment.pk])
    assert http.get(url).status_code == 200
    response = http.post(
        url, {"to_status": "active", "reason": "Agreed at first visit", "version": "1"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and enrolment.started_on == clock.today()
    assert enrolment.events.get().reason == "Agreed at first visit"
    assert AuditEvent.objects.filter(action="enrolment.transitioned").count() == 1
    page = http.get(response["Location"]).content.decode()
    assert "Agreed at first visit" in page  # in the status history table


def test_discharge_through_the_page_needs_a_reason_for_discharge(org, login):
    enrolment = org.junior_client.enrolments.get()
    url = reverse("enrolments:transition", args=[enrolment.pk])
    http = login(org.junior)
    response = http.post(url, {"to_status": "discharged", "reason": "Moved", "version": "1"})
    assert response.status_code == 400
    assert "Choose the reason for discharge." in response.content.decode()
    response = http.post(
        url,
        {"to_status": "discharged", "discharge_reason": "moved", "reason": "Moved", "version": "1"},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.discharge_reason) == ("discharged", "moved")


def test_forbidden_transition_through_the_page_is_a_form_error(org, login):
    enrolment = _referred(org)
    response = login(org.junior).post(
        reverse("enrolments:transition", args=[enrolment.pk]),
        {"to_status": "on_hold", "reason": "x", "version": "1"},
    )
    assert response.status_code == 400
    assert "That status is not possible from the current one." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == "referred"


def test_stale_transition_is_a_conflict_keeping_the_reason(org, login):
    enrolment = org.junior_client.enrolments.get()
    url = reverse("enrolments:transition", args=[enrolment.pk])
    login(org.supervisor).post(
        url, {"to_status": "on_hold", "reason": "In hospital", "version": "1"}
    )
    response = login(org.junior).post(
        url,
        {
            "to_status": "discharged",
            "discharge_reason": "goals_met",
            "reason": "All goals met, client is thriving",
            "version": "1",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this while you were editing" in html
    assert "All goals met, client is thriving" in html
    assert 'name="version" value="2"' in html
    enrolment.refresh_from_db()
    assert enrolment.status == "on_hold"


def test_transition_nul_character_is_a_form_error(org, login):
    enrolment = _referred(org)
    response = login(org.junior).post(
        reverse("enrolments:transition", args=[enrolment.pk]),
        {"to_status": "active", "reason": "ok\x00", "version": "1"},
    )
    assert response.status_code == 400
    assert "Remove the invalid control character" in response.content.decode()


def test_care_team_member_cannot_change_status(org, login):
    enrolment = org.other_client.enrolments.get()
    factories.CareTeamMemberFactory(enrolment=enrolment, staff=org.junior, external_name="")
    http = login(org.junior)
    assert http.get(reverse("enrolments:detail", args=[enrolment.pk])).status_code == 200
    response = http.post(
        reverse("enrolments:transition", args=[enrolment.pk]),
        {"to_status": "on_hold", "reason": "x", "version": "1"},
    )
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == "active"


# --- reassignment and acuity ------------------------------------------------------------------


def test_senior_reassigns_through_the_page(org, login):
    enrolment = org.junior_client.enrolments.get()
    http = login(org.senior)
    url = reverse("enrolments:reassign", args=[enrolment.pk])
    assert http.get(url).status_code == 200
    response = http.post(
        url, {"care_manager": str(org.supervisor.pk), "reason": "Maya on leave", "version": "1"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.care_manager == org.supervisor
    assert AuditEvent.objects.filter(action="enrolment.reassigned").count() == 1


def test_reassignment_over_cap_names_the_cap(org, login):
    org.supervisor.caseload_cap_override = 1
    org.supervisor.save()
    enrolment = org.junior_client.enrolments.get()
    response = login(org.senior).post(
        reverse("enrolments:reassign", args=[enrolment.pk]),
        {"care_manager": str(org.supervisor.pk), "reason": "x", "version": "1"},
    )
    assert response.status_code == 400
    assert "caseload cap of 1" in response.content.decode()


@pytest.mark.parametrize("who", ["junior", "supervisor"])
def test_care_managers_cannot_reassign(org, login, who):
    enrolment = org.junior_client.enrolments.get()
    http = login(org.users()[who])
    url = reverse("enrolments:reassign", args=[enrolment.pk])
    assert http.get(url).status_code == 403
    response = http.post(
        url, {"care_manager": str(org.supervisor.pk), "reason": "x", "version": "1"}
    )
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.care_manager == org.junior


def test_acuity_change_through_the_page(org, login):
    enrolment = org.junior_client.enrolments.get()
    response = login(org.junior).post(
        reverse("enrolments:acuity", args=[enrolment.pk]),
        {"acuity": "4", "reason": "Two falls", "version": "1"},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.acuity == 4
    assert AuditEvent.objects.filter(action="enrolment.acuity_set").count() == 1


# --- care team --------------------------------------------------------------------------------


def test_add_and_end_care_team_members_through_the_page(org, login):
    enrolment = org.junior_client.enrolments.get()
    http = login(org.junior)
    url = reverse("enrolments:team_add", args=[enrolment.pk])
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {
            "staff": "",
            "external_name": "Dr. Ada Park",
            "external_organisation": "Riverside",
            "role": "Primary care physician",
            "phone": "555-0101",
            "email": "",
        },
    )
    assert response.status_code == 302
    member = CareTeamMember.objects.get(enrolment=enrolment)
    assert AuditEvent.objects.filter(action="care_team_member.added").count() == 1
    confirm = http.get(reverse("enrolments:team_end", args=[enrolment.pk, member.pk]))
    assert confirm.status_code == 200
    assert "Take Dr. Ada Park off the care team?" in confirm.content.decode()
    member.refresh_from_db()
    assert member.is_active  # asking is not doing
    response = http.post(reverse("enrolments:team_end", args=[enrolment.pk, member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert AuditEvent.objects.filter(action="care_team_member.ended").count() == 1


def test_care_team_member_without_a_person_is_a_form_error(org, login):
    enrolment = org.junior_client.enrolments.get()
    response = login(org.junior).post(
        reverse("enrolments:team_add", args=[enrolment.pk]),
        {"staff": "", "external_name": "", "role": "Nurse"},
    )
    assert response.status_code == 400
    assert "Choose a staff member, or enter the name" in response.content.decode()
    assert not CareTeamMember.objects.exists()


# --- scope ------------------------------------------------------------------------------------


def _enrolment_urls(enrolment, member):
    return [
        reverse("enrolments:create", args=[enrolment.client_id]),
        reverse("enrolments:detail", args=[enrolment.pk]),
        reverse("enrolments:transition", args=[enrolment.pk]),
        reverse("enrolments:reassign", args=[enrolment.pk]),
        reverse("enrolments:acuity", args=[enrolment.pk]),
        reverse("enrolments:team_add", args=[enrolment.pk]),
        reverse("enrolments:team_end", args=[enrolment.pk, member.pk]),
    ]


@pytest.mark.parametrize("who", ["junior", "senior_other", "admin"])
def test_every_enrolment_page_is_not_found_out_of_scope(org, login, who):
    enrolment = org.supervisor_client.enrolments.get()
    if who == "senior_other":
        enrolment = org.junior_client.enrolments.get()
    member = factories.CareTeamMemberFactory(enrolment=enrolment)
    http = login(org.users()[who])
    for url in _enrolment_urls(enrolment, member):
        assert http.post(url, {"reason": "x", "version": "1"}).status_code == 404, url
        assert http.get(url).status_code == 404, url
    member.refresh_from_db()
    assert member.is_active
    assert not AuditEvent.objects.exists()


def test_every_enrolment_page_is_not_found_for_unknown_ids(org, login):
    http = login(org.director)
    unknown = uuid.uuid4()
    enrolment = org.junior_client.enrolments.get()
    other_member = factories.CareTeamMemberFactory(enrolment=org.other_client.enrolments.get())
    for url in [
        reverse("enrolments:create", args=[unknown]),
        reverse("enrolments:detail", args=[unknown]),
        reverse("enrolments:transition", args=[unknown]),
        reverse("enrolments:reassign", args=[unknown]),
        reverse("enrolments:acuity", args=[unknown]),
        reverse("enrolments:team_add", args=[unknown]),
    ]:
        assert http.get(url).status_code == 404, url
    # a member of another enrolment, addressed through this one
    url = reverse("enrolments:team_end", args=[enrolment.pk, other_member.pk])
    assert http.post(url).status_code == 404


def test_every_enrolment_page_that_shows_the_record_audits_the_view(org, login):
    enrolment = org.junior_client.enrolments.get()
    member = factories.CareTeamMemberFactory(enrolment=enrolment)
    http = login(org.senior)
    for url in _enrolment_urls(enrolment, member):
        before = AuditEvent.objects.count()
        assert http.get(url).status_code == 200, url
        new = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
        assert any(e.client_id == org.junior_client.pk for e in new), url
        assert {e.action for e in new} <= {"client.viewed", "enrolment.viewed"}, url
