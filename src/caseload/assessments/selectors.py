"""Reads for assessments, always scoped through access.policies.client_scope.

* ``assessment_summary_for_client`` — what the client chart's Assessments section shows.
* ``reassessment_due_subquery`` and friends — one correlated subquery per Client row for the
  worklist ("PHQ-9 reassessment due 3 Dec"), whatever the caseload's size.
* ``registry_get`` / ``registry_rows`` — the collaborative-care registry of a program.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import InitVar, dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest

from caseload.access import policies
from caseload.assessments import catalogue
from caseload.assessments.definitions import Instrument, InstrumentError, parse_instrument
from caseload.assessments.expressions import AddDays
from caseload.assessments.models import (
    AssessmentResponse,
    GoalScoreTarget,
    ReassessmentSchedule,
    ResponseStatus,
)
from caseload.careplans import selectors as careplans_selectors
from caseload.careplans.models import Goal
from caseload.core import clock, dates
from caseload.core.errors import NotFound
from caseload.enrolments.models import EnrolmentStatus, Program
from caseload.enrolments.selectors import (
    enrolments_in_scope,
    enrolments_of_client,
)
from caseload.staff.models import CareerLevel

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.staff.models import User

#: Enrolment statuses whose schedules make assessments due (on hold pauses the clock).
SCHEDULED_STATUSES = (EnrolmentStatus.REFERRED, EnrolmentStatus.ACTIVE)
#: A reassessment "due soon" shows this many days ahead (the worklist may use it too).
DUE_SOON_DAYS = 7


# ---------------------------------------------------------------------------------------------
# Single responses


def _scoped_responses(actor: User) -> QuerySet[AssessmentResponse]:
    return AssessmentResponse.objects.filter(client__in=policies.client_scope(actor))


def response_get(*, actor: User, response_id: Any) -> AssessmentResponse:
    """One response whose client ``actor`` may see (client, people, enrolment loaded); else
    NotFound."""
    policies.require_clinical(actor)
    try:
        return (
            _scoped_responses(actor)
            .select_related(
                "client",
                "started_by",
                "completed_by",
                "definition",
                "enrolment__program",
                "enrolment__care_manager",
            )
            .get(pk=response_id)
        )
    except (AssessmentResponse.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound("Assessment not found.") from exc


_definition_cache: dict[str, Instrument] = {}


def instrument_of(response: AssessmentResponse) -> Instrument | None:
    """The definition a completed response was scored with (frozen copy); for a draft, the
    current one. None if neither can be read."""
    if response.definition_id is not None and response.definition is not None:
        key = response.definition.sha256
        if key not in _definition_cache:
            try:
                _definition_cache[key] = parse_instrument(
                    response.definition.content, source=f"stored {response.definition}"
                )
            except InstrumentError:
                return catalogue.get(response.instrument_code)
        return _definition_cache[key]
    return catalogue.get(response.instrument_code)


def draft_for(*, actor: User, client: Client, instrument_code: str) -> AssessmentResponse | None:
    """The client's draft of this instrument, if one is in progress."""
    return (
        _scoped_responses(actor)
        .filter(client_id=client.pk, instrument_code=instrument_code, status=ResponseStatus.DRAFT)
        .first()
    )


def response_list_for_client(*, actor: User, client: Client) -> list[AssessmentResponse]:
    """Every response about the client (newest first), people loaded: one query."""
    return list(
        AssessmentResponse.objects.filter(policies.rows_of_client(actor, client.pk))
        .select_related("started_by", "completed_by")
        .order_by(F("assessed_on").desc(nulls_first=True), "-completed_at", "-created_at")
    )


# ---------------------------------------------------------------------------------------------
# Due reassessments


@dataclass(frozen=True)
class DueReassessment:
    instrument_code: str
    short_name: str
    program: str
    due_on: dt.date
    last_on: dt.date | None

    @property
    def is_overdue(self) -> bool:
        return self.due_on < clock.today()

    @property
    def days_until(self) -> int:
        return (self.due_on - clock.today()).days

    @property
    def label(self) -> str:
        return reassessment_label(self.instrument_code, self.due_on, baseline=self.last_on is None)


def _date_short(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def reassessment_label(
    instrument_code: str, due_on: dt.date | None, *, baseline: bool = False
) -> str:
    """'PHQ-9 reassessment due 3 Dec' / '... overdue since 3 Dec' / 'PHQ-9 due today'."""
    if due_on is None:
        return ""
    name = catalogue.short_name(instrument_code)
    what = f"{name} {'baseline' if baseline else 'reassessment'}"
    today = clock.today()
    if due_on < today:
        return f"{what} overdue since {_date_short(due_on)}"
    if due_on == today:
        return f"{what} due today"
    return f"{what} due {_date_short(due_on)}"


def _schedule_rows(client: Any) -> QuerySet[Any]:
    """One row per (open enrolment of ``client`` × active schedule of its program), with
    ``due``: the last completed score of that instrument plus the interval, never before the
    enrolment began (no score yet: due from the start of the enrolment). ``client`` is an id,
    or ``OuterRef(...)`` when used as a subquery of Client rows."""
    last_done = (
        AssessmentResponse.objects.filter(
            client_id=OuterRef("client_id"),
            instrument_code=OuterRef("schedule_code"),
            status=ResponseStatus.COMPLETED,
        )
        .order_by("-assessed_on")
        .values("assessed_on")[:1]
    )
    start = Coalesce(F("started_on"), F("referred_on"))
    return (
        enrolments_of_client(client)
        .filter(
            status__in=SCHEDULED_STATUSES,
            program__reassessment_schedules__is_active=True,
        )
        .annotate(
            schedule_code=F("program__reassessment_schedules__instrument_code"),
            schedule_days=F("program__reassessment_schedules__interval_days"),
            last_on=Subquery(last_done),
        )
        .annotate(due=Greatest(Coalesce(AddDays(F("last_on"), F("schedule_days")), start), start))
        .order_by("due", "schedule_code")
    )


def reassessment_due_subquery(client_ref: str = "pk") -> Subquery:
    """Annotation for Client rows: the earliest date a scheduled reassessment is due (None if
    the client has no schedule). ``client_ref`` names the outer query's client id field, e.g.
    "pk" on Client rows or "client_id" on Enrolment rows. One correlated subquery per row."""
    return Subquery(_schedule_rows(OuterRef(client_ref)).values("due")[:1])


def reassessment_due_instrument_subquery(client_ref: str = "pk") -> Subquery:
    """Annotation: the instrument code of that earliest due reassessment."""
    return Subquery(_schedule_rows(OuterRef(client_ref)).values("schedule_code")[:1])


def reassessment_due_annotations(client_ref: str = "pk") -> dict[str, Subquery]:
    """``Client.objects.annotate(**reassessment_due_annotations())`` adds
    ``reassessment_due_on`` and ``reassessment_instrument``; format a row with
    ``reassessment_label(row.reassessment_instrument, row.reassessment_due_on)``."""
    return {
        "reassessment_due_on": reassessment_due_subquery(client_ref),
        "reassessment_instrument": reassessment_due_instrument_subquery(client_ref),
    }


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _reassessments_due(client: Client) -> list[DueReassessment]:
    rows = _schedule_rows(client.pk).values("schedule_code", "due", "last_on", "program__name")
    seen: dict[str, DueReassessment] = {}
    for row in rows:
        code = row["schedule_code"]
        due = _as_date(row["due"])
        if due is None:  # cannot happen: the enrolment's referral date is required
            continue
        current = seen.get(code)
        if current is None or due < current.due_on:
            seen[code] = DueReassessment(
                instrument_code=code,
                short_name=catalogue.short_name(code),
                program=row["program__name"],
                due_on=due,
                last_on=_as_date(row["last_on"]),
            )
    return sorted(seen.values(), key=lambda d: (d.due_on, d.short_name))


# ---------------------------------------------------------------------------------------------
# The client chart's Assessments section


@dataclass(frozen=True)
class LatestScore:
    """The newest completed response of one instrument, and the one before it."""

    short_name: str
    response: AssessmentResponse
    instrument: Instrument | None
    previous: AssessmentResponse | None

    @property
    def range_label(self) -> str:
        return self.instrument.range_label() if self.instrument else ""

    @property
    def positive_domains(self) -> list[str]:
        """Labels of the domains this response found positive (HRSN: food, housing …)."""
        if self.instrument is None:
            return [code for code, positive in self.response.domains.items() if positive]
        return [d.label for d in self.instrument.domains if self.response.domains.get(d.code)]

    @property
    def has_domains(self) -> bool:
        return bool(self.response.domains)

    @property
    def change(self) -> int | None:
        if self.previous is None or self.previous.total is None or self.response.total is None:
            return None
        return self.response.total - self.previous.total


@dataclass(frozen=True)
class Trend:
    """One instrument's totals over time, its band thresholds, and the chart's data."""

    code: str
    short_name: str
    title: str
    element_id: str
    range: tuple[int, int]
    thresholds: list[tuple[int, str]]
    points: list[AssessmentResponse]
    direction: str

    @property
    def data_id(self) -> str:
        return f"{self.element_id}-data"

    @property
    def ordered_points(self) -> list[AssessmentResponse]:
        return sorted(self.points, key=lambda r: (r.assessed_on or dt.date.min, r.completed_at))

    @property
    def chart_data(self) -> dict[str, Any]:
        ordered = sorted(self.points, key=lambda r: (r.assessed_on or dt.date.min, r.completed_at))
        return {
            "label": f"{self.short_name} total",
            "min": self.range[0],
            "max": self.range[1],
            "direction": self.direction,
            "labels": [f"{r.assessed_on:%-d %b %Y}" for r in ordered if r.assessed_on],
            "values": [r.total for r in ordered if r.assessed_on],
            "bands": [r.band_label for r in ordered if r.assessed_on],
            "thresholds": [
                {"value": v, "label": f"{label} ({v}+)"} for v, label in self.thresholds
            ],
        }

    @property
    def summary(self) -> str:
        ordered = sorted(self.points, key=lambda r: (r.assessed_on or dt.date.min, r.completed_at))
        first, last = ordered[0], ordered[-1]
        if len(ordered) == 1:
            return f"{self.short_name}: one score, {last.total} on {last.assessed_on:%-d %b %Y}."
        return (
            f"{self.short_name}: {len(ordered)} scores from {first.total} on "
            f"{first.assessed_on:%-d %b %Y} to {last.total} on {last.assessed_on:%-d %b %Y}."
        )


@dataclass
class AssessmentSummary:
    client: Client
    latest: list[LatestScore] = field(default_factory=list)
    due: list[DueReassessment] = field(default_factory=list)
    drafts: list[AssessmentResponse] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    targets: list[GoalScoreTarget] = field(default_factory=list)
    instruments: list[Instrument] = field(default_factory=list)

    @property
    def due_now(self) -> list[DueReassessment]:
        """Overdue, or due within DUE_SOON_DAYS."""
        return [d for d in self.due if d.days_until <= DUE_SOON_DAYS]

    @property
    def due_later(self) -> list[DueReassessment]:
        return [d for d in self.due if d.days_until > DUE_SOON_DAYS]


def assessment_summary_for_client(*, actor: User, client: Client) -> AssessmentSummary:
    """What the chart's Assessments section shows, in three queries (responses, due dates,
    score goals) after the scope check (``client_in_scope``, none when the request has made it):
    latest score per instrument with band and change, due and overdue reassessments, drafts in
    progress, trends with band thresholds, goals that target a score. A client outside
    ``actor``'s scope yields an empty summary."""
    summary = AssessmentSummary(client=client, instruments=catalogue.ordered())
    if not policies.client_in_scope(actor, client.pk):
        return summary
    responses = list(
        AssessmentResponse.objects.filter(client_id=client.pk)
        .filter(status__in=[ResponseStatus.DRAFT, ResponseStatus.COMPLETED])
        .select_related("started_by", "definition")
        .order_by("assessed_on", "completed_at", "created_at")
    )
    by_code: dict[str, list[AssessmentResponse]] = defaultdict(list)
    for response in responses:
        if response.is_draft:
            summary.drafts.append(response)
        else:
            by_code[response.instrument_code].append(response)
    for code, completed in by_code.items():
        instrument = instrument_of(completed[-1])
        name = instrument.short_name if instrument else code
        summary.latest.append(
            LatestScore(
                short_name=name,
                response=completed[-1],
                instrument=instrument,
                previous=completed[-2] if len(completed) > 1 else None,
            )
        )
        current = catalogue.get(code) or instrument
        scored = [r for r in completed if r.total is not None]
        if current is not None and current.range is not None and scored:
            summary.trends.append(
                Trend(
                    code=code,
                    short_name=current.short_name,
                    title=current.title,
                    element_id=f"assessment-trend-{code}",
                    range=current.range,
                    thresholds=current.thresholds(),
                    points=scored,
                    direction=current.direction,
                )
            )
    summary.latest.sort(key=lambda s: s.short_name.lower())
    summary.trends.sort(key=lambda t: t.short_name.lower())
    summary.due = _reassessments_due(client)
    summary.targets = list(
        GoalScoreTarget.objects.filter(goal__careplan__client_id=client.pk)
        .select_related("goal")
        .order_by("goal__created_at")
    )
    return summary


def goal_get(*, actor: User, goal_id: Any) -> Goal:
    """A care plan goal whose client ``actor`` may see (plan and client loaded); else NotFound."""
    policies.require_clinical(actor)
    return careplans_selectors.goal_get(actor=actor, goal_id=goal_id)


def score_targets_for_goals(
    *, actor: User, client: Client, goal_ids: list[Any]
) -> dict[Any, GoalScoreTarget]:
    """Score targets by goal id (one query), for pages that show a client's goals; none out of
    ``actor``'s scope."""
    return {
        t.goal_id: t
        for t in GoalScoreTarget.objects.filter(
            policies.rows_of_client(actor, client.pk, via="goal__careplan__client"),
            goal_id__in=goal_ids,
        )
    }


# ---------------------------------------------------------------------------------------------
# Collaborative-care registry

REGISTRY_PAGE_SIZE = 100
FOLLOW_UP_DAYS = 28
NOT_RESPONDING_WEEKS = 8
PSYCHIATRIC_REVIEW_WEEKS = 12
REMISSION_BELOW = 5


@dataclass
class RegistryRow:
    """One enrolled client in the registry, with the collaborative-care measurement rules
    applied once, when the row is built (``today`` is the day they are judged on):

    * baseline: the first PHQ-9 from the referral on; latest: the newest one;
    * response: PHQ-9 down by at least half from baseline (needs a follow-up score);
    * remission: PHQ-9 below 5 at a follow-up;
    * no follow-up within 4 weeks: 4 weeks have passed since the first contact (the baseline,
      else the start of treatment) without a follow-up PHQ-9 in them;
    * not responding: week 8 or later with a baseline and neither response nor remission; the
      psychiatric review is then due by week 12.
    """

    enrolment_id: Any
    client_id: Any
    name: str
    sortable_name: str
    mrn: str
    care_manager: str
    status: str
    start_on: dt.date
    phq_baseline: int | None
    phq_baseline_on: dt.date | None
    phq_latest: int | None
    phq_latest_on: dt.date | None
    phq_followup_on: dt.date | None
    gad_baseline: int | None
    gad_latest: int | None
    gad_has_followup: bool
    today: InitVar[dt.date]
    weeks: int = 0
    has_phq_followup: bool = False
    phq_change: int | None = None
    gad_change: int | None = None
    response: bool = False
    remission: bool = False
    first_contact_on: dt.date = dt.date.min
    no_followup_in_4_weeks: bool = False
    not_responding: bool = False
    review_due_by: dt.date | None = None
    needs_attention: bool = False

    def __post_init__(self, today: dt.date) -> None:
        self.weeks = max(0, (today - self.start_on).days // 7)
        self.has_phq_followup = self.phq_followup_on is not None
        self.phq_change = _percent_change(self.phq_baseline, self.phq_latest, self.has_phq_followup)
        self.gad_change = _percent_change(self.gad_baseline, self.gad_latest, self.gad_has_followup)
        self.response = bool(
            self.has_phq_followup
            and self.phq_baseline
            and self.phq_latest is not None
            and self.phq_latest * 2 <= self.phq_baseline
        )
        self.remission = bool(
            self.has_phq_followup
            and self.phq_latest is not None
            and self.phq_latest < REMISSION_BELOW
        )
        self.first_contact_on = self.phq_baseline_on or self.start_on
        deadline = dates.add_days(self.first_contact_on, FOLLOW_UP_DAYS)
        self.no_followup_in_4_weeks = today > deadline and (
            self.phq_followup_on is None or self.phq_followup_on > deadline
        )
        self.not_responding = (
            self.weeks >= NOT_RESPONDING_WEEKS
            and self.phq_baseline is not None
            and not self.response
            and not self.remission
        )
        if self.not_responding:
            self.review_due_by = self.start_on + dt.timedelta(weeks=PSYCHIATRIC_REVIEW_WEEKS)
        self.needs_attention = self.not_responding or self.no_followup_in_4_weeks


def _percent_change(baseline: int | None, latest: int | None, has_followup: bool) -> int | None:
    if not has_followup or baseline is None or latest is None or baseline == 0:
        return None
    return round((latest - baseline) * 100 / baseline)


def _none_last(rows: list[RegistryRow], key: Any, reverse: bool) -> list[RegistryRow]:
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: (key(r), r.sortable_name.lower()), reverse=reverse)
    missing.sort(key=lambda r: r.sortable_name.lower())
    return present + missing


REGISTRY_SORTS: dict[str, tuple[str, Any]] = {
    "attention": ("Needs attention", None),
    "name": ("Client", lambda r: r.sortable_name.lower()),
    "care_manager": ("Care manager", lambda r: r.care_manager.lower()),
    "weeks": ("Weeks in treatment", lambda r: r.weeks),
    "phq_baseline": ("PHQ-9 baseline", lambda r: r.phq_baseline),
    "phq_latest": ("PHQ-9 latest", lambda r: r.phq_latest),
    "phq_change": ("PHQ-9 change", lambda r: r.phq_change),
    "gad_baseline": ("GAD-7 baseline", lambda r: r.gad_baseline),
    "gad_latest": ("GAD-7 latest", lambda r: r.gad_latest),
    "gad_change": ("GAD-7 change", lambda r: r.gad_change),
}


def sort_registry(rows: list[RegistryRow], sort: str) -> list[RegistryRow]:
    """Sort by a REGISTRY_SORTS key ('-' prefix reverses); empty values always last. The default
    puts clients not responding at 8+ weeks first, then those without a 4-week follow-up."""
    reverse = sort.startswith("-")
    key_name = sort.lstrip("-")
    if key_name not in REGISTRY_SORTS or key_name == "attention":
        ordered = sorted(
            rows,
            key=lambda r: (
                not r.not_responding,
                not r.no_followup_in_4_weeks,
                -r.weeks,
                r.sortable_name.lower(),
            ),
        )
        return list(reversed(ordered)) if reverse else ordered
    return _none_last(rows, REGISTRY_SORTS[key_name][1], reverse)


def registry_programs(*, actor: User) -> list[Program]:
    """Programs whose registry ``actor`` may open: directors all; others the programs they
    belong to or lead, and any program holding a client in their scope."""
    policies.require_clinical(actor)
    programs = Program.objects.filter(is_active=True)
    if actor.career_level != CareerLevel.DIRECTOR:
        programs = programs.filter(
            Q(pk__in=actor.programs.values("pk"))
            | Exists(enrolments_in_scope(actor=actor).filter(program_id=OuterRef("pk")))
        )
    return sorted(programs, key=lambda p: (p.kind != "behavioural_health", p.name.lower()))


def registry_program_get(*, actor: User, program_id: Any) -> Program:
    """A program whose registry ``actor`` may open; NotFound otherwise."""
    policies.require_clinical(actor)
    try:
        program = Program.objects.get(pk=program_id)
    except (Program.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound("Program not found.") from exc
    if actor.career_level == CareerLevel.DIRECTOR:
        return program
    if actor.programs.filter(pk=program.pk).exists():
        return program
    if enrolments_in_scope(actor=actor).filter(program_id=program.pk).exists():
        return program
    raise NotFound("Program not found.")


def _responses(code: str) -> QuerySet[AssessmentResponse]:
    """Completed responses of ``code`` for the outer enrolment's client, from its referral on."""
    return AssessmentResponse.objects.filter(
        client_id=OuterRef("client_id"),
        instrument_code=code,
        status=ResponseStatus.COMPLETED,
        assessed_on__gte=OuterRef("referred_on"),
    )


def registry_rows(*, actor: User, program: Program, sort: str = "attention") -> list[RegistryRow]:
    """Every open enrolment of ``program`` whose client ``actor`` may see, as registry rows,
    sorted: one query, whatever the number of clients and responses."""
    first = ("assessed_on", "completed_at")
    last = ("-assessed_on", "-completed_at")

    def pick(code: str, order: tuple[str, ...], column: str, offset: int = 0) -> Subquery:
        return Subquery(_responses(code).order_by(*order).values(column)[offset : offset + 1])

    values = (
        enrolments_in_scope(actor=actor)
        .filter(
            program_id=program.pk,
            status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.ON_HOLD, EnrolmentStatus.REFERRED],
        )
        .order_by()  # sorted in Python by the rules; no SQL sort needed
        .annotate(
            phq_baseline=pick("phq9", first, "total"),
            phq_baseline_on=pick("phq9", first, "assessed_on"),
            phq_followup_on=pick("phq9", first, "assessed_on", 1),
            phq_latest=pick("phq9", last, "total"),
            phq_latest_on=pick("phq9", last, "assessed_on"),
            gad_baseline=pick("gad7", first, "total"),
            gad_latest=pick("gad7", last, "total"),
            gad_followup_on=pick("gad7", first, "assessed_on", 1),
        )
        .values(
            "pk",
            "client_id",
            "client__given_name",
            "client__preferred_name",
            "client__family_name",
            "client__mrn",
            "care_manager__first_name",
            "care_manager__last_name",
            "care_manager__username",
            "status",
            "started_on",
            "referred_on",
            "phq_baseline",
            "phq_baseline_on",
            "phq_followup_on",
            "phq_latest",
            "phq_latest_on",
            "gad_baseline",
            "gad_latest",
            "gad_followup_on",
        )
    )
    today = clock.today()
    labels = dict(EnrolmentStatus.choices)
    rows = []
    for v in values:
        start = _as_date(v["started_on"]) or _as_date(v["referred_on"]) or today
        manager = (
            f"{v['care_manager__first_name']} {v['care_manager__last_name']}".strip()
            or v["care_manager__username"]
        )
        rows.append(
            RegistryRow(
                enrolment_id=v["pk"],
                client_id=v["client_id"],
                name=f"{v['client__preferred_name'] or v['client__given_name']} "
                f"{v['client__family_name']}",
                sortable_name=f"{v['client__family_name']}, {v['client__given_name']}",
                mrn=v["client__mrn"],
                care_manager=manager,
                status=str(labels.get(v["status"], v["status"])),
                start_on=start,
                phq_baseline=v["phq_baseline"],
                phq_baseline_on=_as_date(v["phq_baseline_on"]),
                phq_latest=v["phq_latest"],
                phq_latest_on=_as_date(v["phq_latest_on"]),
                phq_followup_on=_as_date(v["phq_followup_on"]),
                gad_baseline=v["gad_baseline"],
                gad_latest=v["gad_latest"],
                gad_has_followup=v["gad_followup_on"] is not None,
                today=today,
            )
        )
    return sort_registry(rows, sort)


@dataclass(frozen=True)
class RegistryCounts:
    clients: int
    not_responding: int
    no_followup: int
    response: int
    remission: int


@dataclass(frozen=True)
class RegistryPage:
    program: Program
    rows: list[RegistryRow]
    counts: RegistryCounts
    sort: str
    show: str
    page: int
    num_pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def registry_get(
    *, actor: User, program_id: Any, sort: str = "attention", show: str = "all", page: int = 1
) -> RegistryPage:
    """A page of the program's registry for ``actor`` (scoped clients only), with counts.
    ``show="attention"`` keeps only clients flagged for the case review. NotFound if the
    actor may not open this program's registry."""
    program = registry_program_get(actor=actor, program_id=program_id)
    if sort.lstrip("-") not in REGISTRY_SORTS:
        sort = "attention"
    rows = registry_rows(actor=actor, program=program, sort=sort)
    counts = RegistryCounts(
        clients=len(rows),
        not_responding=sum(r.not_responding for r in rows),
        no_followup=sum(r.no_followup_in_4_weeks for r in rows),
        response=sum(r.response for r in rows),
        remission=sum(r.remission for r in rows),
    )
    if show == "attention":
        rows = [r for r in rows if r.needs_attention]
    else:
        show = "all"
    num_pages = max(1, math.ceil(len(rows) / REGISTRY_PAGE_SIZE))
    page = min(max(1, page), num_pages)
    start = (page - 1) * REGISTRY_PAGE_SIZE
    return RegistryPage(
        program=program,
        rows=rows[start : start + REGISTRY_PAGE_SIZE],
        counts=counts,
        sort=sort,
        show=show,
        page=page,
        num_pages=num_pages,
        total=len(rows),
    )


def reassessment_overdue(*, today: dt.date) -> Q:
    """The condition on enrolment rows whose scheduled reassessment is due before ``today``
    (the same as ``reassessment_due_subquery() < today`` for their client).

    Set-based: due = max(last completed + interval, start) is before today exactly when the
    enrolment started before today and no completed response of that instrument is dated
    within the interval before today. One condition per active schedule (a few rows, read
    first) with its instrument and its earliest valid date as constants, so the clients with a
    valid score are one uncorrelated subquery each (a range of ``response_recent_idx``), which
    PostgreSQL hashes once, rather than a probe per enrolment."""
    unmet = Q(pk__in=[])
    for program_id, code, interval in active_schedules():
        valid = AssessmentResponse.objects.filter(
            instrument_code=code,
            status=ResponseStatus.COMPLETED,
            assessed_on__gte=today - dt.timedelta(days=interval),
        ).values("client_id")
        unmet |= Q(program_id=program_id) & ~Q(client_id__in=valid)
    started = Q(started_on__lt=today) | Q(started_on__isnull=True, referred_on__lt=today)
    return Q(status__in=SCHEDULED_STATUSES) & started & unmet


# --- The month report (reports/) -----------------------------------------------------------


def active_schedules() -> list[tuple[Any, str, int]]:
    """(program, instrument, interval in days) of every active reassessment schedule."""
    return list(
        ReassessmentSchedule.objects.filter(is_active=True)
        .order_by("program_id", "instrument_code")
        .values_list("program_id", "instrument_code", "interval_days")
    )


def clients_scored_between(code: str, first: dt.date, end: dt.date) -> QuerySet[Any]:
    """The ids of clients with a completed score of ``code`` assessed in [first, end): a
    subquery (``client_id__in=``)."""
    return AssessmentResponse.objects.filter(
        instrument_code=code,
        status=ResponseStatus.COMPLETED,
        assessed_on__gte=first,
        assessed_on__lt=end,
    ).values("client_id")


def score_of_enrolment_client(code: str, value: str, order: str, **window: Any) -> Subquery:
    """For an enrolment queryset: the ``value`` ("total", "assessed_on") of its client's first
    completed ``code`` score in ``order`` ("assessed_on" or "-assessed_on") within ``window``
    (lookups on assessed_on, which may name OuterRef of the enrolment's annotations)."""
    return Subquery(
        AssessmentResponse.objects.filter(
            client_id=OuterRef("client_id"),
            instrument_code=code,
            status=ResponseStatus.COMPLETED,
            **window,
        )
        .order_by(order, "created_at")
        .values(value)[:1]
    )
