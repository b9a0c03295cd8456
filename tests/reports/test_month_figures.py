"""Every figure of the month report against a hand-built November 2026 (America/New_York),
including notes either side of the month's edges in the organisation's time zone (1 November
is also the day summer time ends: midnight is 04:00 UTC, the next midnight 05:00 UTC)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from caseload.assessments.models import AssessmentResponse, ReassessmentSchedule
from caseload.careplans.models import Goal
from caseload.enrolments.models import Enrolment
from caseload.referrals.models import Referral, ReferralEvent
from caseload.reports.months import Month, parse_month
from caseload.reports.selectors import MonthReport, figure_clients, month_report
from caseload.transitions.models import TransitionalCareEpisode, TransitionalClock
from tests import factories

pytestmark = pytest.mark.django_db

NOVEMBER = Month(2026, 11)
UTC = dt.UTC


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def _local(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


class Month_:
    """The hand-built month: who, what, and the figures it must give."""

    def __init__(self, org: Any) -> None:
        # The shared organisation's clients leave before the trend's window opens.
        Enrolment.objects.update(
            status="discharged", started_on=_day("2024-01-02"), ended_on=_day("2024-02-01")
        )
        self.org = org
        g, c = org.geriatric, org.chronic
        self.behavioural = factories.ProgramFactory(
            code="cocm", name="Collaborative care", kind="behavioural_health"
        )
        junior, supervisor, other = org.junior, org.supervisor, org.other_cm

        def enrol(program: Any, manager: Any, started: str | None, **more: Any) -> Enrolment:
            return factories.EnrolmentFactory(
                program=program,
                care_manager=manager,
                referred_on=_day(started or "2026-11-25") - dt.timedelta(days=3),
                started_on=_day(started) if started else None,
                status=more.pop("status", "active" if started else "referred"),
                **more,
            )

        self.a = enrol(g, junior, "2026-10-05")
        self.b = enrol(g, supervisor, "2026-11-10")
        self.c = enrol(g, junior, "2026-09-01", status="discharged", ended_on=_day("2026-11-20"))
        self.d = enrol(c, other, "2026-08-01", status="discharged", ended_on=_day("2026-10-31"))
        self.e = enrol(c, other, None)  # referred, never started: not active
        self.f = enrol(g, junior, "2026-06-01")
        self.h = enrol(self.behavioural, other, "2026-08-20")
        self.i = enrol(self.behavioural, other, "2026-08-25")
        self.j = enrol(self.behavioural, other, "2026-09-20")
        self.k = enrol(self.behavioural, other, "2026-09-25")
        self._contacts()
        self._care_plans()
        self._referrals()
        self._phq9()
        self._clocks()

    def note(self, enrolment: Enrolment, at: dt.datetime, **more: Any) -> None:
        values = {
            "contact_type": "phone",
            "contact_with": "client",
            "status": "signed",
            "reached": True,
        } | more
        factories.ProgressNoteFactory(
            client=enrolment.client,
            enrolment=enrolment,
            author=enrolment.care_manager,
            contact_at=at,
            **values,
        )

    def _contacts(self) -> None:
        a, b = self.a, self.b
        self.note(a, _utc("2026-11-01T04:30"))  # 00:30 on 1 November in New York: November
        self.note(a, _utc("2026-11-01T03:30"))  # 23:30 on 31 October: October
        self.note(
            a, _local("2026-11-15T10:00"), contact_type="video", contact_with="related_person"
        )
        self.note(b, _utc("2026-12-01T04:30"), contact_type="visit")  # 23:30 on 30 November
        self.note(b, _utc("2026-12-01T05:30"))  # 00:30 on 1 December: December
        self.note(b, _local("2026-11-20T10:00"), contact_type="message", contact_with="provider")
        self.note(a, _local("2026-11-03T10:00"), reached=False)  # not reached: no contact
        self.note(a, _local("2026-11-04T10:00"), status="draft")  # unsigned
        self.note(a, _local("2026-11-05T10:00"), contact_type="collateral")  # not a contact

    def _care_plans(self) -> None:
        plan_a = factories.CarePlanFactory(
            enrolment=self.a, status="active", review_due=_day("2026-11-25")
        )
        factories.CarePlanFactory(enrolment=self.f, status="active", review_due=_day("2026-12-15"))
        factories.CarePlanFactory(
            enrolment=self.b, status="returned", review_due=_day("2026-11-01")
        )
        problem = factories.ProblemFactory(careplan=plan_a)
        goals = {
            status: factories.GoalFactory(problem=problem, careplan=plan_a, status=status)
            for status in ("achieved", "not_achieved", "active", "cancelled")
        }
        late = factories.GoalFactory(problem=problem, careplan=plan_a, status="achieved")
        Goal.objects.filter(pk__in=[g.pk for g in goals.values()]).update(
            updated_at=_local("2026-11-12T09:00"), created_at=_local("2026-10-10T09:00")
        )
        Goal.objects.filter(pk=late.pk).update(updated_at=_local("2026-10-30T09:00"))
        ReassessmentSchedule.objects.create(
            program=self.org.geriatric, instrument_code="katz", interval_days=90
        )
        for enrolment, on in ((self.a, "2026-10-01"), (self.f, "2026-08-01")):
            self.score(enrolment, "katz", 5, on)

    def score(self, enrolment: Enrolment, code: str, total: int, on: str) -> None:
        AssessmentResponse.objects.create(
            client=enrolment.client,
            enrolment=enrolment,
            instrument_code=code,
            status="completed",
            assessed_on=_day(on),
            total=total,
            started_by=enrolment.care_manager,
        )

    def _referrals(self) -> None:
        owner = self.a.care_manager

        def referral(sent: str, **more: Any) -> Referral:
            return Referral.objects.create(
                client=self.a.client,
                enrolment=self.a,
                provider_name="Eastside Meals",
                reason="Food insecurity",
                created_by=owner,
                sent_on=_day(sent),
                status=more.pop("status", "sent"),
                **more,
            )

        referral("2026-11-02", status="completed", closed_at=_local("2026-11-05T15:00"))  # 3 days
        referral("2026-10-28", status="declined", closed_at=_local("2026-11-04T09:00"))  # 5 days
        referral("2026-10-20", status="cancelled", closed_at=_local("2026-11-06T09:00"))
        referral("2026-11-10", response_due_on=_day("2026-11-13"))  # unanswered: overdue
        referral("2026-11-20", response_due_on=_day("2026-12-02"))  # not due yet
        answered = referral("2026-11-03", response_due_on=_day("2026-11-06"), status="accepted")
        ReferralEvent.objects.create(
            referral=answered,
            kind="status",
            from_status="sent",
            to_status="accepted",
            actor=owner,
            occurred_at=_local("2026-11-05T10:00"),
        )

    def _phq9(self) -> None:
        # H reaches week 12 on 12 November: 20 → 8 (response); I on 17 November: 15 → 4
        # (response and remission); J reaches week 8 on 15 November still at 16 of 18 (review
        # due); K reaches week 8 on 20 November at 4 of 10 (no review).
        for enrolment, scores in (
            (self.h, [(20, "2026-08-21"), (8, "2026-10-20")]),
            (self.i, [(15, "2026-08-26"), (4, "2026-11-01")]),
            (self.j, [(18, "2026-09-21"), (16, "2026-10-20")]),
            (self.k, [(10, "2026-09-26"), (4, "2026-11-01")]),
        ):
            for total, on in scores:
                self.score(enrolment, "phq9", total, on)

    def _clocks(self) -> None:
        def episode(status: str = "active") -> TransitionalCareEpisode:
            return TransitionalCareEpisode.objects.create(
                client=self.a.client,
                enrolment=self.a,
                discharged_on=_day("2026-10-30"),
                discharged_from="hospital",
                facility_name="General Hospital",
                complexity="high",
                ends_on=_day("2026-11-29"),
                status=status,
                recorded_by=self.a.care_manager,
            )

        first = episode()
        for kind, due, met in (
            ("interactive_contact", "2026-11-03", "2026-11-02"),
            ("face_to_face", "2026-11-10", "2026-11-12"),
            ("medication_reconciliation", "2026-11-20", None),
        ):
            TransitionalClock.objects.create(
                episode=first, kind=kind, due_on=_day(due), met_on=_day(met) if met else None
            )
        closed = episode(status="closed")  # closed early: its unmet clock stopped
        TransitionalClock.objects.create(
            episode=closed, kind="interactive_contact", due_on=_day("2026-11-25")
        )


@pytest.fixture
def built(org: Any) -> Month_:
    return Month_(org)


@pytest.fixture
def report(org: Any, built: Month_) -> MonthReport:
    return month_report(actor=org.director, month=NOVEMBER)


EXPECTED = {
    "active": 8,  # A, B, C, F (geriatric) and H, I, J, K (collaborative care)
    "new": 1,  # B
    "discharged": 1,  # C
    "open_at_end": 7,
    "not_reached": 5,  # F, H, I, J, K
    "contacts": 4,
    "contacts_phone": 1,
    "contacts_video": 1,
    "contacts_visit": 1,
    "contacts_message": 1,
    "with_client": 2,
    "with_family": 1,
    "with_provider": 1,
    "contacts_per_client": 0.5,
    "reviews_overdue": 1,  # A's plan, due 25 November
    "reassessments_overdue": 2,  # B (never scored) and F (katz on 1 August, every 90 days)
    "goals_achieved": 1,
    "goals_in_progress": 1,
    "goals_not_achieved": 1,
    "referrals_sent": 4,
    "referrals_closed": 2,
    "referral_days_to_close": 4,  # median of 3 and 5 business days
    "responses_overdue": 1,
    "phq_measured": 2,
    "phq_response": 2,
    "phq_remission": 1,
    "phq_response_rate": 100,
    "phq_remission_rate": 50,
    "psych_reviews_due": 1,
    "clocks_due": 3,
    "clocks_met": 1,
    "clocks_met_share": 33.3,
}


def test_every_figure_of_the_month(report: MonthReport) -> None:
    got = {row.key: row.total for row in report.rows}
    assert got == EXPECTED


def test_per_program_and_per_care_manager(org: Any, built: Month_, report: MonthReport) -> None:
    assert report.row("active").by_program == {org.geriatric.pk: 4, built.behavioural.pk: 4}
    assert report.row("contacts").by_care_manager == {org.junior.pk: 2, org.supervisor.pk: 2}
    assert report.row("open_at_end").by_care_manager == {
        org.junior.pk: 2,
        org.supervisor.pk: 1,
        org.other_cm.pk: 4,
    }
    assert report.row("contacts_per_client").by_care_manager[org.junior.pk] == round(2 / 3, 2)
    assert {m.pk for m in report.care_managers} == {
        org.junior.pk,
        org.supervisor.pk,
        org.other_cm.pk,
    }


def test_the_trend_counts_each_month_on_its_own(report: MonthReport) -> None:
    assert report.months[0].key == "2025-12"
    october = report.months.index(Month(2026, 10))
    assert report.row("contacts").trend[october] == 1  # 23:30 on 31 October, New York
    assert report.row("new").trend[october] == 1  # A
    assert report.row("active").trend[october] == 8  # A, C, D, F, H, I, J, K
    assert report.row("discharged").trend[october] == 1  # D
    assert report.row("goals_achieved").trend[october] == 1
    assert report.row("contacts").trend[:9] == [0] * 9


def test_december_takes_the_notes_after_midnight_on_30_november(org: Any, built: Month_) -> None:
    december = month_report(actor=org.director, month=Month(2026, 12))
    assert december.row("contacts").total == 1


def test_a_senior_reads_their_programs_figures_only(org: Any, built: Month_) -> None:
    report = month_report(actor=org.senior, month=NOVEMBER)
    assert report.row("active").total == 4
    assert report.row("phq_measured").total == 0
    assert list(report.row("active").by_program) == [org.geriatric.pk]


def test_the_clients_behind_a_figure(org: Any, built: Month_) -> None:
    not_reached = figure_clients(actor=org.director, month=NOVEMBER, figure="not_reached")
    assert set(not_reached) == {e.client for e in (built.f, built.h, built.i, built.j, built.k)}
    juniors = figure_clients(
        actor=org.director, month=NOVEMBER, figure="active", care_manager_id=org.junior.pk
    )
    assert set(juniors) == {built.a.client, built.c.client, built.f.client}
    senior = figure_clients(actor=org.senior, month=NOVEMBER, figure="phq_measured")
    assert not senior.exists()


def test_the_report_is_sql_aggregates_not_a_loop_over_clients(
    org: Any, built: Month_, django_assert_max_num_queries: Any
) -> None:
    for _ in range(20):
        factories.EnrolmentFactory(program=org.geriatric, care_manager=org.junior)
    with django_assert_max_num_queries(100):
        month_report(actor=org.director, month=NOVEMBER)


def test_months_parse_in_the_organisations_time_zone(pin: Any) -> None:
    pin("2026-12-05 10:00")
    assert parse_month("") == NOVEMBER
    assert NOVEMBER.start_at == _utc("2026-11-01T04:00")  # summer time until 2:00 that day
    assert NOVEMBER.end_at == _utc("2026-12-01T05:00")
    assert parse_month("2026-02") == Month(2026, 2)
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2025, 12).next() == Month(2026, 1)
    assert len(NOVEMBER.trailing(12)) == 12
