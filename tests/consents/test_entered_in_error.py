"""Consents entered in error: they allow nothing at once, stay on the consents list marked,
are audited, and the page is 404 out of scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.consents import selectors, services
from caseload.consents.models import Consent, ConsentKind
from caseload.core import clock
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db

REASON = "Recorded for the wrong person"


def _share_with(org: Any, person: Any, actor: Any = None) -> Consent:
    return services.consent_record(
        actor=actor or org.junior,
        client=org.junior_client,
        kind=ConsentKind.SHARE_RELATED_PERSON,
        method="verbal",
        given_on=clock.today(),
        related_person=person,
        categories=["care_plan"],
    )


def _url(consent: Consent) -> str:
    return reverse("consents:consent_entered_in_error", kwargs={"consent_id": consent.pk})


def _list(client: Any) -> str:
    return reverse("consents:client", kwargs={"client_id": client.pk})


def test_a_consent_entered_in_error_allows_nothing_at_once(org: Any) -> None:
    daughter = factories.RelatedPersonFactory(client=org.junior_client)
    consent = _share_with(org, daughter)
    provider = services.consent_record(
        actor=org.junior,
        client=org.junior_client,
        kind=ConsentKind.SHARE_PROVIDER,
        method="written",
        given_on=clock.today(),
        provider_name="Meals on Wheels",
        categories=["contact"],
    )
    program = services.consent_record(
        actor=org.junior,
        client=org.junior_client,
        kind=ConsentKind.PROGRAM,
        method="verbal",
        given_on=clock.today(),
        program=org.geriatric,
    )
    for each in (consent, provider, program):
        services.consent_mark_entered_in_error(actor=org.supervisor, consent=each, reason=REASON)
    assert selectors.share_consent_for_person(org.junior_client, daughter) is None
    assert selectors.share_consent_for_provider(org.junior_client, "Meals on Wheels") is None
    assert not selectors.current_consents(org.junior_client, ConsentKind.PROGRAM).exists()
    with pytest.raises(ValidationFailed):
        services.require_share_with_person(org.junior_client, daughter)
    with pytest.raises(ValidationFailed):
        services.require_share_with_provider(org.junior_client, "Meals on Wheels")


def test_marking_records_who_when_why_and_an_audit_row(org: Any) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    services.consent_mark_entered_in_error(actor=org.junior, consent=consent, reason=f" {REASON} ")
    stored = Consent.objects.get(pk=consent.pk)
    assert (stored.entered_in_error_by, stored.entered_in_error_reason) == (org.junior, REASON)
    assert stored.entered_in_error_at is not None
    assert stored.revoked_at is None
    event = AuditEvent.objects.get(action="consent.entered_in_error")
    assert (event.client, event.actor, event.target_id) == (
        org.junior_client,
        org.junior,
        str(consent.pk),
    )
    assert event.detail["reason"] == REASON
    assert event.detail["kind"] == ConsentKind.SHARE_RELATED_PERSON


def test_another_current_consent_still_counts(org: Any) -> None:
    daughter = factories.RelatedPersonFactory(client=org.junior_client)
    wrong = _share_with(org, daughter)
    right = _share_with(org, daughter)
    services.consent_mark_entered_in_error(actor=org.junior, consent=wrong, reason=REASON)
    assert selectors.share_consent_for_person(org.junior_client, daughter) == right


@pytest.mark.parametrize("reason", ["", "  ", "bad\x00reason", "x" * 2001])
def test_a_consent_needs_a_storable_reason(org: Any, reason: str) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    with pytest.raises(ValidationFailed) as caught:
        services.consent_mark_entered_in_error(actor=org.junior, consent=consent, reason=reason)
    assert list(caught.value.field_errors) == ["reason"]
    assert not Consent.objects.get(pk=consent.pk).is_entered_in_error


def test_a_consent_is_marked_once_and_cannot_then_be_revoked(org: Any) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    services.consent_mark_entered_in_error(actor=org.junior, consent=consent, reason=REASON)
    with pytest.raises(Conflict):
        services.consent_mark_entered_in_error(actor=org.junior, consent=consent, reason="Again")
    with pytest.raises(ValidationFailed):
        services.consent_revoke(actor=org.junior, consent=consent, reason="Client withdrew")
    assert Consent.objects.get(pk=consent.pk).revoked_at is None


def test_a_consent_out_of_scope_is_not_found(org: Any) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    for actor in (org.other_cm, org.admin, org.privacy):
        with pytest.raises(NotFound):
            services.consent_mark_entered_in_error(actor=actor, consent=consent, reason=REASON)
    assert not Consent.objects.get(pk=consent.pk).is_entered_in_error


def test_a_person_entered_in_error_gets_no_share_and_no_new_consent(org: Any) -> None:
    from caseload.clients.services import related_person_mark_entered_in_error

    person = factories.RelatedPersonFactory(client=org.junior_client)
    _share_with(org, person)
    related_person_mark_entered_in_error(
        actor=org.junior, person=person, reason=REASON, expected_version=person.version
    )
    assert selectors.share_consent_for_person(org.junior_client, person) is None
    with pytest.raises(ValidationFailed) as caught:
        _share_with(org, person)
    assert "related_person" in caught.value.field_errors


# --- the pages --------------------------------------------------------------------------------


def test_the_list_shows_the_consent_marked_with_no_revoke_form(org: Any, login: Any) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    http = login(org.junior)
    assert _url(consent) in http.get(_list(org.junior_client)).content.decode()
    services.consent_mark_entered_in_error(actor=org.supervisor, consent=consent, reason=REASON)
    html = http.get(_list(org.junior_client)).content.decode()
    assert f"Entered in error</span> — {REASON}, by {org.supervisor.display_name} on" in html
    assert reverse("consents:revoke", args=[consent.pk]) not in html
    assert _url(consent) not in html
    assert "Current" not in html


def test_the_confirmation_explains_and_is_audited(org: Any, login: Any) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    response = login(org.junior).get(_url(consent))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mark as entered in error" in html
    assert "stays in the history" in html
    event = AuditEvent.objects.get(action="consent.viewed")
    assert (event.client, event.detail) == (org.junior_client, {"page": "entered_in_error"})


def test_posting_a_reason_marks_the_consent_and_returns_to_the_list(org: Any, login: Any) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    response = login(org.junior).post(_url(consent), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == _list(org.junior_client)
    assert Consent.objects.get(pk=consent.pk).entered_in_error_reason == REASON


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why this record is entered in error."),
        ("bad\x00reason", "Remove the invalid control character from this text."),
    ],
)
def test_the_form_refuses_a_missing_or_nul_reason(
    org: Any, login: Any, reason: str, message: str
) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    response = login(org.junior).post(_url(consent), {"reason": reason})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consent.objects.get(pk=consent.pk).is_entered_in_error


def test_the_confirmation_is_not_found_out_of_scope(org: Any, login: Any) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    for who in (org.other_cm, org.admin):
        http = login(who)
        assert http.get(_url(consent)).status_code == 404
        assert http.post(_url(consent), {"reason": REASON}).status_code == 404
    assert not Consent.objects.get(pk=consent.pk).is_entered_in_error


def test_revoke_out_of_scope_is_not_found_for_any_method(org: Any, login: Any) -> None:
    consent = _share_with(org, factories.RelatedPersonFactory(client=org.junior_client))
    http = login(org.other_cm)
    url = reverse("consents:revoke", args=[consent.pk])
    assert http.get(url).status_code == 404
    assert http.post(url, {"reason": "x"}).status_code == 404
    assert login(org.junior).get(url).status_code == 405
