"""The career path advisor for a signed-in staff member: their credential eligibility, a CE
plan to each renewal, readiness for the next ladder level, and specialisation paths — every
conclusion with the rule and the facts that produced it. Rule-based: no generated text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from caseload.core import clock
from caseload.workforce import engine, ladder, records, rules
from caseload.workforce.models import CompetencyReview, ReviewKind, SalaryBand

if TYPE_CHECKING:
    from caseload.staff.models import User


@dataclass
class CEPlan:
    credential: str
    period_start: dt.date | None
    valid_through: dt.date | None
    hours: float
    required: float
    ethics: float
    ethics_required: float
    months_left: float
    per_month: float | None
    status: str  # "complete", "on_track", "behind", "ended"
    why: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "credential": self.credential,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "valid_through": self.valid_through.isoformat() if self.valid_through else None,
            "hours_per_month_needed": None if self.per_month is None else round(self.per_month, 1),
            "months_left": round(self.months_left, 1),
            "status": self.status,
            "why": self.why,
        }


@dataclass
class LadderAdvice:
    current: ladder.Level | None
    next: ladder.Level | None
    checks: list[ladder.Check]
    facts: ladder.Facts
    levels: tuple[ladder.Level, ...]
    salary_note: str

    @property
    def ready(self) -> bool:
        return bool(self.next) and all(check.met for check in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "current": self.current.id if self.current else None,
            "next": self.next.id if self.next else None,
            "ready": self.ready,
            "checks": [
                {"rule": c.rule, "met": c.met, "facts": c.facts, "gap": "" if c.met else c.gap}
                for c in self.checks
            ],
            "levels": [
                {
                    "id": lvl.id,
                    "name": lvl.name,
                    "typical_years": lvl.typical_years,
                    "caseload_cap": lvl.caseload_cap,
                    "salary": {
                        "low": lvl.salary.low,
                        "high": lvl.salary.high,
                        "open_ended": lvl.salary.open_ended,
                        "source": lvl.salary.source,
                    },
                }
                for lvl in self.levels
            ],
            "salary_note": self.salary_note,
        }


@dataclass
class SpecialisationAdvice:
    specialisation: ladder.Specialisation
    score: float
    why: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.specialisation.id,
            "name": self.specialisation.name,
            "why": self.why,
            "next_steps": list(self.specialisation.next_steps),
        }


@dataclass
class StaffAdvice:
    staff: User
    today: dt.date
    profile: engine.Profile
    advice: engine.Advice
    ce_plans: list[CEPlan]
    ladder: LadderAdvice
    specialisations: list[SpecialisationAdvice]
    review: CompetencyReview | None

    def as_json(self) -> dict[str, Any]:
        """`caseload career advise`'s object for this person, with the plan around it."""
        return {
            **self.advice.as_json(),
            "as_of": self.today.isoformat(),
            "ce_plan": [plan.as_json() for plan in self.ce_plans],
            "ladder": self.ladder.as_json(),
            "specialisations": [s.as_json() for s in self.specialisations],
        }


def ce_plan(renewal: engine.RenewalResult, today: dt.date) -> CEPlan:
    months = float(renewal.months_left(today))
    per_month = renewal.hours_per_month_needed(today)
    why = [
        f"{renewal.rule.code} renews every {renewal.rule.renewal.cycle_years} years with "
        f"{renewal.ce_required:g} CE hours"
        + (f", {renewal.ethics_required:g} of them ethics" if renewal.ethics_required else "")
        + f" ({renewal.rule.body}).",
        f"Counted: {renewal.ce_hours:g} hours ({renewal.ethics_hours:g} ethics) completed in "
        f"the period {renewal.period_start} – {renewal.valid_through}; "
        f"{renewal.entries_outside} activities outside it are not counted.",
    ]
    if renewal.lapsed:
        status = "ended"
        why.append("The period has ended: renew or record the new period's dates.")
    elif renewal.hours_missing == 0 and renewal.ethics_missing == 0:
        status = "complete"
        why.append("Nothing more is needed for this period.")
    else:
        # Behind schedule: less than the share of the period already gone.
        start = renewal.period_start or today
        end = renewal.valid_through or today
        elapsed = max(0, (today - start).days) / max(1, (end - start).days + 1)
        expected = renewal.ce_required * elapsed
        status = "behind" if renewal.ce_hours < expected else "on_track"
        why.append(
            f"{renewal.hours_missing:g} hours"
            + (f" ({renewal.ethics_missing:g} ethics)" if renewal.ethics_missing else "")
            + f" still needed in {months:.1f} months"
            + (f": {per_month:.1f} hours a month." if per_month is not None else ".")
        )
        why.append(
            f"At an even pace {expected:.0f} hours would be done by now "
            f"({elapsed:.0%} of the period has passed): "
            + ("behind schedule." if status == "behind" else "on track.")
        )
    return CEPlan(
        credential=renewal.rule.code,
        period_start=renewal.period_start,
        valid_through=renewal.valid_through,
        hours=renewal.ce_hours,
        required=renewal.ce_required,
        ethics=renewal.ethics_hours,
        ethics_required=renewal.ethics_required,
        months_left=months,
        per_month=per_month,
        status=status,
        why=why,
    )


def organisation_frameworks() -> ladder.Frameworks:
    overrides = {
        band.level: (band.low, band.high, band.open_ended) for band in SalaryBand.objects.all()
    }
    return ladder.with_salaries(ladder.frameworks(), overrides)


def latest_review(staff: User, kind: str = ReviewKind.SUPERVISOR) -> CompetencyReview | None:
    return CompetencyReview.objects.filter(staff=staff, kind=kind).first()


def _specialisations(
    staff: User, fw: ladder.Frameworks, review: CompetencyReview | None
) -> list[SpecialisationAdvice]:
    clients = dict(
        staff.managed_enrolments.values_list("program__kind")
        .annotate(n=Count("pk"))
        .values_list("program__kind", "n")
    )
    member_of = {p.kind: p.name for p in staff.programs.all()}
    ratings = review.ratings if review else {}
    found = []
    for spec in fw.specialisations:
        why, score = [], 0.0
        for kind in spec.program_kinds:
            if clients.get(kind):
                count = clients[kind]
                why.append(
                    f"You have managed {count} client{'s' if count != 1 else ''} in "
                    f"{kind.replace('_', ' ')} programs."
                )
                score += clients[kind]
            if kind in member_of:
                why.append(f"You work in the {member_of[kind]} program.")
                score += 5
        strong = [
            f"{fw.competency(c).name} {ratings[c]} ({fw.scale_label(ratings[c])})"  # type: ignore[union-attr]
            for c in spec.competencies
            if ratings.get(c, 0) >= 3 and fw.competency(c)
        ]
        if strong:
            why.append(f"Your latest supervisor review rates {', '.join(strong)}.")
            score += 2 * len(strong)
        if why:
            found.append(SpecialisationAdvice(spec, score, why))
    return sorted(found, key=lambda s: -s.score)


def staff_advice(staff: User, *, today: dt.date | None = None) -> StaffAdvice:
    today = today or clock.today()
    profile = records.engine_profile(staff, as_of=today)
    loaded = rules.load_rules()
    advice = engine.advise(profile, loaded)
    plans = [ce_plan(r, today) for r in advice.renewals]
    fw = organisation_frameworks()
    review = latest_review(staff)
    current = fw.level_of(staff.career_level)
    following = fw.next_after(current) if current else fw.levels[0]
    held = tuple(
        c.code
        for c in profile.certifications
        if (c.valid_through is None or c.valid_through >= today)
        and (c.issued is None or c.issued <= today)
    )
    facts = ladder.Facts(
        years=engine.experience_years(profile, ("case_management", "supervising_case_managers")),
        supervising_years=engine.experience_years(profile, ("supervising_case_managers",)),
        supervises_now=staff.supervisees.filter(is_active=True).count(),
        credentials=held,
        eligible_for={
            code: (r.eligible_from.isoformat() if r.eligible_from else None)
            for code, r in advice.eligibility.items()
        },
        ratings={k: int(v) for k, v in (review.ratings if review else {}).items()},
        review_date=review.reviewed_on.isoformat() if review else None,
    )
    checks = ladder.readiness(following, facts, fw) if following else []
    return StaffAdvice(
        staff=staff,
        today=today,
        profile=profile,
        advice=advice,
        ce_plans=plans,
        ladder=LadderAdvice(current, following, checks, facts, fw.levels, fw.salary_note),
        specialisations=_specialisations(staff, fw, review),
        review=review,
    )
