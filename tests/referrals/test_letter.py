"""The referral letter (PDF) carries only what the client agreed to share."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from caseload.audit.models import AuditEvent
from caseload.consents.services import consent_revoke
from caseload.referrals.letters import referral_letter_pdf
from tests import factories
from tests.referrals.conftest import give_provider_consent, make_referral


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text, extracted by poppler's pdftotext."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    source = tmp_path / "letter.pdf"
    source.write_bytes(data)
    result = subprocess.run(  # noqa: S603 - fixed tool, our own temporary file
        ["pdftotext", "-layout", str(source), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return " ".join(result.stdout.decode("utf-8").split())


@pytest.fixture
def baptiste(org: Any) -> Any:
    client = org.junior_client
    client.given_name, client.family_name = "Marie-Thérèse", "Baptiste"
    client.phone = "555-0177"
    client.email = "mt.baptiste@example.org"
    client.address_line, client.city, client.state = "4 Elm Street", "Springfield", "MA"
    client.payer_member_id = "MEDICAID-99812"
    client.preferred_language, client.interpreter_needed = "Haitian Creole", True
    client.save()
    factories.RelatedPersonFactory(
        client=client, name="Jean Baptiste", phone="555-0178", is_primary_caregiver=True
    )
    return client


@pytest.mark.django_db
def test_letter_contains_the_consented_items_and_nothing_else(
    org: Any, meals: Any, baptiste: Any, tmp_path: Path
) -> None:
    referral = make_referral(
        client=baptiste,
        owner=org.junior,
        service=meals,
        status="sent",
        shared_fields=["name", "phone", "reason"],
    )
    text = pdf_text(referral_letter_pdf(referral, referral.consent), tmp_path)
    assert "Marie-Thérèse Baptiste" in text
    assert "555-0177" in text
    assert "Food insecurity found on the HRSN screen." in text
    assert "Home-delivered meals" in text and "Eastside Meals on Wheels" in text
    assert "The client agreed in writing on" in text
    assert "with Eastside Meals on Wheels (recorded by" in text
    for withheld in (
        "Date of birth",
        str(baptiste.date_of_birth.year),
        "4 Elm Street",
        "mt.baptiste",
        "MEDICAID-99812",
        "Haitian Creole",
        "Jean Baptiste",
        "555-0178",
    ):
        assert withheld not in text, withheld


@pytest.mark.django_db
def test_every_item_appears_when_the_client_agreed_to_all(
    org: Any, meals: Any, baptiste: Any, tmp_path: Path
) -> None:
    referral = make_referral(
        client=baptiste,
        owner=org.junior,
        service=meals,
        status="sent",
        shared_fields=[
            "name",
            "date_of_birth",
            "phone",
            "email",
            "address",
            "language",
            "insurance",
            "reason",
            "caregiver",
        ],
    )
    text = pdf_text(referral_letter_pdf(referral, referral.consent), tmp_path)
    for shown in (
        "4 Elm Street",
        "mt.baptiste@example.org",
        "MEDICAID-99812",
        "Haitian Creole (needs an interpreter)",
        "Jean Baptiste",
        "555-0178",
        f"{baptiste.date_of_birth:%B %Y}",
    ):
        assert shown in text, shown


@pytest.mark.django_db
def test_letter_page_is_a_pdf_and_is_audited(
    org: Any, meals: Any, login: Any, tmp_path: Path
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="sent"
    )
    response = login(org.supervisor).get(
        reverse("referrals:referral_letter", kwargs={"referral_id": referral.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Referral" in pdf_text(response.content, tmp_path)
    event = AuditEvent.objects.get(action="referral.letter_printed")
    assert (event.actor, event.client_id) == (org.supervisor, org.junior_client.pk)


def _letter(http: Any, referral: Any) -> Any:
    return http.get(
        reverse("referrals:referral_letter", kwargs={"referral_id": referral.pk}), follow=True
    )


@pytest.mark.django_db
def test_no_letter_without_consent(org: Any, meals: Any, login: Any) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, consent=False
    )
    response = _letter(login(org.junior), referral)
    assert response.redirect_chain[-1][0].endswith(f"/referrals/{referral.pk}/")
    page = response.content.decode()
    assert "The letter was not printed." in page
    assert "no current consent to share information with Home-delivered meals" in page
    assert not AuditEvent.objects.filter(action="referral.letter_printed").exists()


@pytest.mark.django_db
def test_revoking_consent_stops_the_letter_at_once_even_after_sending(
    org: Any, meals: Any, login: Any
) -> None:
    referral = make_referral(
        client=org.junior_client, owner=org.junior, service=meals, status="sent"
    )
    http = login(org.junior)
    assert _letter(http, referral)["Content-Type"] == "application/pdf"
    consent_revoke(actor=org.junior, consent=referral.consent, reason="Changed her mind")
    response = _letter(http, referral)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The letter was not printed." in page
    assert "None in force" in page
    assert "Sent under the consent given" in page and "revoked" in page
    assert AuditEvent.objects.filter(action="referral.letter_printed").count() == 1


@pytest.mark.django_db
def test_a_consent_that_does_not_cover_an_item_refuses_the_letter_and_says_which(
    org: Any, meals: Any, login: Any
) -> None:
    give_provider_consent(
        org.junior_client, org.junior, "Eastside Meals on Wheels", categories=["contact"]
    )
    referral = make_referral(
        client=org.junior_client,
        owner=org.junior,
        service=meals,
        status="sent",
        shared_fields=["name", "reason"],
    )
    page = _letter(login(org.junior), referral).content.decode()
    assert "does not cover conditions, needs and diagnoses" in page
    assert not AuditEvent.objects.filter(action="referral.letter_printed").exists()
