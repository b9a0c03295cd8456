"""The public career path advisor at /career/: no sign-in, nothing stored, no client data.

Someone considering the profession enters their education, licence and experience and gets the
pathway: which certification they could reach and when, the next steps, typical time frames and
salary bands. The answer is the same engine the staff advisor uses. "Save" downloads the profile
as JSON (the shape `caseload career advise` reads) to the person's own device; the server keeps
nothing. Requests are rate-limited per address through Django's cache.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from caseload.core import clock
from caseload.core.forms import CaseloadForm
from caseload.workforce import engine, ladder, rules
from caseload.workforce.advisor import organisation_frameworks
from caseload.workforce.forms import date_field, hours_field
from caseload.workforce.models import EducationLevel, EmploymentKind, LicenceKind

JOBS = 3
YES_NO = [("yes", "Yes"), ("no", "No")]


class CareerForm(CaseloadForm):
    education_level = forms.ChoiceField(
        label="Your highest qualification",
        choices=[("", "No degree or diploma yet"), *EducationLevel.choices],
        required=False,
    )
    education_field = forms.CharField(
        label="Field of study", max_length=120, required=False, help_text="For example nursing."
    )
    education_related = forms.ChoiceField(
        label="Is it in a health or human services field (social work, nursing, counselling, "
        "psychology, gerontology …)?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    education_completed = date_field(
        "Completed (or expected) on", required=False, hint="For example 2022-05-20."
    )
    licence_kind = forms.ChoiceField(
        label="Licence",
        choices=[("", "No licence"), *LicenceKind.choices],
        required=False,
    )
    licence_independent = forms.BooleanField(
        label="My licence allows me to assess clients independently (an RN or LCSW does; an "
        "LPN does not)",
        required=False,
    )
    licence_current = forms.BooleanField(
        label="It is current, active and unrestricted", required=False, initial=True
    )
    plan_start = date_field(
        "If you start a care management job, when?",
        required=False,
        hint="Leave empty to see the time frames as if you started today.",
    )
    plan_hours = hours_field("Hours a week in that job", maximum=80, initial=40, required=False)
    plan_supervised_by_ccm = forms.BooleanField(
        label="The supervisor there holds the CCM", required=False
    )
    plan_supervision = hours_field(
        "Supervision hours a year there",
        maximum=2000,
        initial=52,
        required=False,
        hint="NACCM counts a year only with at least 50 hours of supervision.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fieldsets = [
            (
                "Education",
                ["education_level", "education_field", "education_related", "education_completed"],
            ),
            ("Licence", ["licence_kind", "licence_independent", "licence_current"]),
        ]
        for n in range(1, JOBS + 1):
            prefix = f"job{n}_"
            self.fields[prefix + "kind"] = forms.ChoiceField(
                label="Kind of work",
                choices=[("", "—"), *EmploymentKind.choices],
                required=False,
            )
            self.fields[prefix + "title"] = forms.CharField(
                label="Job title", max_length=120, required=False
            )
            self.fields[prefix + "start"] = date_field("Started", required=False)
            self.fields[prefix + "end"] = date_field(
                "Last day", required=False, hint="Empty if you still do it."
            )
            self.fields[prefix + "hours"] = hours_field(
                "Hours a week", maximum=80, initial=40, required=False
            )
            self.fields[prefix + "unpaid"] = forms.BooleanField(
                label="Unpaid, an internship or volunteering", required=False
            )
            self.fields[prefix + "ccm"] = forms.BooleanField(
                label="Supervised by someone who holds the CCM", required=False
            )
            self.fields[prefix + "supervision"] = hours_field(
                "Supervision hours a year", maximum=2000, initial=0, required=False
            )
            self.fieldsets.append(
                (
                    f"Experience {n}" + (" (optional)" if n > 1 else ""),
                    [
                        prefix + name
                        for name in (
                            "kind",
                            "title",
                            "start",
                            "end",
                            "hours",
                            "unpaid",
                            "ccm",
                            "supervision",
                        )
                    ],
                )
            )
        self.fieldsets.append(
            (
                "A care management job you might take",
                ["plan_start", "plan_hours", "plan_supervised_by_ccm", "plan_supervision"],
            )
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = clock.today()
        if data.get("education_level") and not data.get("education_completed"):
            self.add_error("education_completed", "Enter when you completed it, or expect to.")
        for n in range(1, JOBS + 1):
            p = f"job{n}_"
            if not data.get(p + "kind"):
                continue
            start, end = data.get(p + "start"), data.get(p + "end")
            if not start:
                self.add_error(p + "start", "Enter when you started this work.")
            elif start > today:
                self.add_error(p + "start", "The start date cannot be in the future.")
            if start and end and end < start:
                self.add_error(p + "end", "The last day must be on or after the start.")
        return data

    def profile(self) -> engine.Profile:
        data = self.cleaned_data
        today = clock.today()
        education: tuple[engine.Education, ...] = ()
        if data.get("education_level"):
            education = (
                engine.Education(
                    level=data["education_level"],
                    field=data.get("education_field", ""),
                    related_to_care_management=data.get("education_related") == "yes",
                    completed=data.get("education_completed"),
                ),
            )
        licences: tuple[engine.Licence, ...] = ()
        if data.get("licence_kind"):
            licences = (
                engine.Licence(
                    kind=data["licence_kind"],
                    independent_assessment=bool(data.get("licence_independent")),
                    active=bool(data.get("licence_current")),
                    unrestricted=bool(data.get("licence_current")),
                ),
            )
        jobs = []
        for n in range(1, JOBS + 1):
            p = f"job{n}_"
            if not data.get(p + "kind"):
                continue
            unpaid = bool(data.get(p + "unpaid"))
            jobs.append(
                engine.Employment(
                    title=data.get(p + "title") or "",
                    kind=data[p + "kind"],
                    start=data[p + "start"],
                    end=data.get(p + "end"),
                    hours_per_week=float(data.get(p + "hours") or 40),
                    paid=not unpaid,
                    internship_or_volunteer=unpaid,
                    supervised_by_ccm=bool(data.get(p + "ccm")),
                    supervision_hours_per_year=float(data.get(p + "supervision") or 0),
                )
            )
        return engine.Profile(
            as_of=today, education=education, licences=licences, employment=tuple(jobs)
        )

    def planned_job(self) -> engine.Employment:
        data = self.cleaned_data
        return engine.Employment(
            title="A care management job (planned)",
            kind="case_management",
            start=max(data.get("plan_start") or clock.today(), clock.today()),
            hours_per_week=float(data.get("plan_hours") or 40),
            supervised_by_ccm=bool(data.get("plan_supervised_by_ccm")),
            supervision_hours_per_year=float(
                data["plan_supervision"] if data.get("plan_supervision") is not None else 52
            ),
        )


@dataclass
class Pathway:
    advice: engine.Advice
    planned: engine.Advice | None
    planned_job: engine.Employment | None
    steps: list[str]
    frames: list[str]


def _distance(start: dt.date, end: dt.date) -> str:
    months = engine.months_between(start, end)
    years, rest = divmod(int(months), 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest or not years:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " and ".join(parts)


def next_steps(advice: engine.Advice, profile: engine.Profile) -> list[str]:
    """What to do next, from what the rules say is missing (each step names its rule)."""
    ccm, cmc = advice.eligibility["CCM"], advice.eligibility["CMC"]
    steps = []
    for result in (ccm, cmc):
        if result.eligible:
            steps.append(
                f"You meet the {result.rule.code} eligibility rules: apply to the "
                f"{result.rule.body} and sit its exam."
            )
    if ccm.decisive is None:
        steps.append(
            "For the CCM you need a licence that allows independent assessment (such as RN or "
            "LCSW) or a bachelor's or master's degree in a health or human services field "
            "(CCMC)."
        )
    if cmc.criterion is None:
        steps.append(
            "For the CMC you need an associate's degree in a related field, an RN diploma or any "
            "bachelor's degree (criterion III); a related bachelor's (II) or master's (I) "
            "shortens the experience needed (NACCM)."
        )
    doing_cm = any(
        j.kind == "case_management" and j.end is None and j.paid for j in profile.employment
    )
    if not doing_cm and not (ccm.eligible and cmc.eligible):
        steps.append(
            "Find a paid care management job with at least 50 hours of supervision a year "
            "(NACCM counts no other year). A supervisor who holds the CCM shortens the CCM "
            "experience to 12 months (CCMC category 1) instead of 24."
        )
    if any(j.internship_or_volunteer or not j.paid for j in profile.employment):
        steps.append(
            "Internships and volunteering help you learn the work but count toward neither "
            "certification."
        )
    steps.append(
        "Keep a record of your supervision hours and job descriptions: both bodies ask for them "
        "when you apply."
    )
    return steps


def pathway(form: CareerForm) -> Pathway:
    profile = form.profile()
    loaded = rules.load_rules()
    advice = engine.advise(profile, loaded)
    planned = planned_job = None
    already = all(r.eligible for r in advice.eligibility.values())
    if not already:
        planned_job = form.planned_job()
        what_if = engine.Profile(
            as_of=profile.as_of,
            education=profile.education,
            licences=profile.licences,
            employment=(*profile.employment, planned_job),
        )
        planned = engine.advise(what_if, loaded)
    frames = []
    today = profile.as_of
    for code, result in advice.eligibility.items():
        if result.eligible:
            frames.append(f"{code}: eligible now.")
        elif result.eligible_from:
            frames.append(
                f"{code}: eligible on {result.eligible_from:%-d %B %Y} if your current work "
                f"continues ({_distance(today, result.eligible_from)} from now)."
            )
        if planned is not None and not result.eligible:
            then = planned.eligibility[code]
            if then.eligible_from and then.eligible_from != result.eligible_from:
                frames.append(
                    f"{code}: with a care management job from {planned_job.start:%-d %B %Y} "  # type: ignore[union-attr]
                    f"({then.route_label}), eligible on {then.eligible_from:%-d %B %Y} — "
                    f"{_distance(today, then.eligible_from)} from now."
                )
            elif not then.eligible_from and not result.eligible_from:
                frames.append(
                    f"{code}: not reachable with that job alone — see what is missing below."
                )
    frames.append(
        "Becoming a care manager typically takes 6–8 years in all: a degree, supervised "
        "experience, then certification."
    )
    return Pathway(advice, planned, planned_job, next_steps(advice, profile), frames)


# ---------------------------------------------------------------------------------------------
# Rate limit


def client_address(request: HttpRequest) -> str:
    """The visitor's address; behind TRUSTED_PROXY_COUNT proxies, from X-Forwarded-For."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return str(hops[-proxies])
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def rate_limited(
    view: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """At most CASELOAD_CAREER_RATE_LIMIT requests per address per
    CASELOAD_CAREER_RATE_WINDOW seconds; beyond, 429 with Retry-After."""

    def wrapped(request: HttpRequest) -> HttpResponse:
        limit = settings.CASELOAD_CAREER_RATE_LIMIT
        window = settings.CASELOAD_CAREER_RATE_WINDOW
        key = f"career-rate:{client_address(request)}"
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        if count > limit:
            response = render(
                request, "workforce/career_limited.html", {"window": window // 60}, status=429
            )
            response["Retry-After"] = str(window)
            return response
        return view(request)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited
def career(request: HttpRequest) -> HttpResponse:
    """The public career path advisor."""
    fw: ladder.Frameworks = organisation_frameworks()
    context: dict[str, Any] = {"levels": fw.levels, "salary_note": fw.salary_note}
    if request.method != "POST":
        context["form"] = CareerForm()
        return render(request, "workforce/career.html", context)
    form = CareerForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "workforce/career.html", context, status=400)
    if request.POST.get("action") == "download":
        body = json.dumps(engine.profile_to_json(form.profile()), indent=2)
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="career-profile.json"'
        return response
    context["pathway"] = pathway(form)
    return render(request, "workforce/career.html", context)
