"""An update given to a family member needs the client's consent to share, in force at the
time of the contact; the chart and the note form say who may receive updates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.audit.models import AuditEvent
from caseload.consents.services import consent_mark_entered_in_error, consent_record, consent_revoke
from caseload.core import clock
from caseload.core.errors import ValidationFailed
from caseload.notes import services
from caseload.notes.models import ProgressNote
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def daughter(org: Any) -> Any:
    return factories.RelatedPersonFactory(client=org.junior_client, name="Ingrid Lindqvist")


def _consent(org: Any, person: Any, categories: list[str] | None = None, **extra: Any) -> Any:
    return consent_record(
        actor=org.junior,
        client=org.junior_client,
        kind="share_related_person",
        method="verbal",
        given_on=extra.pop("given_on", clock.today() - dt.timedelta(days=30)),
        related_person=person,
        categories=categories or ["notes", "care_plan"],
        **extra,
    )


def _form(person: Any, when: dt.datetime | None = None, **overrides: str) -> dict[str, str]:
    when = timezone.localtime(when or clock.now() - dt.timedelta(minutes=20))
    data = {
        "contact_at": when.strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "phone",
        "contact_with": "related_person",
        "related_person": str(person.pk),
        "gave_update": "on",
        "provider_name": "",
        "reached": "yes",
        "minutes": "12",
        "narrative": "Told Ingrid her mother is eating well and the new aide starts Monday.",
        "action": "sign",
    }
    data.update(overrides)
    return data


def _update_note(
    org: Any, person: Any, ago: dt.timedelta, with_whom: str = "related_person"
) -> Any:
    """A note, through the service, of an update given to ``person`` ``ago``."""
    return services.note_create(
        actor=org.junior,
        client=org.junior_client,
        contact_at=clock.now() - ago,
        contact_type="phone",
        contact_with=with_whom,
        related_person=person,
        gave_update=True,
        reached=True,
        minutes=5,
        narrative="Update to the daughter.",
        significant_event=False,
    )


def _create(http: Any, client: Any, data: dict[str, str]) -> Any:
    return http.post(reverse("notes:create", kwargs={"client_id": client.pk}), data)


def test_an_update_to_a_family_member_without_consent_is_refused_and_nothing_is_lost(
    org: Any, login: Any, daughter: Any
) -> None:
    http = login(org.junior)
    response = _create(http, org.junior_client, _form(daughter))
    assert response.status_code == 400
    page = response.content.decode()
    assert "no consent in force on" in page and "to share information with Ingrid" in page
    assert "Told Ingrid her mother is eating well" in page  # the narrative is kept
    assert "No family member or caregiver has the client's consent to receive updates" in page
    assert not ProgressNote.objects.exists()

    _consent(org, daughter)
    response = _create(http, org.junior_client, _form(daughter))
    assert response.status_code == 302
    note = ProgressNote.objects.get()
    assert (note.related_person, note.gave_update) == (daughter, True)
    event = AuditEvent.objects.get(action="note.created", target_id=str(note.pk))
    assert event.detail["gave_update"] is True
    detail = http.get(reverse("notes:detail", kwargs={"note_id": note.pk})).content.decode()
    assert "Update given, with the client" in detail


def test_the_note_form_names_who_may_receive_updates(org: Any, login: Any, daughter: Any) -> None:
    factories.RelatedPersonFactory(client=org.junior_client, name="Nils Lindqvist")
    _consent(org, daughter)
    page = login(org.junior).get(
        reverse("notes:create", kwargs={"client_id": org.junior_client.pk})
    )
    hint = page.content.decode().split('id="update-consents"')[1].split("</p>")[0]
    assert "Ingrid Lindqvist" in hint
    assert "Nils Lindqvist" not in hint


def test_talking_with_a_family_member_without_giving_an_update_needs_no_consent(
    org: Any, login: Any, daughter: Any
) -> None:
    response = _create(login(org.junior), org.junior_client, _form(daughter, gave_update=""))
    assert response.status_code == 302
    assert ProgressNote.objects.get().gave_update is False


def test_gave_update_means_nothing_for_a_contact_with_the_client(org: Any, daughter: Any) -> None:
    note = _update_note(org, daughter, dt.timedelta(minutes=5), with_whom="client")
    assert (note.related_person, note.gave_update) == (None, False)


def test_a_consent_that_covers_only_contact_details_does_not_allow_updates(
    org: Any, login: Any, daughter: Any
) -> None:
    _consent(org, daughter, categories=["contact"])
    response = _create(login(org.junior), org.junior_client, _form(daughter))
    assert response.status_code == 400
    assert "does not cover progress updates" in response.content.decode()


def test_revocation_stops_updates_from_that_moment_but_not_before(
    org: Any, daughter: Any, login: Any
) -> None:
    consent = _consent(org, daughter)
    consent_revoke(actor=org.junior, consent=consent, reason="Client asked us to stop")
    # Revoked two hours ago (on a call this morning).
    type(consent).objects.filter(pk=consent.pk).update(
        revoked_at=clock.now() - dt.timedelta(hours=2)
    )
    before = clock.now() - dt.timedelta(hours=3)
    http = login(org.junior)
    after = _create(http, org.junior_client, _form(daughter))
    assert after.status_code == 400
    assert "no consent in force" in after.content.decode()
    # An update given while the consent was in force can still be documented.
    earlier = _create(http, org.junior_client, _form(daughter, when=before))
    assert earlier.status_code == 302


def test_a_consent_entered_in_error_never_allowed_an_update(org: Any, daughter: Any) -> None:
    consent = _consent(org, daughter)
    consent_mark_entered_in_error(actor=org.junior, consent=consent, reason="Wrong client")
    with pytest.raises(ValidationFailed) as caught:
        _update_note(org, daughter, dt.timedelta(days=2))
    assert "gave_update" in caught.value.field_errors


def test_an_update_before_the_consent_was_given_is_refused(org: Any, daughter: Any) -> None:
    _consent(org, daughter, given_on=clock.today())
    with pytest.raises(ValidationFailed) as caught:
        _update_note(org, daughter, dt.timedelta(days=3))
    three_days_ago = timezone.localdate(clock.now() - dt.timedelta(days=3))
    assert caught.value.field_errors["gave_update"] == [
        f"{org.junior_client.full_name} had no consent in force on {three_days_ago:%d %b %Y} "
        "to share information with Ingrid Lindqvist. Record the client's consent first."
    ]


def test_the_chart_derives_may_receive_updates_from_consents(
    org: Any, login: Any, daughter: Any
) -> None:
    son = factories.RelatedPersonFactory(client=org.junior_client, name="Nils Lindqvist")
    _consent(org, daughter)
    page = login(org.junior).get(
        reverse("clients:chart", kwargs={"client_id": org.junior_client.pk})
    )
    rows = page.content.decode().split('id="care-team"')[1].split("</table>")[0]
    ingrid = rows.split("Ingrid Lindqvist")[1].split("</tr>")[0]
    nils = rows.split("Nils Lindqvist")[1].split("</tr>")[0]
    assert "Yes" in ingrid and "verbal consent" in ingrid
    assert "Record consent" in nils and f"?person={son.pk}" in nils
