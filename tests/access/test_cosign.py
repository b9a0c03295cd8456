"""access.cosign: the co-sign transitions progress notes and care plan versions share
(core.models.Cosigned holds the fields). Each app's own co-sign tests go through its services
and pages; these check the shared rules on both kinds of record."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from caseload.access import cosign
from caseload.audit.models import AuditEvent
from caseload.careplans import services as careplan_services
from caseload.careplans.models import CarePlanVersion
from caseload.core.errors import Conflict, PermissionDenied, ValidationFailed, VersionConflict
from caseload.core.models import Cosigned, CosignStatus
from caseload.notes import services as note_services
from caseload.notes.models import ProgressNote
from tests.careplans import conftest as careplans_conftest
from tests.careplans.conftest import PlanBuilder
from tests.conftest import Org
from tests.notes.helpers import make_note

pytestmark = pytest.mark.django_db

build_plan = careplans_conftest.build_plan  # the care plan tests' fixture


def _pending_note(org: Org) -> ProgressNote:
    note = make_note(org.junior, org.junior_client, sign=True)
    assert (note.cosign_status, note.cosigner) == (CosignStatus.PENDING, org.supervisor)
    return note


def _pending_version(org: Org, build_plan: PlanBuilder) -> CarePlanVersion:
    plan = build_plan()
    version = careplan_services.careplan_publish(
        actor=org.junior, plan=plan, reason="First plan", expected_version=plan.version
    )
    assert (version.cosign_status, version.cosigner) == (CosignStatus.PENDING, org.supervisor)
    return version


def _approve(org: Org, record: Cosigned, actor=None, **options) -> None:
    # A note names the version the co-signer read; a care plan version has none (frozen).
    options.setdefault("expected_version", getattr(record, "version", None))
    with transaction.atomic():
        cosign.cosign_approve(
            actor=actor or org.supervisor,
            record=record,
            not_pending="Not waiting.",
            action="test.cosigned",
            target=record,
            client=org.junior_client,
            **options,
        )


def test_both_records_share_the_cosign_fields() -> None:
    for model in (ProgressNote, CarePlanVersion):
        assert issubclass(model, Cosigned)
        names = {field.name for field in model._meta.get_fields()}
        assert {"cosign_status", "cosigner", "cosigned_at", "return_comment"} <= names


def test_cosigning_a_note_moves_its_version_on_and_audits(org: Org) -> None:
    note = _pending_note(org)
    before = note.version
    _approve(org, note)
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.COSIGNED
    assert note.cosigned_at is not None
    assert note.version == before + 1
    event = AuditEvent.objects.get(action="test.cosigned")
    assert (event.actor, event.client, event.target_id) == (
        org.supervisor,
        org.junior_client,
        str(note.pk),
    )


def test_cosigning_a_care_plan_version_which_has_no_version_field(
    org: Org, build_plan: PlanBuilder
) -> None:
    version = _pending_version(org, build_plan)
    _approve(org, version)
    version.refresh_from_db()
    assert version.cosign_status == CosignStatus.COSIGNED
    assert version.cosigned_at is not None


def test_a_stale_version_is_refused_and_nothing_changes(org: Org) -> None:
    note = _pending_note(org)
    with pytest.raises(VersionConflict) as caught:
        _approve(org, note, expected_version=note.version - 1)
    assert caught.value.current_version == note.version
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING
    assert not AuditEvent.objects.filter(action="test.cosigned").exists()


def test_a_record_not_waiting_is_a_conflict_with_the_callers_message_whoever_asks(
    org: Org,
) -> None:
    note = make_note(org.supervisor, org.supervisor_client, sign=True)
    assert note.cosign_status == CosignStatus.NOT_REQUIRED
    for actor in (org.supervisor, org.junior, org.director):
        with pytest.raises(Conflict) as caught:
            _approve(org, note, actor=actor)
        assert (caught.value.code, caught.value.message) == (cosign.NOT_PENDING, "Not waiting.")


@pytest.mark.parametrize("who", ["junior", "senior", "director"])
def test_only_the_cosigner_may_cosign_or_return_either_record(
    org: Org, build_plan: PlanBuilder, who: str
) -> None:
    actor = getattr(org, who)
    for record in (_pending_note(org), _pending_version(org, build_plan)):
        with pytest.raises(PermissionDenied):
            _approve(org, record, actor=actor)
        with pytest.raises(PermissionDenied), transaction.atomic():
            cosign.cosign_return(
                actor=actor,
                record=record,
                comment="No.",
                not_pending="Not waiting.",
                action="test.returned",
                target=record,
                client=org.junior_client,
                expected_version=getattr(record, "version", None),
            )
        record.refresh_from_db()
        assert record.cosign_status == CosignStatus.PENDING


def test_return_needs_a_comment_then_keeps_it(org: Org, build_plan: PlanBuilder) -> None:
    for record in (_pending_note(org), _pending_version(org, build_plan)):
        arguments = {
            "actor": org.supervisor,
            "record": record,
            "not_pending": "Not waiting.",
            "action": "test.returned",
            "target": record,
            "client": org.junior_client,
            "expected_version": getattr(record, "version", None),
        }
        with pytest.raises(ValidationFailed) as caught, transaction.atomic():
            cosign.cosign_return(comment="   ", **arguments)
        assert caught.value.field_errors == {"comment": [cosign.COMMENT_REQUIRED]}
        with transaction.atomic():
            cosign.cosign_return(comment="  Say who was there. ", **arguments)
        record.refresh_from_db()
        assert record.cosign_status == CosignStatus.RETURNED
        assert record.return_comment == "Say who was there."


def test_resubmit_sends_back_only_a_returned_record(org: Org) -> None:
    note = _pending_note(org)
    assert cosign.cosign_resubmit(note) == []
    note_services.note_return(
        actor=org.supervisor, note=note, comment="Clarify.", expected_version=note.version
    )
    version = note.version
    assert cosign.cosign_resubmit(note) == ["cosign_status", "version"]
    assert (note.cosign_status, note.version) == (CosignStatus.PENDING, version + 1)


def test_request_sends_to_the_cosigner_or_needs_none(org: Org) -> None:
    note = make_note(org.junior, org.junior_client)
    assert cosign.cosign_request(note, cosigner=org.supervisor) == ["cosign_status", "cosigner"]
    assert (note.cosign_status, note.cosigner) == (CosignStatus.PENDING, org.supervisor)
    cosign.cosign_request(note, cosigner=None)
    assert (note.cosign_status, note.cosigner) == (CosignStatus.NOT_REQUIRED, None)


def test_the_queue_condition_is_the_same_for_both(org: Org, build_plan: PlanBuilder) -> None:
    note = _pending_note(org)
    version = _pending_version(org, build_plan)
    assert list(
        ProgressNote.objects.filter(ProgressNote.awaiting_cosign_by(org.supervisor.pk))
    ) == [note]
    assert list(
        CarePlanVersion.objects.filter(CarePlanVersion.awaiting_cosign_by(org.supervisor.pk))
    ) == [version]
    assert not ProgressNote.objects.filter(ProgressNote.awaiting_cosign_by(org.junior.pk))


def test_cosigning_a_note_page_read_before_it_went_back_and_forth_is_refused(
    org: Org, login
) -> None:
    note = _pending_note(org)
    read_version = note.version  # the supervisor opens the note ...
    # ... meanwhile returns it in another tab, and the junior answers with an addendum.
    note_services.note_return(
        actor=org.supervisor, note=note, comment="Who was there?", expected_version=note.version
    )
    note_services.note_add_addendum(actor=org.junior, note=note, text="Her son was there.")
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING
    http = login(org.supervisor)
    url = reverse("notes:cosign", kwargs={"note_id": note.pk})
    response = http.post(url, {"version": str(read_version)}, follow=True)
    assert "changed since you opened it" in response.content.decode()
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING
    response = http.post(url, {"version": str(note.version)})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.COSIGNED


def test_returning_a_note_page_read_before_a_change_is_refused(org: Org, login) -> None:
    note = _pending_note(org)
    http = login(org.supervisor)
    page = http.get(reverse("notes:detail", kwargs={"note_id": note.pk})).content.decode()
    assert f'name="version" value="{note.version}"' in page
    url = reverse("notes:return_note", kwargs={"note_id": note.pk})
    response = http.post(url, {"comment": "Clarify.", "version": str(note.version - 1)})
    assert response.status_code == 409  # the comment is shown back, not dropped
    assert "Clarify.</textarea>" in response.content.decode()
    note.refresh_from_db()
    assert note.cosign_status == CosignStatus.PENDING
    assert not note.return_comment
