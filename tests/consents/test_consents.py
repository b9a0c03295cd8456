from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.consents import selectors, services
from caseload.consents.models import Consent
from caseload.core import clock
from caseload.core.errors import ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db


def _url(client: Any) -> str:
    return reverse("consents:client", kwargs={"client_id": client.pk})


def test_recording_consent_to_share_with_a_daughter(org: Any, login: Any) -> None:
    daughter = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid Lindqvist")
    http = login(org.junior)
    response = http.post(
        _url(org.junior_client),
        {
            "kind": "share_related_person",
            "related_person": daughter.pk,
            "method": "verbal",
            "given_on": clock.today().isoformat(),
            "categories": ["care_plan", "notes"],
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.related_person, consent.categories) == (daughter, ["care_plan", "notes"])
    assert selectors.share_consent_for_person(org.junior_client, daughter) == consent
    assert AuditEvent.objects.filter(action="consent.recorded", client=org.junior_client).exists()
    page = http.get(_url(org.junior_client)).content.decode()
    assert "Ingrid Lindqvist" in page
    assert "Current" in page


def test_consent_form_explains_each_missing_piece(org: Any, login: Any) -> None:
    http = login(org.junior)
    response = http.post(
        _url(org.junior_client),
        {
            "kind": "share_provider",
            "method": "written",
            "given_on": (clock.today() + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Name the provider or service." in page
    assert "Choose what the client agreed to share." in page
    assert "cannot be in the future" in page
    assert not Consent.objects.exists()


def test_revocation_takes_effect_at_once_and_needs_a_reason(org: Any, login: Any) -> None:
    daughter = factories.RelatedPersonFactory(client=org.junior_client)
    consent = services.consent_record(
        actor=org.junior,
        client=org.junior_client,
        kind="share_related_person",
        method="written",
        given_on=clock.today(),
        related_person=daughter,
        categories=["care_plan"],
    )
    assert services.require_share_with_person(org.junior_client, daughter) == consent
    http = login(org.junior)
    revoke = reverse("consents:revoke", kwargs={"consent_id": consent.pk})
    http.post(revoke, {"reason": ""})
    consent.refresh_from_db()
    assert consent.revoked_at is None
    http.post(revoke, {"reason": "Client asked us to stop updating her daughter"})
    consent.refresh_from_db()
    assert consent.revoked_by == org.junior
    with pytest.raises(ValidationFailed, match="no current consent"):
        services.require_share_with_person(org.junior_client, daughter)
    assert AuditEvent.objects.filter(action="consent.revoked").count() == 1


def test_expired_consent_does_not_allow_sharing(org: Any) -> None:
    services.consent_record(
        actor=org.junior,
        client=org.junior_client,
        kind="share_provider",
        method="written",
        given_on=clock.today() - dt.timedelta(days=400),
        expires_on=clock.today() - dt.timedelta(days=35),
        provider_name="Meals on Wheels",
        categories=["contact"],
    )
    with pytest.raises(ValidationFailed):
        services.require_share_with_provider(org.junior_client, "meals on wheels")
    services.consent_record(
        actor=org.junior,
        client=org.junior_client,
        kind="share_provider",
        method="written",
        given_on=clock.today(),
        provider_name="Meals on Wheels",
        categories=["contact"],
    )
    assert services.require_share_with_provider(org.junior_client, "MEALS ON WHEELS ")


def test_consents_are_scoped_like_the_client(org: Any, login: Any) -> None:
    assert login(org.other_cm).get(_url(org.junior_client)).status_code == 404
    assert login(org.admin).get(_url(org.junior_client)).status_code == 404
    consent = services.consent_record(
        actor=org.junior,
        client=org.junior_client,
        kind="program",
        method="verbal",
        given_on=clock.today(),
        program=org.geriatric,
    )
    response = login(org.other_cm).post(
        reverse("consents:revoke", kwargs={"consent_id": consent.pk}), {"reason": "x"}
    )
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_links_from_the_chart_and_a_referral_start_the_right_consent(org: Any, login: Any) -> None:
    daughter = factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid Lindqvist")
    stranger = factories.RelatedPersonFactory(client=org.other_client, name="Not Hers")
    http = login(org.junior)
    page = http.get(_url(org.junior_client) + f"?person={daughter.pk}").content.decode()
    assert f'<option value="{daughter.pk}" selected>' in page
    assert re.search(r'<input[^>]*value="share_related_person"[^>]*checked>', page)
    assert re.search(r'<input[^>]*value="notes"[^>]*checked>', page)
    assert not re.search(r'<input[^>]*value="medications"[^>]*checked>', page)
    # Another client's person, a malformed id or a NUL is ignored, never an error.
    for hostile in (str(stranger.pk), "not-a-uuid", "%00"):
        response = http.get(_url(org.junior_client) + f"?person={hostile}")
        assert response.status_code == 200
        assert "Not Hers" not in response.content.decode()
    page = http.get(_url(org.junior_client) + "?provider=Eastside+Meals%00").content.decode()
    assert 'value="Eastside Meals"' in page


def test_a_provider_consent_matches_any_name_the_recipient_goes_by_and_covers_categories(
    org: Any,
) -> None:
    consent = services.consent_record(
        actor=org.junior,
        client=org.junior_client,
        kind="share_provider",
        method="written",
        given_on=clock.today(),
        provider_name="Eastside Meals on Wheels",
        categories=["contact", "care_plan"],
    )
    names = ["Home-delivered meals", "eastside meals on wheels"]
    assert selectors.share_consent_for_provider(org.junior_client, names) == consent
    assert (
        selectors.share_consent_for_provider(org.junior_client, names, categories=["contact"])
        == consent
    )
    assert (
        selectors.share_consent_for_provider(
            org.junior_client, names, categories=["contact", "conditions"]
        )
        is None
    )
    with pytest.raises(ValidationFailed) as caught:
        services.require_share_with_provider(
            org.junior_client, names, categories=["conditions"], party="Meals"
        )
    assert caught.value.code == "consent_too_narrow"
    assert "consent to share with Meals does not cover conditions, needs and diagnoses" in (
        caught.value.message
    )
    assert selectors.share_consent_for_provider(org.junior_client, "Other Agency") is None
