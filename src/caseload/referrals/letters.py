"""The printable referral letter (PDF, built with fpdf2).

Only what the client agreed to share is written: each item of ``Referral.shared_fields``
adds its line; anything not listed never reaches the document, not even as a label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf.enums import XPos, YPos

from caseload.consents.models import ConsentMethod
from caseload.core import clock
from caseload.core.pdf import Document
from caseload.referrals.models import RESPONSE_BUSINESS_DAYS, Referral, ShareField, Urgency

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.consents.models import Consent

URGENCY_WORDS = {
    Urgency.URGENT: "Urgent",
    Urgency.SOON: "Soon",
    Urgency.ROUTINE: "Routine",
}


class _Letter(Document):
    def __init__(self, reference: str) -> None:
        super().__init__(title=f"Referral {reference}", footer_label=f"Referral {reference}")
        self.reference = reference


def _address(client: Client) -> str:
    place = " ".join(part for part in (client.state, client.postal_code) if part)
    return ", ".join(part for part in (client.address_line, client.city, place) if part)


def _client_lines(referral: Referral) -> list[tuple[str, str]]:
    """(label, value) for every consented client item, in a fixed order."""
    client = referral.client
    shared = set(referral.shared_fields)
    lines: list[tuple[str, str]] = []
    if ShareField.NAME in shared:
        lines.append(("Name", f"{client.given_name} {client.family_name}"))
        if client.preferred_name and client.preferred_name != client.given_name:
            lines.append(("Prefers to be called", client.preferred_name))
    if ShareField.DATE_OF_BIRTH in shared:
        lines.append(("Date of birth", f"{client.date_of_birth:%d %B %Y}"))
    if ShareField.PHONE in shared:
        lines.append(("Phone", client.phone))
    if ShareField.EMAIL in shared:
        lines.append(("Email", client.email))
    if ShareField.ADDRESS in shared:
        lines.append(("Address", _address(client)))
    if ShareField.LANGUAGE in shared:
        language = client.preferred_language or "English"
        if client.interpreter_needed:
            language += " (needs an interpreter)"
        lines.append(("Language", language))
    if ShareField.INSURANCE in shared:
        lines.append(("Insurance member ID", client.payer_member_id))
    if ShareField.CAREGIVER in shared:
        carer = (
            client.related_people.filter(is_active=True)
            .order_by("-is_primary_caregiver", "name")
            .first()
        )
        if carer is not None:
            detail = f"{carer.name} ({carer.get_relationship_display().lower()})"
            lines.append(("Main caregiver", f"{detail}, {carer.phone}" if carer.phone else detail))
    return lines


def reference_of(referral: Referral) -> str:
    return f"R-{str(referral.pk)[:8].upper()}"


def referral_letter_pdf(referral: Referral, consent: Consent) -> bytes:
    """The referral letter as PDF bytes, with only the consented client information.

    ``consent`` is the client's current consent to share with the recipient that covers every
    item (``services.referral_record_letter`` finds it, and refuses without one).
    """
    reference = reference_of(referral)
    pdf = _Letter(reference)
    pdf.alias_nb_pages()
    pdf.add_page()
    today = clock.today()

    pdf.set_font(pdf.body_font, "B", 18)
    pdf.cell(0, 10, pdf.text_of("Referral"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.body_font, "", 10.5)
    pdf.line_pair("Date", f"{today:%d %B %Y}")
    pdf.line_pair("Reference", reference)
    urgency = URGENCY_WORDS.get(Urgency(referral.urgency), referral.urgency)
    if referral.response_due_on:
        pdf.line_pair(
            "Urgency", f"{urgency}: please answer by {referral.response_due_on:%A %d %B %Y}"
        )
    else:
        days = RESPONSE_BUSINESS_DAYS[referral.urgency]
        plural = "s" if days != 1 else ""
        pdf.line_pair("Urgency", f"{urgency}: please answer within {days} business day{plural}")

    pdf.heading("To")
    service = referral.service
    if service is not None:
        pdf.line_pair("Service", service.name)
        pdf.line_pair("Organisation", service.organisation.name)
        if service.address:
            pdf.line_pair("Address", service.address)
        if service.phone:
            pdf.line_pair("Phone", service.phone)
        if service.email:
            pdf.line_pair("Email", service.email)
    else:
        pdf.line_pair("Provider", referral.provider_name)
        if referral.provider_contact:
            pdf.line_pair("Contact", referral.provider_contact)

    pdf.heading("From")
    sender = referral.created_by
    pdf.line_pair("Care manager", sender.display_name)
    if sender.job_title:
        pdf.line_pair("Role", sender.job_title)
    if sender.phone:
        pdf.line_pair("Phone", sender.phone)
    if sender.email:
        pdf.line_pair("Email", sender.email)

    pdf.heading("About the client")
    client_lines = _client_lines(referral)
    if client_lines:
        for label, value in client_lines:
            pdf.line_pair(label, value)
    else:
        pdf.paragraph("The client did not agree to share personal details in this letter.")

    shared = set(referral.shared_fields)
    if ShareField.REASON in shared:
        pdf.heading("Reason for the referral")
        pdf.paragraph(referral.reason)
    if ShareField.GOAL in shared and (referral.goal_id or referral.intervention_id):
        goal = referral.goal or (referral.intervention.goal if referral.intervention else None)
        if goal is not None:
            pdf.heading("What the client is working towards")
            pdf.paragraph(f"{goal.description} (target: {goal.target_value})")

    pdf.heading("Consent to share")
    method = "in writing" if consent.method == ConsentMethod.WRITTEN else "verbally"
    until = f" It is valid until {consent.expires_on:%d %B %Y}." if consent.expires_on else ""
    pdf.paragraph(
        f"The client agreed {method} on {consent.given_on:%d %B %Y} to share the information "
        f"in this letter with {consent.provider_name} (recorded by "
        f"{consent.recorded_by.display_name}).{until} Nothing else about the client is "
        "included. Please keep it confidential and use it only to provide this service. The "
        "client may withdraw this consent at any time."
    )
    pdf.heading("Please reply")
    contact = sender.phone or sender.email or "the number above"
    pdf.paragraph(
        f"Please tell {sender.display_name} ({contact}) whether you accept this referral, "
        "and when the client is booked to start."
    )
    return bytes(pdf.output())
