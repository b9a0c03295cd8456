"""The caseload worklist: whose clients need the care manager now, computed in a few queries.

The facts that order the worklist and make its counts (safety flag, overdue tasks, plan review
date, last contact, new, acuity) are correlated subqueries annotated onto one scoped Client query
over the whole caseload. The page's rows then get their programs, flags and next task from three
queries about the shown clients only. The query count is the same for 5 clients or 500.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseload.access import policies
from caseload.appointments.selectors import appointment_reason, next_appointment_at
from caseload.assessments.selectors import reassessment_due_annotations, reassessment_label
from caseload.careplans.selectors import next_review_due_subquery
from caseload.clients.models import Client, FlagKind
from caseload.clients.selectors import active_flags_by_client, has_safety_flag
from caseload.core import clock
from caseload.core.errors import NotFound, ValidationFailed
from caseload.enrolments.models import (
    OPEN_STATUSES,
    Acuity,
    EnrolmentStatus,
    Program,
)
from caseload.enrolments.selectors import (
    client_ids_enrolled,
    enrolment_rows_by_client,
    enrolments_of_client,
)
from caseload.notes.selectors import last_contact_subquery
from caseload.referrals.selectors import overdue_referral_since, referral_reason
from caseload.staff.models import CareerLevel
from caseload.tasks.selectors import (
    next_open_task_by_client,
    next_task_due_subquery,
    overdue_task_count_subquery,
)
from caseload.transitions.selectors import (
    transitional_clock_due_on,
    transitional_clock_kind,
    transitional_reason,
)

if TYPE_CHECKING:
    from caseload.staff.models import User

NOT_REACHED_DAYS = 14
NEW_CLIENT_DAYS = 7
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200

#: ?sort= values: the plain key is the column's natural first click (name A→Z, longest since
#: contact first, highest acuity first, earliest next due first); a leading "-" reverses it.
SORT_KEYS = ("priority", "name", "last_contact", "acuity", "next_due")
_NATURAL_DIRECTION = {
    "name": "ascending",
    "acuity": "descending",
    "next_due": "ascending",
    "last_contact": "ascending",
}

_FACT_FIELDS = [
    "pk",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "mrn",
    "has_safety_flag",
    "overdue_tasks",
    "review_due",
    "last_contact_at",
    "is_new",
    "acuity",
    # From assessments and coordination: reassessments due, referral responses overdue,
    # the next appointment, transitional-care clocks.
    "reassessment_due_on",
    "reassessment_instrument",
    "coord_referral_overdue_since",
    "coord_next_appointment_at",
    "coord_clock_due_on",
    "coord_clock_kind",
]

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)


class _TemplateLookup:
    """Answers item access with the attribute. Django templates try ``obj["name"]`` before
    ``obj.name``; without this every cell of the table raises and catches a TypeError first
    (measured: 10-20 % of the 50-row table's rendering time)."""

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


@dataclass(frozen=True)
class CaseloadRow(_TemplateLookup):
    """One client on the worklist with everything the row shows and why it is where it is."""

    client_id: uuid.UUID
    name: str
    sortable_name: str
    preferred_name: str
    date_of_birth: dt.date
    age: int
    mrn: str
    programs: list[str]
    statuses: list[str]
    care_managers: list[str]
    acuity: int | None
    acuity_label: str
    flags: list[tuple[str, str]]  # (kind, label) of active flags, safety first
    safety_flag: str  # description of the newest active safety flag, or ""
    overdue_tasks: int
    next_due_on: dt.date | None
    next_task_title: str
    review_due: dt.date | None
    review_is_due: bool
    last_contact_at: dt.datetime | None
    days_since_contact: int | None
    is_new: bool
    referred_on: dt.date | None
    attention: str
    attention_level: str  # "danger", "warn" or "" — how urgent the "next thing" is

    # Display strings, computed here so the template does no formatting per cell.
    @property
    def last_contact_label(self) -> str:
        return days_ago_label(self.days_since_contact)

    @property
    def last_contact_iso(self) -> str:
        return self.last_contact_at.isoformat() if self.last_contact_at else ""

    @property
    def next_due_label(self) -> str:
        return _day_label(self.next_due_on) if self.next_due_on else "—"

    @property
    def next_due_iso(self) -> str:
        return self.next_due_on.isoformat() if self.next_due_on else ""

    @property
    def programs_text(self) -> str:
        return ", ".join(self.programs) or "—"

    @property
    def statuses_text(self) -> str:
        return ", ".join(self.statuses) or "No open enrolment"

    @property
    def care_managers_text(self) -> str:
        return ", ".join(self.care_managers) or "—"

    @property
    def flag_tags(self) -> list[tuple[str, str]]:
        """(CSS class, label) per active flag: safety in the danger colour."""
        return [
            ("tag tag-danger" if kind == FlagKind.SAFETY else "tag tag-warn", label)
            for kind, label in self.flags
        ]

    @property
    def attention_class(self) -> str:
        return f"tag tag-{self.attention_level}" if self.attention_level else ""


@dataclass(frozen=True)
class CaseloadCounts(_TemplateLookup):
    clients: int = 0
    safety_flags: int = 0
    overdue_tasks: int = 0
    plan_reviews_due: int = 0
    not_reached: int = 0
    new_this_week: int = 0


@dataclass(frozen=True)
class CaseloadPage(_TemplateLookup):
    """A page of the worklist, its counts, paging, and what the switcher and filters offer."""

    rows: list[CaseloadRow]
    counts: CaseloadCounts
    page: int
    per_page: int
    total: int
    sort: str
    view: str  # "" = own caseload, "staff:<id>", "program:<uuid>"
    heading: str
    owner: User | None
    program: Program | None
    is_search: bool
    q: str
    view_choices: list[tuple[str, str]] = field(default_factory=list)
    program_choices: list[tuple[str, str]] = field(default_factory=list)

    @property
    def shows_care_manager(self) -> bool:
        """Program views and search results mix caseloads, so each row names its manager."""
        return self.program is not None or self.is_search

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def previous_page(self) -> int:
        return self.page - 1

    @property
    def next_page(self) -> int:
        return self.page + 1

    @property
    def sort_columns(self) -> dict[str, dict[str, str]]:
        """Per sortable column: its aria-sort state ("" when not sorted by it) and next ?sort=."""
        columns = {}
        for key, natural in _NATURAL_DIRECTION.items():
            other = "descending" if natural == "ascending" else "ascending"
            if self.sort == key:
                columns[key] = {"aria": natural, "next": f"-{key}"}
            elif self.sort == f"-{key}":
                columns[key] = {"aria": other, "next": key}
            else:
                columns[key] = {"aria": "", "next": key}
        return columns

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def caseload_page(
    *,
    actor: User,
    owner_id: Any = None,
    program_id: Any = None,
    caseload_program_id: Any = None,
    status: str | None = None,
    overdue_only: bool = False,
    q: str = "",
    sort: str = "priority",
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> CaseloadPage:
    """A page of whose-caseload worklist ``actor`` asked for, most urgent first.

    By default the actor's own caseload (open enrolments they manage). ``owner_id`` switches to a
    supervisee's (or, for seniors, a program colleague's; directors anyone's) caseload and
    ``caseload_program_id`` to every open enrolment of a program the actor leads (directors: any
    program). ``program_id`` and ``status`` filter within that caseload. A non-empty ``q`` searches
    every client the actor may see, not only the caseload. Raises NotFound for a caseload the actor
    may not switch to, ValidationFailed for a search that looks like an impossible date.
    """
    policies.require_clinical(actor)
    today = clock.today()
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    sort = sort if sort.lstrip("-") in SORT_KEYS else "priority"
    q = " ".join(q.split())

    owner, program, view, view_choices, program_rows = _resolve_caseload(
        actor, owner_id=owner_id, caseload_program_id=caseload_program_id
    )
    is_search = bool(q)

    # The enrolments a row is about: open ones in this caseload (or any open one when searching),
    # narrowed by the program / status filters.
    relevant = Q(status__in=OPEN_STATUSES)
    if not is_search:
        if program is not None:
            relevant &= Q(program_id=program.pk)
        elif owner is not None:
            relevant &= Q(care_manager_id=owner.pk)
    if program_id:
        relevant &= Q(program_id=program_id)
    if status:
        if status not in OPEN_STATUSES:
            raise ValidationFailed(
                "Choose an open enrolment status.", field_errors={"status": ["Choose a status."]}
            )
        relevant &= Q(status=status)

    # "id IN (enrolments …)" lets the database start from the caseload's enrolments (an index on
    # care manager or program) and check the scope only for those clients, instead of testing
    # every client in the organisation against the scope.
    in_caseload = Q(pk__in=client_ids_enrolled(relevant))
    clients = policies.client_scope(actor)
    if is_search:
        clients = clients.filter(_search_condition(q))
        if program_id or status:
            clients = clients.filter(in_caseload)
    else:
        clients = clients.filter(in_caseload)

    # One query for every client of the caseload: the facts that order it and that the counts
    # add up. Sorting, counting and paging happen here in Python, so the database compiles and
    # runs the scope and the per-client subqueries once; the page's display details follow in
    # three small queries about the shown clients only.
    next_due = sort.lstrip("-") == "next_due"
    facts = list(
        _annotate_facts(clients, relevant=relevant, today=today, with_next_due=next_due)
        .order_by()
        .values(*_FACT_FIELDS, *(["next_due_on"] if next_due else []))
    )
    for fact in facts:
        last = fact["last_contact_at"]
        fact["days_since_contact"] = (
            None if last is None else (today - timezone.localdate(last)).days
        )
        fact["review_is_due"] = fact["review_due"] is not None and fact["review_due"] <= today
        reassessment = _as_date(fact["reassessment_due_on"])
        fact["reassessment_due_on"] = reassessment
        fact["reassessment_is_due"] = reassessment is not None and reassessment <= today
        reason = coordination_worklist_reason(SimpleNamespace(**fact), today=today)
        fact["coordination_reason"] = reason
        fact["coordination_urgent"] = reason is not None and reason[1] == "danger"
        fact["coordination_due"] = reason is not None
    if overdue_only:
        facts = [fact for fact in facts if fact["overdue_tasks"]]

    counts = _counts(facts)
    total = len(facts)
    num_pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), num_pages)
    _sort(facts, sort)
    offset = (page - 1) * per_page
    rows = _build_rows(facts[offset : offset + per_page], relevant=relevant, today=today)

    return CaseloadPage(
        rows=rows,
        counts=counts,
        page=page,
        per_page=per_page,
        total=total,
        sort=sort,
        view=view,
        heading=_heading(actor, owner, program),
        owner=owner,
        program=program,
        is_search=is_search,
        q=q,
        view_choices=view_choices,
        program_choices=[(str(p.pk), p.name) for p in program_rows],
    )


def _as_date(value: Any) -> dt.date | None:
    """SQLite hands a subquery's date back as text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def parse_search_date(term: str) -> dt.date | None:
    """A date of birth typed as YYYY-MM-DD or MM/DD/YYYY; None if the term is not date-shaped.

    Raises ValidationFailed when it is date-shaped but not a real date (e.g. 02/30/1950).
    """
    iso = _ISO_DATE.match(term)
    us = _US_DATE.match(term)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif us:
        month, day, year = (int(part) for part in us.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValidationFailed(
            f"“{term}” is not a real date.",
            code="invalid_date",
            field_errors={
                "q": [
                    "Enter a real date of birth, as YYYY-MM-DD or MM/DD/YYYY, "
                    "or search by name or MRN."
                ]
            },
        ) from exc


def attention_for(row: dict[str, Any], *, today: dt.date) -> tuple[str, str]:
    """The plain-language "next thing that needs attention" for a row, and its urgency level.

    ``row`` holds: safety_flag, overdue_tasks, review_due, review_is_due, days_since_contact,
    is_new, referred_on, next_due_on, next_task_title.
    """
    if row["safety_flag"]:
        return f"Safety flag: {row['safety_flag']}", "danger"
    coordination = row.get("coordination")
    if coordination and coordination[1] == "danger":
        return coordination[0], coordination[1]
    overdue = row["overdue_tasks"]
    if overdue:
        return (f"{overdue} overdue task" if overdue == 1 else f"{overdue} overdue tasks"), "danger"
    if row["review_is_due"]:
        due = row["review_due"]
        if due == today:
            return "Care plan review due today", "warn"
        return f"Care plan review was due {short_date(due, today=today)}", "warn"
    if row.get("reassessment"):
        return row["reassessment"], "warn"
    if coordination:
        return coordination[0], coordination[1]
    days = row["days_since_contact"]
    if days is not None and days >= NOT_REACHED_DAYS:
        return f"Not reached in {days} days", "warn"
    if row["is_new"]:
        referred = row["referred_on"]
        if referred is not None:
            return f"New client — referred {short_date(referred, today=today)}", "warn"
        return "New client", "warn"
    if days is None:
        return "No contact recorded yet", "warn"
    next_due = row["next_due_on"]
    if next_due is not None:
        when = "today" if next_due == today else short_date(next_due, today=today)
        return f"{row['next_task_title']} — due {when}", ""
    return "Nothing due", ""


def short_date(day: dt.date, *, today: dt.date) -> str:
    """'21 Nov', with the year when it is not this year."""
    text = f"{day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def _day_label(day: dt.date) -> str:
    """'3 Dec 2026' (the table shows full dates; the "next thing" shortens them)."""
    return f"{day.day} {day:%b %Y}"


def days_ago_label(days: int | None) -> str:
    if days is None:
        return "never"
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


# --- building blocks -------------------------------------------------------------------------


def coordination_worklist_annotations(
    *, today: dt.date | None = None, now: dt.datetime | None = None
) -> dict[str, Subquery]:
    """The coordination facts by name, each the referrals, appointments or transitions app's own
    subquery, for ``clients.annotate(**coordination_worklist_annotations())``."""
    today = today or clock.today()
    return {
        "coord_referral_overdue_since": overdue_referral_since(today),
        "coord_next_appointment_at": next_appointment_at(now),
        "coord_clock_due_on": transitional_clock_due_on(today),
        "coord_clock_kind": transitional_clock_kind(today),
    }


def coordination_worklist_reason(
    row: Any, *, today: dt.date | None = None, now: dt.datetime | None = None
) -> tuple[str, str] | None:
    """The most pressing coordination reason for a row annotated by
    ``coordination_worklist_annotations``,
    with its level ("danger" or "warn"), or None. Order: a transitional-care clock due by
    tomorrow or missed, an unanswered referral, an appointment within a day, a later clock."""
    today = today or clock.today()
    now = now or clock.now()
    due_on = getattr(row, "coord_clock_due_on", None)
    kind = getattr(row, "coord_clock_kind", None)
    overdue = getattr(row, "coord_referral_overdue_since", None)
    appointment = getattr(row, "coord_next_appointment_at", None)
    if due_on is not None and due_on <= today + dt.timedelta(days=1):
        return transitional_reason(due_on, kind, today), "danger" if due_on <= today else "warn"
    if overdue is not None:
        return referral_reason(overdue, today), "warn"
    if appointment is not None and appointment <= now + dt.timedelta(days=1):
        return appointment_reason(appointment, today), "warn"
    if due_on is not None:
        return transitional_reason(due_on, kind, today), "warn"
    return None


def _resolve_caseload(
    actor: User, *, owner_id: Any, caseload_program_id: Any
) -> tuple[User | None, Program | None, str, list[tuple[str, str]], list[Program]]:
    """Whose caseload to show (owner or program), the switcher's choices and the programs."""
    if owner_id not in (None, "") and caseload_program_id not in (None, ""):
        raise NotFound("Choose either a person's caseload or a program's.")
    owners = list(
        policies.caseload_owner_choices(actor)
        .only("pk", "username", "first_name", "last_name")
        .order_by("last_name", "first_name", "pk")
    )
    programs = list(Program.objects.filter(is_active=True).only("pk", "name").order_by("name"))
    if actor.career_level == CareerLevel.DIRECTOR:
        switchable_programs = programs
    else:
        led = set(policies.led_program_ids(actor))
        switchable_programs = [p for p in programs if p.pk in led]

    view_choices = [("", "My caseload")]
    view_choices += [(f"staff:{u.pk}", f"{u}'s caseload") for u in owners if u.pk != actor.pk]
    view_choices += [(f"program:{p.pk}", f"{p.name} (whole program)") for p in switchable_programs]

    if caseload_program_id not in (None, ""):
        wanted = str(caseload_program_id)
        program = next((p for p in switchable_programs if str(p.pk) == wanted), None)
        if program is None:
            raise NotFound("Caseload not found.")
        return None, program, f"program:{program.pk}", view_choices, programs

    if owner_id in (None, "") or str(owner_id) == str(actor.pk):
        return actor, None, "", view_choices, programs
    owner = next((u for u in owners if str(u.pk) == str(owner_id)), None)
    if owner is None:
        raise NotFound("Caseload not found.")
    return owner, None, f"staff:{owner.pk}", view_choices, programs


def _heading(actor: User, owner: User | None, program: Program | None) -> str:
    if program is not None:
        return f"{program.name}: whole program caseload"
    if owner is None or owner.pk == actor.pk:
        return "My caseload"
    return f"{owner}'s caseload"


def _search_condition(q: str) -> Q:
    """Name prefix (given, family or preferred; every word must match), exact MRN, or DOB."""
    born = parse_search_date(q)
    if born is not None:
        return Q(date_of_birth=born) | Q(mrn=q)
    condition = Q()
    for word in q.split():
        condition &= (
            Q(given_name__istartswith=word)
            | Q(family_name__istartswith=word)
            | Q(preferred_name__istartswith=word)
        )
    return condition | Q(mrn=q)


def _annotate_facts(
    clients: QuerySet[Client], *, relevant: Q, today: dt.date, with_next_due: bool
) -> QuerySet[Client]:
    """Per client, one subquery each: safety flag, overdue tasks, earliest review date, last
    contact, new, highest acuity (and the next due date when sorting by it)."""
    new = enrolments_of_client(OuterRef("pk"), relevant).filter(
        Q(status=EnrolmentStatus.REFERRED)
        | Q(referred_on__gte=today - dt.timedelta(days=NEW_CLIENT_DAYS))
    )
    facts: dict[str, Any] = {
        "has_safety_flag": has_safety_flag(),
        "overdue_tasks": Coalesce(overdue_task_count_subquery(today=today), Value(0)),
        "review_due": next_review_due_subquery(enrolment_condition=relevant),
        "last_contact_at": last_contact_subquery(),
        "is_new": Exists(new),
        "acuity": Subquery(
            enrolments_of_client(OuterRef("pk"), relevant).order_by("-acuity").values("acuity")[:1]
        ),
    }
    if with_next_due:
        facts["next_due_on"] = next_task_due_subquery()
    facts |= reassessment_due_annotations()
    facts |= coordination_worklist_annotations(today=today)
    return clients.annotate(**facts)


def _sort(facts: list[dict[str, Any]], sort: str) -> None:
    """Order in place; every order ends with the name (stable sorts: name first, then key)."""
    facts.sort(key=lambda f: (f["family_name"].casefold(), f["given_name"].casefold(), f["pk"]))
    key = sort.lstrip("-")
    reverse = sort.startswith("-")
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    if key == "priority":
        facts.sort(
            key=lambda f: (
                not f["has_safety_flag"],
                not f["coordination_urgent"],
                -f["overdue_tasks"],
                not f["review_is_due"],
                not f["reassessment_is_due"],
                not f["coordination_due"],
                (f["last_contact_at"] is not None, f["last_contact_at"] or never),
                -(f["acuity"] or 0),
            )
        )
    elif key == "name":
        facts.reverse() if reverse else None
    elif key == "last_contact":  # natural: longest since contact (never first)
        facts.sort(
            key=lambda f: (f["last_contact_at"] is not None, f["last_contact_at"] or never),
            reverse=reverse,
        )
    elif key == "acuity":  # natural: highest first; unknown last either way
        facts.sort(
            key=lambda f: (f["acuity"] is None, -(f["acuity"] or 0) * (-1 if reverse else 1))
        )
    elif key == "next_due":  # natural: earliest first; nothing due last either way
        facts.sort(
            key=lambda f: (
                f["next_due_on"] is None,
                (f["next_due_on"] or dt.date.min).toordinal() * (-1 if reverse else 1),
            )
        )


def _counts(facts: list[dict[str, Any]]) -> CaseloadCounts:
    return CaseloadCounts(
        clients=len(facts),
        safety_flags=sum(1 for f in facts if f["has_safety_flag"]),
        overdue_tasks=sum(1 for f in facts if f["overdue_tasks"]),
        plan_reviews_due=sum(1 for f in facts if f["review_is_due"]),
        not_reached=sum(
            1
            for f in facts
            if f["days_since_contact"] is None or f["days_since_contact"] >= NOT_REACHED_DAYS
        ),
        new_this_week=sum(1 for f in facts if f["is_new"]),
    )


def _build_rows(facts: list[dict[str, Any]], *, relevant: Q, today: dt.date) -> list[CaseloadRow]:
    """Rows for one page, with three more queries about the shown clients only: their relevant
    enrolments, their active flags and their open tasks."""
    ids = [fact["pk"] for fact in facts]
    if not ids:
        return []
    enrolments = enrolment_rows_by_client(relevant, ids)
    flags = active_flags_by_client(ids)
    next_tasks = next_open_task_by_client(ids)

    kind_labels = dict(FlagKind.choices)  # in declaration order: safety first
    status_labels = dict(EnrolmentStatus.choices)
    acuity_labels = dict(Acuity.choices)
    rows = []
    for fact in facts:
        client_id = fact["pk"]
        client_enrolments = enrolments.get(client_id, [])
        client_flags = flags.get(client_id, [])
        kinds = {flag["kind"] for flag in client_flags}
        safety = next((f["description"] for f in client_flags if f["kind"] == FlagKind.SAFETY), "")
        next_task = next_tasks.get(client_id)
        referred = [e["referred_on"] for e in client_enrolments]
        row_facts: dict[str, Any] = {
            "safety_flag": safety,
            "overdue_tasks": fact["overdue_tasks"],
            "review_due": fact["review_due"],
            "review_is_due": fact["review_is_due"],
            "days_since_contact": fact["days_since_contact"],
            "is_new": bool(fact["is_new"]),
            "referred_on": max(referred) if referred else None,
            "next_due_on": next_task["due_on"] if next_task else None,
            "next_task_title": next_task["title"] if next_task else "",
            "reassessment": (
                reassessment_label(fact["reassessment_instrument"], fact["reassessment_due_on"])
                if fact["reassessment_is_due"]
                else ""
            ),
            "coordination": fact["coordination_reason"],
        }
        attention, level = attention_for(row_facts, today=today)
        born = fact["date_of_birth"]
        shown_name = fact["preferred_name"] or fact["given_name"]
        rows.append(
            CaseloadRow(
                client_id=client_id,
                name=f"{shown_name} {fact['family_name']}",
                sortable_name=f"{fact['family_name']}, {fact['given_name']}",
                preferred_name=fact["preferred_name"],
                date_of_birth=born,
                age=today.year - born.year - ((today.month, today.day) < (born.month, born.day)),
                mrn=fact["mrn"],
                programs=list(dict.fromkeys(e["program__name"] for e in client_enrolments)),
                statuses=list(dict.fromkeys(status_labels[e["status"]] for e in client_enrolments)),
                care_managers=list(dict.fromkeys(_staff_name(e) for e in client_enrolments)),
                acuity=fact["acuity"],
                acuity_label=acuity_labels.get(fact["acuity"], ""),
                flags=[(kind, label) for kind, label in kind_labels.items() if kind in kinds],
                safety_flag=safety,
                overdue_tasks=fact["overdue_tasks"],
                next_due_on=row_facts["next_due_on"],
                next_task_title=row_facts["next_task_title"],
                review_due=fact["review_due"],
                review_is_due=fact["review_is_due"],
                last_contact_at=fact["last_contact_at"],
                days_since_contact=fact["days_since_contact"],
                is_new=row_facts["is_new"],
                referred_on=row_facts["referred_on"],
                attention=attention,
                attention_level=level,
            )
        )
    return rows


def _staff_name(enrolment: dict[str, Any]) -> str:
    full = f"{enrolment['care_manager__first_name']} {enrolment['care_manager__last_name']}"
    return full.strip() or enrolment["care_manager__username"]
