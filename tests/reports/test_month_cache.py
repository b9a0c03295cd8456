"""The kept totals of closed months (reports/monthcache.py, reports/marks.py): a report read from
them equals the report computed live after every kind of late write, and stays equal under
concurrent writes. PostgreSQL only: the marks are PostgreSQL triggers; on SQLite every month is
computed live, which the last test checks."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from caseload.assessments.models import AssessmentResponse, ReassessmentSchedule
from caseload.careplans.models import Goal
from caseload.enrolments.models import Enrolment
from caseload.notes.models import ProgressNote
from caseload.referrals.models import Referral
from caseload.reports import jobs, monthcache
from caseload.reports.models import MonthFigures, MonthMark
from caseload.reports.months import Month
from caseload.reports.selectors import MonthReport, month_report
from caseload.transitions.models import TransitionalClock
from tests.reports.test_month_figures import NOVEMBER, Month_, _day, _local

ON_POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="the month marks are PostgreSQL triggers; SQLite computes live"
)
OCTOBER = Month(2026, 10)
#: Families of figures a report keeps, each for the 12 months of the trend.
FAMILIES = 8


def _shape(report: MonthReport) -> dict[str, Any]:
    return {
        row.key: (row.total, row.trend, row.by_program, row.by_care_manager) for row in report.rows
    }


def _same_as_live(actor: Any, month: Month = NOVEMBER) -> dict[str, Any]:
    kept = _shape(month_report(actor=actor, month=month))
    with monthcache.disabled():
        live = _shape(month_report(actor=actor, month=month))
    assert kept == live
    return kept


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """(family, months) computed rather than read from the kept totals, per report."""
    seen: list[tuple[str, list[str]]] = []
    put = monthcache.MonthCache.put

    def spy(self: Any, family: str, sources: Any, values: dict[Month, Any]) -> None:
        if values and not monthcache._disabled.get():  # not the live report's
            seen.append((family, sorted(m.key for m in values)))
        put(self, family, sources, values)

    monkeypatch.setattr(monthcache.MonthCache, "put", spy)
    return seen


def _families_computed(seen: list[tuple[str, list[str]]]) -> dict[str, list[str]]:
    return dict(seen)


@postgres_only
@pytest.mark.django_db
class TestKeptMonths:
    def test_the_second_report_reads_the_kept_months_and_equals_the_live_one(
        self, org: Any, computed: list[Any]
    ) -> None:
        Month_(org)
        first = _shape(month_report(actor=org.director, month=NOVEMBER))
        assert len(computed) == FAMILIES * 2
        assert all(
            months == ["2026-11"] if family.endswith(":by") else len(months) == 12
            for family, months in computed
        )
        # 12 months of totals and the month's rows per program and care manager, per family.
        assert MonthFigures.objects.filter(scope="all").count() == FAMILIES * 13
        computed.clear()
        assert _same_as_live(org.director) == first
        assert computed == []  # every month kept
        # A senior's report is kept apart: another scope.
        _same_as_live(org.senior)
        assert MonthFigures.objects.exclude(scope="all").count() == FAMILIES * 13

    def test_a_late_note_recomputes_its_month_and_the_later_ones_only(
        self, org: Any, computed: list[Any]
    ) -> None:
        built = Month_(org)
        before = _same_as_live(org.director)
        computed.clear()
        built.note(built.a, _local("2026-10-15T10:00"))  # entered today, dated 15 October
        after = _same_as_live(org.director)
        october = 10  # index of October in the trend from December 2025
        assert after["contacts"][1][october] == before["contacts"][1][october] + 1
        assert after["contacts"][1][11] == before["contacts"][1][11]
        redone = _families_computed(computed)
        assert redone == {
            "active": ["2026-10", "2026-11"],
            "active:by": ["2026-11"],
            "contacts": ["2026-10", "2026-11"],
            "contacts:by": ["2026-11"],
        }

    def test_a_reassignment_recomputes_only_the_per_care_manager_rows(
        self, org: Any, computed: list[Any]
    ) -> None:
        built = Month_(org)
        before = _same_as_live(org.director)
        computed.clear()
        Enrolment.objects.filter(pk=built.a.pk).update(care_manager=org.other_cm)
        after = _same_as_live(org.director)
        assert {family for family, _ in computed} == {
            f"{family}:by"
            for family in (
                "active",
                "contacts",
                "reviews_overdue",
                "goals_achieved",
                "referrals_sent",
                "referral_days_to_close",
                "clocks_due",
                "collaborative",
            )
        }
        assert after["contacts"][1] == before["contacts"][1]  # the trend: per program
        assert after["contacts"][3] != before["contacts"][3]  # per care manager: today's

    def test_months_kept_by_other_code_are_computed_again(
        self, org: Any, computed: list[Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A release that changes how a figure is computed must not serve the old figures."""
        Month_(org)
        month_report(actor=org.director, month=NOVEMBER)
        assert {row.marks["code"] for row in MonthFigures.objects.all()} == {
            monthcache.code_version()
        }
        monkeypatch.setattr(monthcache, "code_version", lambda: "another release")
        computed.clear()
        _same_as_live(org.director)
        assert len(computed) == FAMILIES * 2

    def test_the_current_month_is_never_kept(self, org: Any) -> None:
        Month_(org)
        this_month = Month(timezone.localdate().year, timezone.localdate().month)
        month_report(actor=org.director, month=this_month)
        kept = set(MonthFigures.objects.values_list("month", flat=True))
        assert this_month.first_day not in kept
        assert this_month.previous().first_day in kept or (
            this_month.first_day - dt.timedelta(days=1) + monthcache.GRACE > timezone.localdate()
        )

    def test_today_s_work_marks_no_closed_month(self, org: Any) -> None:
        built = Month_(org)
        MonthMark.objects.all().delete()
        today = timezone.now()
        built.note(built.b, today)
        enrolment = built.f
        enrolment.status, enrolment.ended_on = "discharged", timezone.localdate()
        enrolment.save()
        ProgressNote.objects.filter(enrolment=built.a).update(narrative="Edited wording")
        assert list(MonthMark.objects.values_list("source", flat=True)) == []
        # A reassignment marks only what the per-care-manager rows read.
        Enrolment.objects.filter(pk=built.a.pk).update(care_manager=org.supervisor)
        assert list(MonthMark.objects.values_list("source", "month")) == [
            ("enrolment_managers", _day("2026-10-01"))  # A: referred on 2 October
        ]

    def test_a_write_dated_in_a_closed_month_marks_that_month(self, org: Any) -> None:
        built = Month_(org)
        MonthMark.objects.all().delete()
        Enrolment.objects.filter(pk=built.f.pk).update(ended_on=_day("2026-10-20"))
        ReassessmentSchedule.objects.update(interval_days=60)
        found = {(m.source, m.month) for m in MonthMark.objects.all()}
        # The UTC month of a day earlier: never later than the organisation's month.
        assert found == {
            ("enrolments", _day("2026-10-01")),
            ("enrolment_managers", _day("2026-10-01")),
            ("schedules", _day("1899-12-01")),
        }

    @pytest.mark.parametrize(
        "write",
        [
            "backdated_discharge",
            "goal_achieved_now",
            "referral_closed_late",
            "phq9_backdated",
            "clock_met_backdated",
            "schedule_stopped",
            "note_entered_in_error",
            "enrolment_moved_program",
            "enrolment_deleted",
        ],
    )
    def test_every_kind_of_late_write_gives_the_live_figures(
        self, org: Any, write: str, computed: list[Any]
    ) -> None:
        built = Month_(org)
        before = _same_as_live(org.director)
        _same_as_live(org.senior)
        _same_as_live(org.director, OCTOBER)
        LATE_WRITES[write](org, built)
        computed.clear()
        after = _same_as_live(org.director)
        assert computed, "the write changed no kept month"
        assert after != before
        _same_as_live(org.senior)
        _same_as_live(org.director, OCTOBER)

    def test_the_daily_job_keeps_the_last_closed_month_for_every_scope(
        self, org: Any, computed: list[Any], pin: Any
    ) -> None:
        built = Month_(org)
        pin("2026-12-02 12:00")  # November ended yesterday: not kept yet, October is
        assert jobs.month_totals_keep() == "2026-10: figures kept for 4 scopes"
        pin("2026-12-04 06:00")  # November closed three days ago: kept from 3 December
        assert jobs.month_totals_keep() == "2026-11: figures kept for 4 scopes"
        # The organisation and each program (the senior's programs: her geriatric one).
        scopes = set(MonthFigures.objects.values_list("scope", flat=True))
        assert scopes == {
            monthcache.scope_key(None),
            monthcache.scope_key([org.geriatric.pk]),
            monthcache.scope_key([org.chronic.pk]),
            monthcache.scope_key([built.behavioural.pk]),
        }
        assert MonthFigures.objects.filter(month=_day("2026-11-01")).count() == 4 * FAMILIES * 2
        october = MonthFigures.objects.filter(month=_day("2026-10-01"), family="active:by")
        assert october.count() == 4
        computed.clear()
        _same_as_live(org.director)
        _same_as_live(org.senior)
        assert computed == []  # the first reports of the month read what the job kept

    def test_folding_the_marks_keeps_the_kept_months_valid(
        self, org: Any, computed: list[Any]
    ) -> None:
        built = Month_(org)
        for day in ("2026-09-10", "2026-09-11", "2026-10-02"):
            built.note(built.a, _local(f"{day}T10:00"))
        _same_as_live(org.director)

        def weights() -> dict[tuple[str, dt.date], int]:
            rows = MonthMark.objects.values("source", "month").annotate(total=Sum("weight"))
            return {(row["source"], row["month"]): row["total"] for row in rows}

        before, rows = weights(), MonthMark.objects.count()
        assert rows > len(before)
        assert jobs.month_marks_fold() == f"{rows - len(before)} month marks folded"
        assert MonthMark.objects.count() == len(before)
        assert weights() == before
        computed.clear()
        _same_as_live(org.director)
        assert computed == []
        built.note(built.a, _local("2026-10-03T10:00"))
        computed.clear()
        _same_as_live(org.director)
        assert ("contacts", ["2026-10", "2026-11"]) in computed
        assert ("contacts:by", ["2026-11"]) in computed


def _late_goal(org: Any, built: Month_) -> None:
    goal = Goal.objects.filter(status="active").first()
    assert goal is not None
    goal.status = "achieved"
    goal.save()


def _late_referral(org: Any, built: Month_) -> None:
    referral = Referral.objects.filter(status="sent").order_by("sent_on").first()
    assert referral is not None
    referral.status, referral.closed_at = "completed", _local("2026-11-25T09:00")
    referral.save()


def _late_score(org: Any, built: Month_) -> None:
    built.score(built.j, "phq9", 3, "2026-11-10")


def _late_clock(org: Any, built: Month_) -> None:
    TransitionalClock.objects.filter(kind="medication_reconciliation").update(
        met_on=_day("2026-11-19")
    )


def _in_error(org: Any, built: Month_) -> None:
    note = ProgressNote.objects.filter(contact_type="video").get()
    note.entered_in_error_at = timezone.now()
    note.save()


def _moved(org: Any, built: Month_) -> None:
    Enrolment.objects.filter(pk=built.f.pk).update(program=org.chronic)


def _deleted(org: Any, built: Month_) -> None:
    AssessmentResponse.objects.filter(enrolment=built.k).delete()
    Enrolment.objects.filter(pk=built.k.pk).delete()


LATE_WRITES: dict[str, Callable[[Any, Month_], None]] = {
    "backdated_discharge": lambda org, built: Enrolment.objects.filter(pk=built.f.pk).update(
        status="discharged", ended_on=_day("2026-10-20")
    ),
    "goal_achieved_now": _late_goal,
    "referral_closed_late": _late_referral,
    "phq9_backdated": _late_score,
    "clock_met_backdated": _late_clock,
    "schedule_stopped": lambda org, built: ReassessmentSchedule.objects.update(is_active=False),
    "note_entered_in_error": _in_error,
    "enrolment_moved_program": _moved,
    "enrolment_deleted": _deleted,
}


# --- Concurrent writes ------------------------------------------------------------------------


def _in_thread(work: Callable[[], None]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@postgres_only
@pytest.mark.django_db(transaction=True)
class TestConcurrentWrites:
    def test_a_write_committed_while_the_report_computes_is_not_lost(
        self, org: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The marks are read, then a late note commits, then the figures are read: whatever
        the figures saw, the kept months no longer match and the next report is live's."""
        built = Month_(org)
        read = monthcache.MonthCache._read_marks

        def then_a_late_note(self: Any) -> None:
            read(self)
            _in_thread(lambda: built.note(built.a, _local("2026-10-16T10:00"))).join()

        monkeypatch.setattr(monthcache.MonthCache, "_read_marks", then_a_late_note)
        month_report(actor=org.director, month=NOVEMBER)
        monkeypatch.setattr(monthcache.MonthCache, "_read_marks", read)
        assert ProgressNote.objects.filter(contact_at=_local("2026-10-16T10:00")).exists()
        _same_as_live(org.director)

    def test_a_write_committed_after_the_months_were_kept_is_not_lost(self, org: Any) -> None:
        """A late note's transaction is open while a report computes and keeps November; it
        commits afterwards, with its mark: the next report recomputes and counts it."""
        built = Month_(org)
        written, release = threading.Event(), threading.Event()

        def slow_writer() -> None:
            from django.db import transaction

            with transaction.atomic():
                built.note(built.b, _local("2026-11-28T10:00"), contact_type="video")
                written.set()
                assert release.wait(30)

        writer = _in_thread(slow_writer)
        assert written.wait(30)
        kept = _shape(month_report(actor=org.director, month=NOVEMBER))  # without the note
        release.set()
        writer.join()
        now = _same_as_live(org.director)
        assert now["contacts_video"][0] == kept["contacts_video"][0] + 1

    def test_reports_and_late_writes_at_once_end_equal_to_live(self, org: Any) -> None:
        built = Month_(org)
        notes_before = ProgressNote.objects.count()
        errors: list[BaseException] = []

        def writer(day: int) -> Callable[[], None]:
            def work() -> None:
                for n in range(8):
                    at = _local(f"2026-{9 + n % 3:02d}-{day + n:02d}T10:00")
                    built.note(built.a if n % 2 else built.f, at)

            return work

        def reader() -> None:
            try:
                for _ in range(4):
                    month_report(actor=org.director, month=NOVEMBER)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        threads = [_in_thread(writer(1)), _in_thread(writer(12)), _in_thread(reader)]
        threads.append(_in_thread(reader))
        for thread in threads:
            thread.join()
        assert errors == []
        assert ProgressNote.objects.count() == notes_before + 16
        _same_as_live(org.director)


@pytest.mark.skipif(ON_POSTGRES, reason="checks SQLite, where no month is kept")
@pytest.mark.django_db
def test_sqlite_computes_every_month_live(org: Any) -> None:
    Month_(org)
    month_report(actor=org.director, month=NOVEMBER)
    assert not MonthFigures.objects.exists()
    assert jobs.month_totals_keep() == "no month is kept on this database"
