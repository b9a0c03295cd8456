"""The month report's figures, each one SQL aggregate over the rows it counts.

A ``Measure`` names a model's rows (``base``), the condition that puts a row in a month
(``condition``), and the paths from a row to its program, care manager and client. From those
three queries answer every question the report asks of it, whatever the number of clients:

* ``trend``: the figure for each of 12 months, in one query (one conditional ``COUNT`` per month);
* ``breakdown``: the month's figure per program or per care manager (``GROUP BY``);
* ``client_ids``: the clients behind the figure (a subquery the client list pages through).

Derived figures (contacts per client, response rate, share of clocks met) divide two measures;
the median business days to close a referral is worked out from the (sent, closed) dates of the
month's closed referrals. Months are the organisation's time zone (``months.Month``).

Where history is not kept, a past month is judged on the record as it is now, and the figure's
``help`` says so: a care plan's review date, a goal's status (dated by its last change) and the
care manager of an enrolment (the report's per-care-manager rows are today's care managers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from caseload.assessments import selectors as assessments
from caseload.assessments.expressions import AddDays
from caseload.careplans import selectors as careplans
from caseload.careplans.models import CarePlanStatus, GoalStatus
from caseload.enrolments import selectors as enrolments
from caseload.enrolments.models import Enrolment, ProgramKind
from caseload.notes import selectors as notes
from caseload.notes.models import ContactType, ContactWith
from caseload.referrals import selectors as referrals
from caseload.referrals.models import ReferralStatus
from caseload.reports.months import Month
from caseload.transitions import selectors as transitions

#: Sections of the report, in order.
SECTIONS = (
    ("clients", "Clients"),
    ("contacts", "Contacts"),
    ("careplans", "Care plans and reassessments"),
    ("goals", "Goals"),
    ("referrals", "Referrals"),
    ("collaborative", "Collaborative care"),
    ("transitional", "Transitional care"),
)

NOT_REACHED_DAYS = 30
#: A closed loop: the service answered with an outcome (a cancelled referral closes no loop).
CLOSED_LOOP = (ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.NO_SHOW)
PHQ9 = "phq9"
REMISSION_BELOW = 5


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    section: str
    #: The rows, from the owning app's selectors, of the programs reported on (None: all).
    base: Callable[[list[Any] | None], QuerySet[Any]]
    condition: Callable[[Month], Q]
    program: str
    care_manager: str
    client: str
    #: Count distinct clients (True) or rows (contacts, referrals, goals, clocks).
    clients: bool = True
    help: str = ""
    #: The rows any month from ``first`` to ``last`` can count (None: any row): lets a family's
    #: queries read only those (an index range) instead of every row ever.
    span: Callable[[Month, Month], Q] | None = None
    #: The tables (``marks.SOURCES``) whose writes can change the figure of a past month.
    sources: tuple[str, ...] = ()

    def count(self, condition: Q | None = None) -> Count:
        """COUNT of clients (distinct) or rows, of the rows meeting ``condition`` if given."""
        if self.clients:
            return Count(self.client, distinct=True, filter=condition)
        return Count("pk", filter=condition)

    def scoped(self, program_ids: list[Any] | None) -> QuerySet[Any]:
        return self.base(program_ids)


# --- Conditions shared by the enrolment measures ----------------------------------------------


def _open_on(end: dt.date, prefix: str = "") -> Q:
    """Enrolments started before ``end`` and not ended before it (open at the month's end)."""
    return Q(**{f"{prefix}started_on__lt": end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": end})
    )


def _active_in(month: Month) -> Q:
    return Q(started_on__lt=month.end) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=month.first_day)
    )


def _enrolments(program_ids: list[Any] | None) -> QuerySet[Enrolment]:
    # Every condition on it names started_on (an enrolment never started counts in none of
    # them), so the discharges share the rows and the queries of the other enrolment figures.
    return enrolments.enrolments_for_report(program_ids)


def _contacts(program_ids: list[Any] | None) -> QuerySet[Any]:
    return notes.contacts_for_report(program_ids)


def _in(month: Month, field: str) -> Q:
    return Q(**{f"{field}__gte": month.start_at, f"{field}__lt": month.end_at})


def _dated_in(month: Month, field: str) -> Q:
    return Q(**{f"{field}__gte": month.first_day, f"{field}__lt": month.end})


def _not_reached(month: Month) -> Q:
    # NOT IN an uncorrelated subquery: one scan of the month's last 30 days of notes (a hashed
    # set), not a probe per enrolment and month.
    reached = notes.clients_reached_between(
        month.end_at - dt.timedelta(days=NOT_REACHED_DAYS), month.end_at
    )
    return _open_on(month.end) & ~Q(client_id__in=reached)


def _schedules() -> list[tuple[Any, str, int]]:
    """(program, instrument, interval) of every active reassessment schedule: a few rows, read
    once per report (``schedules_read_once``)."""
    cached = _SCHEDULES.get()
    return cached if cached is not None else assessments.active_schedules()


_SCHEDULES: ContextVar[list[tuple[Any, str, int]] | None] = ContextVar(
    "report_schedules", default=None
)


@contextmanager
def schedules_read_once() -> Iterator[None]:
    token = _SCHEDULES.set(None)
    _SCHEDULES.set(_schedules())
    try:
        yield
    finally:
        _SCHEDULES.reset(token)


def _reassessment_overdue(month: Month) -> Q:
    """Open at the month's end, in a program with an active reassessment schedule, with no
    completed score of that instrument still valid then (taken before the end, less than the
    schedule's interval before it)."""
    unmet = Q(pk__in=[])
    for program_id, code, interval in _schedules():
        valid = assessments.clients_scored_between(
            code, month.end - dt.timedelta(days=interval), month.end
        )
        unmet |= Q(program_id=program_id) & ~Q(client_id__in=valid)
    return _open_on(month.end) & unmet


def _phq(order: str, **window: Any) -> Subquery:
    return assessments.score_of_enrolment_client(PHQ9, "total", order, **window)


def _collaborative(program_ids: list[Any] | None) -> QuerySet[Enrolment]:
    """Collaborative-care enrolments with their PHQ-9 baseline (first from referral on), the
    latest score between weeks 8 and 12, and the latest follow-up by week 8."""
    first_on = assessments.score_of_enrolment_client(
        PHQ9, "assessed_on", "assessed_on", assessed_on__gte=OuterRef("referred_on")
    )
    return (
        _enrolments(program_ids)
        .filter(started_on__isnull=False, program__kind=ProgramKind.BEHAVIOURAL)
        .annotate(start=Coalesce(F("started_on"), F("referred_on")))
        .annotate(
            week8=AddDays(F("start"), Value(56)),
            week12=AddDays(F("start"), Value(84)),
            baseline=_phq("assessed_on", assessed_on__gte=OuterRef("referred_on")),
            baseline_on=first_on,
        )
        .annotate(
            followup=_phq(
                "-assessed_on",
                assessed_on__gte=OuterRef("week8"),
                assessed_on__lte=OuterRef("week12"),
            ),
            by_week8=_phq(
                "-assessed_on",
                assessed_on__gt=OuterRef("baseline_on"),
                assessed_on__lte=OuterRef("week8"),
            ),
        )
        .annotate(followup_twice=F("followup") * 2, by_week8_twice=F("by_week8") * 2)
    )


def _week12_in(month: Month) -> Q:
    return Q(week12__gte=month.first_day, week12__lt=month.end, baseline__isnull=False)


def _review_due(month: Month) -> Q:
    improved = Q(by_week8_twice__lte=F("baseline")) | Q(by_week8__lt=REMISSION_BELOW)
    return (
        Q(week8__gte=month.first_day, week8__lt=month.end, baseline__isnull=False)
        & (Q(ended_on__isnull=True) | Q(ended_on__gt=F("week8")))
        & (Q(by_week8__isnull=True) | ~improved)
    )


#: The collaborative-care figures, judged per enrolment in Python from one query's rows: their
#: conditions read four per-enrolment PHQ-9 subqueries, which a conditional COUNT per month would
#: re-run for every month it names (PostgreSQL does not share a repeated subquery).
COLLABORATIVE = ("phq_measured", "phq_response", "phq_remission", "psych_reviews_due")


def collaborative_rows(first_day: dt.date, end: dt.date, program_ids: list[Any] | None) -> Any:
    """(program, care manager, client, week 8, week 12, baseline, follow-up, by week 8, ended
    on) of the collaborative-care enrolments reaching week 8 or week 12 in [first_day, end):
    one query, the PHQ-9 values worked out once per enrolment."""
    rows: QuerySet[Any] = _collaborative(program_ids)
    rows = rows.filter(
        Q(week8__gte=first_day, week8__lt=end) | Q(week12__gte=first_day, week12__lt=end),
        started_on__gte=first_day - dt.timedelta(days=84),
    )
    return rows.values_list(
        "program_id",
        "care_manager_id",
        "client_id",
        "week8",
        "week12",
        "baseline",
        "followup",
        "by_week8",
        "ended_on",
    )


def collaborative_judged(row: tuple[Any, ...]) -> Iterator[tuple[str, dt.date]]:
    """The collaborative figures one enrolment counts in, each with the day that dates it (the
    same judgement as the measures' conditions below, which list the clients)."""
    _, _, _, week8, week12, baseline, followup, by_week8, ended_on = row
    if baseline is None:
        return
    yield "phq_measured", week12
    if followup is not None and followup * 2 <= baseline:
        yield "phq_response", week12
    if followup is not None and followup < REMISSION_BELOW:
        yield "phq_remission", week12
    improved = by_week8 is not None and (by_week8 * 2 <= baseline or by_week8 < REMISSION_BELOW)
    if (ended_on is None or ended_on > week8) and not improved:
        yield "psych_reviews_due", week8


def _goals(program_ids: list[Any] | None) -> QuerySet[Any]:
    return careplans.goals_for_report(program_ids)


def _careplans(program_ids: list[Any] | None) -> QuerySet[Any]:
    return careplans.careplans_for_report(program_ids)


def _referrals(program_ids: list[Any] | None) -> QuerySet[Any]:
    return referrals.referrals_for_report(program_ids)


def _response_overdue(month: Month) -> Q:
    answered = referrals.referrals_answered_before(month.end_at)
    return Q(sent_on__lt=month.end, response_due_on__lt=month.end) & ~Q(pk__in=answered)


def _clocks(program_ids: list[Any] | None) -> QuerySet[Any]:
    # A clock of an episode closed early and never met stopped: it is neither met nor missed.
    return transitions.clocks_for_report(program_ids)


CONTACT_SOURCES = ("notes", "enrolments")
GOAL_SOURCES = ("goals", "careplans", "enrolments")
REFERRAL_SOURCES = ("referrals", "referral_events", "enrolments")
COLLABORATIVE_SOURCES = ("enrolments", "assessments", "programs")
CLOCK_SOURCES = ("clocks", "episodes", "enrolments")


class Paths(TypedDict):
    """From a measure's row to its program, its care manager and its client."""

    program: str
    care_manager: str
    client: str


ENROLMENT: Paths = {
    "program": "program_id",
    "care_manager": "care_manager_id",
    "client": "client_id",
}
VIA_ENROLMENT: Paths = {
    "program": "enrolment__program_id",
    "care_manager": "enrolment__care_manager_id",
    "client": "client_id",
}
GOAL: Paths = {
    "program": "careplan__enrolment__program_id",
    "care_manager": "careplan__enrolment__care_manager_id",
    "client": "careplan__client_id",
}
CLOCK: Paths = {
    "program": "episode__enrolment__program_id",
    "care_manager": "episode__enrolment__care_manager_id",
    "client": "episode__client_id",
}


def _contact_span(first: Month, last: Month) -> Q:
    return Q(contact_at__gte=first.start_at, contact_at__lt=last.end_at)


def _due_span(first: Month, last: Month) -> Q:
    return Q(due_on__gte=first.first_day, due_on__lt=last.end)


def _contact(key: str, label: str, **kind: Any) -> Measure:
    def condition(month: Month) -> Q:
        return _in(month, "contact_at") & Q(**kind)

    return Measure(
        key,
        label,
        "contacts",
        _contacts,
        condition,
        clients=False,
        span=_contact_span,
        sources=CONTACT_SOURCES,
        **VIA_ENROLMENT,
    )


MEASURES: tuple[Measure, ...] = (
    Measure(
        "active",
        "Active clients",
        "clients",
        _enrolments,
        _active_in,
        help="Clients with an enrolment open at some time in the month.",
        sources=("enrolments",),
        **ENROLMENT,
    ),
    Measure(
        "new",
        "New clients",
        "clients",
        _enrolments,
        lambda m: _dated_in(m, "started_on"),
        help="Enrolments that started in the month.",
        sources=("enrolments",),
        **ENROLMENT,
    ),
    Measure(
        "discharged",
        "Discharged",
        "clients",
        _enrolments,
        lambda m: Q(status="discharged") & _dated_in(m, "ended_on"),
        sources=("enrolments",),
        **ENROLMENT,
    ),
    Measure(
        "open_at_end",
        "Open enrolments at month end",
        "clients",
        _enrolments,
        lambda m: _open_on(m.end),
        clients=False,
        help="The caseload a care manager carried at the month's end, against their cap.",
        sources=("enrolments",),
        **ENROLMENT,
    ),
    Measure(
        "not_reached",
        f"Not reached in {NOT_REACHED_DAYS} days",
        "clients",
        _enrolments,
        _not_reached,
        help=(
            f"Open at the month's end with no contact that reached the client or their family "
            f"in the {NOT_REACHED_DAYS} days before it."
        ),
        sources=("enrolments", "notes"),
        **ENROLMENT,
    ),
    Measure(
        "contacts",
        "Contacts",
        "contacts",
        _contacts,
        lambda m: _in(m, "contact_at"),
        clients=False,
        help="Signed notes of a contact that reached someone: phone, video, in person, message.",
        span=_contact_span,
        sources=CONTACT_SOURCES,
        **VIA_ENROLMENT,
    ),
    _contact("contacts_phone", "By phone", contact_type=ContactType.PHONE),
    _contact("contacts_video", "By video", contact_type=ContactType.VIDEO),
    _contact("contacts_visit", "In person", contact_type=ContactType.VISIT),
    _contact("contacts_message", "By message", contact_type=ContactType.MESSAGE),
    _contact("with_client", "With the client", contact_with=ContactWith.CLIENT),
    _contact("with_family", "With family or caregivers", contact_with=ContactWith.RELATED_PERSON),
    _contact("with_provider", "With providers", contact_with=ContactWith.PROVIDER),
    Measure(
        "reviews_overdue",
        "Care-plan reviews overdue",
        "careplans",
        _careplans,
        lambda m: (
            Q(status=CarePlanStatus.ACTIVE, review_due__lt=m.end) & _open_on(m.end, "enrolment__")
        ),
        help="Active plans whose review date (as recorded now) fell before the month's end.",
        sources=("careplans", "enrolments"),
        **VIA_ENROLMENT,
    ),
    Measure(
        "reassessments_overdue",
        "Reassessments overdue",
        "careplans",
        _enrolments,
        _reassessment_overdue,
        help="Open at the month's end without a valid score of a scheduled instrument.",
        sources=("enrolments", "assessments", "schedules"),
        **ENROLMENT,
    ),
    Measure(
        "goals_achieved",
        "Goals achieved",
        "goals",
        _goals,
        lambda m: Q(status=GoalStatus.ACHIEVED) & _in(m, "updated_at"),
        clients=False,
        help="Goals marked achieved, dated by their last change.",
        sources=GOAL_SOURCES,
        **GOAL,
    ),
    Measure(
        "goals_in_progress",
        "Goals in progress",
        "goals",
        _goals,
        lambda m: Q(status=GoalStatus.ACTIVE, created_at__lt=m.end_at),
        clients=False,
        help="Goals active now that were set before the month's end.",
        sources=GOAL_SOURCES,
        **GOAL,
    ),
    Measure(
        "goals_not_achieved",
        "Goals not achieved",
        "goals",
        _goals,
        lambda m: Q(status=GoalStatus.NOT_ACHIEVED) & _in(m, "updated_at"),
        clients=False,
        sources=GOAL_SOURCES,
        **GOAL,
    ),
    Measure(
        "referrals_sent",
        "Referrals sent",
        "referrals",
        _referrals,
        lambda m: _dated_in(m, "sent_on"),
        clients=False,
        sources=REFERRAL_SOURCES,
        **VIA_ENROLMENT,
    ),
    Measure(
        "referrals_closed",
        "Closed loop",
        "referrals",
        _referrals,
        lambda m: Q(status__in=CLOSED_LOOP, sent_on__isnull=False) & _in(m, "closed_at"),
        clients=False,
        help="Referrals closed with the service's outcome (completed, declined, did not attend).",
        sources=REFERRAL_SOURCES,
        **VIA_ENROLMENT,
    ),
    Measure(
        "responses_overdue",
        "Responses overdue",
        "referrals",
        _referrals,
        _response_overdue,
        clients=False,
        help="Sent referrals the service had not answered by their deadline, at the month's end.",
        sources=REFERRAL_SOURCES,
        **VIA_ENROLMENT,
    ),
    Measure(
        "phq_measured",
        "Reached week 12 with a PHQ-9 baseline",
        "collaborative",
        _collaborative,
        _week12_in,
        sources=COLLABORATIVE_SOURCES,
        **ENROLMENT,
    ),
    Measure(
        "phq_response",
        "PHQ-9 response at 8–12 weeks",
        "collaborative",
        _collaborative,
        lambda m: _week12_in(m) & Q(followup_twice__lte=F("baseline")),
        help="Latest PHQ-9 in weeks 8–12 at most half the baseline.",
        sources=COLLABORATIVE_SOURCES,
        **ENROLMENT,
    ),
    Measure(
        "phq_remission",
        "PHQ-9 remission at 8–12 weeks",
        "collaborative",
        _collaborative,
        lambda m: _week12_in(m) & Q(followup__lt=REMISSION_BELOW),
        help=f"Latest PHQ-9 in weeks 8–12 below {REMISSION_BELOW}.",
        sources=COLLABORATIVE_SOURCES,
        **ENROLMENT,
    ),
    Measure(
        "psych_reviews_due",
        "Psychiatric reviews due",
        "collaborative",
        _collaborative,
        _review_due,
        help="Reached week 8 in the month without response or remission: review by week 12.",
        sources=COLLABORATIVE_SOURCES,
        **ENROLMENT,
    ),
    Measure(
        "clocks_due",
        "Clocks due",
        "transitional",
        _clocks,
        lambda m: _dated_in(m, "due_on"),
        clients=False,
        span=_due_span,
        sources=CLOCK_SOURCES,
        **CLOCK,
    ),
    Measure(
        "clocks_met",
        "Clocks met on time",
        "transitional",
        _clocks,
        lambda m: _dated_in(m, "due_on") & Q(met_on__lte=F("due_on")),
        clients=False,
        span=_due_span,
        sources=CLOCK_SOURCES,
        **CLOCK,
    ),
)

BY_KEY = {measure.key: measure for measure in MEASURES}


@dataclass(frozen=True)
class Ratio:
    """A figure that divides one measure by another (``percent``: × 100)."""

    key: str
    label: str
    section: str
    numerator: str
    denominator: str
    percent: bool = False
    help: str = ""

    def of(self, top: float | None, bottom: float | None) -> float | None:
        if not bottom or top is None:
            return None
        value = top / bottom * (100 if self.percent else 1)
        return round(value, 1 if self.percent else 2)


RATIOS: tuple[Ratio, ...] = (
    Ratio(
        "contacts_per_client",
        "Contacts per active client",
        "contacts",
        "contacts",
        "active",
    ),
    Ratio(
        "phq_response_rate",
        "Response rate",
        "collaborative",
        "phq_response",
        "phq_measured",
        percent=True,
    ),
    Ratio(
        "phq_remission_rate",
        "Remission rate",
        "collaborative",
        "phq_remission",
        "phq_measured",
        percent=True,
    ),
    Ratio(
        "clocks_met_share",
        "Share of clocks met",
        "transitional",
        "clocks_met",
        "clocks_due",
        percent=True,
    ),
)
RATIO_BY_KEY = {ratio.key: ratio for ratio in RATIOS}
MEDIAN_KEY = "referral_days_to_close"
MEDIAN_LABEL = "Median business days to close"
