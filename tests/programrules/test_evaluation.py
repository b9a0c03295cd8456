"""The monthly evaluation from the records: consent, care plan, conditions, the minutes per
staff type, CoCM first and later months, transitional care from its episode, the pairs never
billed together; live for an open month, frozen once a director closes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseload.audit.models import AuditEvent
from caseload.core.errors import Conflict, NotFound, ValidationFailed
from caseload.programrules import services
from caseload.programrules.evaluation import consent_covers, evaluate_month, month_results
from caseload.programrules.models import MonthClose, MonthResult, TimeEntry
from caseload.programrules.rules import for_year
from caseload.transitions import services as transition_services
from tests.programrules.helpers import add_time, correct, ready

pytestmark = pytest.mark.django_db
NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def late_november(pin: Any) -> None:
    pin("2026-11-24 12:00")


def result(client: Any, program: str = "CCM") -> dict[str, Any]:
    rows = [r for r in evaluate_month(NOVEMBER, client_ids=[client.pk]) if r.program == program]
    assert len(rows) == 1, rows
    return rows[0].result


@pytest.mark.parametrize(("minutes", "codes"), [(19, []), (20, ["99490"]), (21, ["99490"])])
def test_ccm_minutes_at_the_edge(org: Any, minutes: int, codes: list[str]) -> None:
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, minutes - 5, when="2026-11-03 10:00")
    add_time(org.junior_client, org.junior, 5, when="2026-11-20 10:00")
    assert result(org.junior_client)["codes"] == codes


def test_minutes_of_another_month_do_not_count(org: Any) -> None:
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, 15, when="2026-10-31 23:30")  # October, New York
    add_time(org.junior_client, org.junior, 15, when="2026-11-01 00:10")
    reason = result(org.junior_client)["not_met"][0]["reason"]
    assert reason.startswith("5 minutes short of 99490")


def test_no_consent_on_file(org: Any) -> None:
    ready(org.junior_client, org.junior, consent="")
    add_time(org.junior_client, org.junior, 25)
    out = result(org.junior_client)
    assert out["codes"] == []
    assert "no consent on file for chronic care management" in out["not_met"][0]["reason"]


def test_consent_for_another_program_does_not_count(org: Any) -> None:
    ready(org.junior_client, org.junior, consent="Behavioral health integration")
    add_time(org.junior_client, org.junior, 25)
    assert result(org.junior_client)["codes"] == []


def test_consent_words_name_the_program() -> None:
    rules = for_year(2026)
    assert consent_covers("Chronic care management (99490)", rules.program("CCM"))
    assert consent_covers("CCM, signed at intake", rules.program("CCM"))
    assert consent_covers("Behavioral health integration", rules.program("BHI"))
    assert not consent_covers("Principal care management", rules.program("CCM"))
    assert not consent_covers("complex-CCM", rules.program("CCM"))


def test_consent_revoked_before_the_month_does_not_count(org: Any) -> None:
    from caseload.consents.models import Consent
    from tests.programrules.helpers import local

    ready(org.junior_client, org.junior)
    Consent.objects.filter(client=org.junior_client).update(revoked_at=local("2026-10-15 10:00"))
    add_time(org.junior_client, org.junior, 25)
    assert "no consent" in result(org.junior_client)["not_met"][0]["reason"]


def test_no_care_plan_and_too_few_conditions(org: Any) -> None:
    ready(org.junior_client, org.junior, care_plan=False, conditions=1)
    add_time(org.junior_client, org.junior, 25)
    reason = result(org.junior_client)["not_met"][0]["reason"]
    assert "no care plan on file" in reason
    assert "needs at least 2 chronic conditions; 1 on file" in reason


def test_two_billing_practitioners_in_one_month(org: Any) -> None:
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, 15, practitioner="Dr. Priya Nair")
    add_time(org.junior_client, org.junior, 15, practitioner="Dr. Omar Haddad")
    assert "2 billing practitioners" in result(org.junior_client)["not_met"][0]["reason"]


def test_staff_and_physician_minutes_are_kept_apart(org: Any) -> None:
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, 45)
    add_time(org.junior_client, org.junior, 30, staff_type="physician")
    out = result(org.junior_client)
    assert out["codes"] == ["99490", "99439"]
    assert any(m["code"] == "99491" for m in out["not_met"])


def test_cocm_first_month_then_later_months(org: Any) -> None:
    ready(org.junior_client, org.junior, consent="Collaborative care")
    add_time(org.junior_client, org.junior, 40, program="CoCM", when="2026-10-10 10:00")
    add_time(org.junior_client, org.junior, 40, program="CoCM")
    october = next(r for r in evaluate_month(dt.date(2026, 10, 1)) if r.program == "CoCM")
    assert october.result["codes"] == ["99492"]
    assert result(org.junior_client, "CoCM")["codes"] == ["99493"]


def test_pcm_and_ccm_in_one_month_explain_themselves(org: Any) -> None:
    """Time toward both (as imported; the form refuses it): CCM is billed, PCM says why not."""
    ready(org.junior_client, org.junior, consent="CCM and PCM")
    add_time(org.junior_client, org.junior, 25, program="CCM")
    TimeEntry.objects.create(
        client=org.junior_client,
        source="timer",
        program="PCM",
        activity="coordination",
        performed_by=org.junior,
        staff_type="clinical_staff",
        performed_at=services.clock.now(),
        month=NOVEMBER,
        minutes=40,
    )
    assert result(org.junior_client, "CCM")["codes"] == ["99490"]
    pcm = result(org.junior_client, "PCM")
    assert pcm["codes"] == []
    assert pcm["not_met"] == [{"code": "99426", "reason": "PCM is not billed in a month with CCM"}]


def test_transitional_care_from_its_episode(org: Any) -> None:
    episode = transition_services.discharge_record(
        actor=org.junior,
        client=org.junior_client,
        enrolment=org.junior_client.enrolments.first(),
        discharged_on=dt.date(2026, 11, 20),
        discharged_from="hospital",
        facility_name="General Hospital",
        complexity="high",
    )
    clocks = {c.kind: c for c in episode.clocks.all()}
    for kind, day in (
        ("interactive_contact", dt.date(2026, 11, 23)),
        ("face_to_face", dt.date(2026, 11, 24)),
        ("medication_reconciliation", dt.date(2026, 11, 24)),
    ):
        clocks[kind].met_on = day
        clocks[kind].save(update_fields=["met_on"])
    out = result(org.junior_client, "TCM")
    assert out["codes"] == ["99496"]
    assert out["contact_due"] == "2026-11-24"


# -- closing a month --------------------------------------------------------------------------


def test_a_director_closes_a_month_and_its_results_are_frozen(org: Any) -> None:
    ready(org.junior_client, org.junior)
    entry = add_time(org.junior_client, org.junior, 22, when="2026-10-12 10:00")
    october = dt.date(2026, 10, 1)
    closing = services.month_close(actor=org.director, month=october)
    frozen = MonthResult.objects.get(month_close=closing)
    assert frozen.codes == ["99490"]
    assert frozen.care_manager == org.junior
    event = AuditEvent.objects.get(action="program_month.closed")
    assert event.detail["results"] == 1
    # Corrections are refused while closed; reopening needs a reason.
    with pytest.raises(ValidationFailed):
        correct(entry, org.junior, 10, reason="Less")
    with pytest.raises(ValidationFailed) as caught:
        services.month_reopen(actor=org.director, month=october, reason=" ")
    assert caught.value.field_errors["reason"] == ["Say why the month is reopened."]
    services.month_reopen(actor=org.director, month=october, reason="A late correction")
    assert AuditEvent.objects.get(action="program_month.reopened").detail["reason"] == (
        "A late correction"
    )
    correct(entry, org.junior, 10, reason="Less")
    assert month_results(october)[0].codes == []  # live again
    assert MonthResult.objects.get(month_close=closing).codes == ["99490"]  # history kept
    services.month_close(actor=org.director, month=october)
    assert MonthClose.objects.filter(month=october).count() == 2
    assert month_results(october)[0].frozen


def test_frozen_results_do_not_move_when_records_change(org: Any) -> None:
    ready(org.junior_client, org.junior)
    add_time(org.junior_client, org.junior, 22, when="2026-10-12 10:00")
    services.month_close(actor=org.director, month=dt.date(2026, 10, 1))
    from caseload.consents.models import Consent

    Consent.objects.filter(client=org.junior_client).update(
        entered_in_error_at=services.clock.now()
    )
    assert month_results(dt.date(2026, 10, 1))[0].codes == ["99490"]


def test_only_directors_close_and_only_ended_months(org: Any) -> None:
    for actor in (org.senior, org.supervisor, org.junior, org.admin):
        with pytest.raises(NotFound):
            services.month_close(actor=actor, month=dt.date(2026, 10, 1))
    with pytest.raises(ValidationFailed, match="has not ended"):
        services.month_close(actor=org.director, month=NOVEMBER)
    services.month_close(actor=org.director, month=dt.date(2026, 10, 1))
    with pytest.raises(Conflict, match="already closed"):
        services.month_close(actor=org.director, month=dt.date(2026, 10, 1))
    with pytest.raises(Conflict, match="not closed"):
        services.month_reopen(actor=org.director, month=dt.date(2026, 9, 1), reason="x")
