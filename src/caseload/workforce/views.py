"""Pages of a staff member's professional record (profile, entries, CE certificates)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseload.access import policies
from caseload.audit.services import audit_record
from caseload.core import clock
from caseload.core.csv import stream_rows
from caseload.core.errors import Conflict, NotFound, PermissionDenied
from caseload.core.formviews import FormPage, changed_rows, form_view, success_redirect
from caseload.core.http import get_only, post_only
from caseload.staff.http import request_actor
from caseload.workforce import ask, compliance, ladder, records, rules, selectors, services
from caseload.workforce.advisor import organisation_frameworks
from caseload.workforce.engine import Certification, evaluate_renewal
from caseload.workforce.forms import (
    SECTION_FORMS,
    AskForm,
    CompetencyReviewForm,
    EntryForm,
    ProgramCredentialForm,
    SalaryBandsForm,
    WorkforceSettingsForm,
    WorkPatternForm,
)
from caseload.workforce.models import CERecord, Entry, ReviewKind, SalaryBand
from caseload.workforce.plan_pdf import career_plan_pdf


def _profile_url(staff_id: Any) -> str:
    return reverse("workforce:profile", args=[staff_id])


def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's own profile."""
    actor = request_actor(request)
    if not policies.is_clinical(actor):
        raise NotFound("Not found.")
    return redirect("workforce:profile", staff_id=actor.pk)


def renewal_rows(staff: Any, certifications: list[Any], ce: list[CERecord]) -> list[Any]:
    """Each held certification with rules: the current period's CE and the pace needed."""
    loaded = rules.load_rules()
    today = clock.today()
    entries = records.ce_entries(ce)
    rows = []
    for cert in certifications:
        rule = loaded.get(cert.code)
        if rule is None:
            continue
        result = evaluate_renewal(
            rule, Certification(cert.code, cert.issued_on, cert.valid_through), entries, today
        )
        rows.append(
            {"cert": cert, "result": result, "per_month": result.hours_per_month_needed(today)}
        )
    return rows


def profile(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = request_actor(request)
    view = selectors.profile_get(actor=actor, staff_id=staff_id)
    if response := get_only(request):
        return response
    context = {
        "view": view,
        "staff": view.staff,
        "sections": services.SECTIONS,
        "renewals": renewal_rows(view.staff, view.certifications, view.ce),
        "today": clock.today(),
        "nav": "career" if view.staff.pk == actor.pk else "",
    }
    return render(request, "workforce/profile.html", context)


def _entry_initial(entry: Entry, section: services.Section) -> dict[str, Any]:
    initial = {name: getattr(entry, name) for name in section.fields}
    initial["version"] = entry.version
    return initial


def _form(
    request: HttpRequest, form_class: type[EntryForm], data: Any, initial: dict[str, Any]
) -> EntryForm:
    files = request.FILES if data is not None else None
    return form_class(data, files, initial=initial, new="version" not in initial)


def _upload(form: EntryForm) -> Any:
    return form.cleaned_data.get("certificate") or None


@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, staff_id: int, section: str) -> HttpResponse:
    actor = request_actor(request)
    staff = selectors.staff_get(actor=actor, staff_id=staff_id)
    kind = selectors.section_get(section)
    policies.require_may_edit_workforce_profile(actor, staff)
    form_class = SECTION_FORMS[kind.key]

    def show(page: FormPage[Any, EntryForm]) -> HttpResponse:
        context = {**page.context(), "staff": staff, "section": kind, "entry": None}
        return render(request, "workforce/entry_form.html", context, status=page.status)

    return form_view(
        request,
        staff,
        form=lambda record, data: _form(request, form_class, data, {}),
        save=lambda form: services.entry_create(
            actor=actor,
            staff=staff,
            section=kind,
            data=form.cleaned_data,
            certificate=_upload(form),
        ),
        render=show,
        success=lambda _: success_redirect(
            request,
            f"Added to your {kind.plural.lower()}.",
            _profile_url(staff.pk) + f"#{kind.key}",
        ),
    )


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, section: str, entry_id: str) -> HttpResponse:
    actor = request_actor(request)
    kind = selectors.section_get(section)
    entry = selectors.entry_get(actor=actor, section=kind, entry_id=entry_id)
    policies.require_may_edit_workforce_profile(actor, entry.staff)
    form_class = SECTION_FORMS[kind.key]

    def show(page: FormPage[Entry, EntryForm]) -> HttpResponse:
        context = {**page.context(), "staff": entry.staff, "section": kind, "entry": page.record}
        return render(request, "workforce/entry_form.html", context, status=page.status)

    return form_view(
        request,
        entry,
        form=lambda record, data: _form(request, form_class, data, _entry_initial(record, kind)),
        save=lambda form: services.entry_update(
            actor=actor,
            entry=entry,
            expected_version=form.cleaned_data["version"],
            data=form.cleaned_data,
            certificate=_upload(form),
        ),
        render=show,
        success=lambda _: success_redirect(
            request, "Saved.", _profile_url(entry.staff_id) + f"#{kind.key}"
        ),
        reload=lambda: selectors.entry_get(actor=actor, section=kind, entry_id=entry.pk),
        current=lambda fresh, form: changed_rows(
            form, {name: getattr(fresh, name) for name in kind.fields}
        ),
    )


def entry_verify(request: HttpRequest, section: str, entry_id: str) -> HttpResponse:
    actor = request_actor(request)
    kind = selectors.section_get(section)
    entry = selectors.entry_get(actor=actor, section=kind, entry_id=entry_id)
    if response := post_only(request):
        return response
    services.entry_verify(actor=actor, entry=entry)
    messages.success(request, f"Marked the {kind.singular} verified.")
    return redirect(_profile_url(entry.staff_id) + f"#{kind.key}")


def entry_remove(request: HttpRequest, section: str, entry_id: str) -> HttpResponse:
    actor = request_actor(request)
    kind = selectors.section_get(section)
    entry = selectors.entry_get(actor=actor, section=kind, entry_id=entry_id)
    if response := post_only(request):
        return response
    if request.POST.get("confirm") != "remove":
        messages.error(request, f"The {kind.singular} was not removed: use its Remove button.")
        return redirect(_profile_url(entry.staff_id) + f"#{kind.key}")
    services.entry_remove(actor=actor, entry=entry)
    messages.success(request, f"Removed the {kind.singular}.")
    return redirect(_profile_url(entry.staff_id) + f"#{kind.key}")


def ce_certificate(request: HttpRequest, entry_id: str) -> HttpResponse | FileResponse:
    """The CE certificate file, to the people who may see the profile."""
    actor = request_actor(request)
    entry = selectors.entry_get(actor=actor, section=services.SECTIONS["ce"], entry_id=entry_id)
    if response := get_only(request):
        return response
    if not isinstance(entry, CERecord) or not entry.certificate:
        raise NotFound("This activity has no certificate.")
    if entry.staff_id != actor.pk:
        audit_record(actor=actor, action="workforce.ce_certificate_viewed", target=entry)
    handle = entry.certificate.open("rb")
    download = FileResponse(
        handle,
        content_type=entry.certificate_type or "application/octet-stream",
        as_attachment=entry.certificate_type == "application/pdf",
        filename=entry.certificate_name or "certificate",
    )
    download["X-Content-Type-Options"] = "nosniff"
    return download


@require_http_methods(["GET", "POST"])
def work_pattern(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = request_actor(request)
    staff = selectors.staff_get(actor=actor, staff_id=staff_id)
    if not policies.can_edit_workforce_profile(actor, staff):
        raise PermissionDenied("Only the staff member changes how they work here.")
    pattern = services.work_pattern_for(staff)

    def show(page: FormPage[Any, WorkPatternForm]) -> HttpResponse:
        context = {**page.context(), "staff": staff}
        return render(request, "workforce/work_pattern.html", context, status=page.status)

    return form_view(
        request,
        pattern,
        form=lambda record, data: WorkPatternForm(
            data,
            initial={
                "version": record.version,
                "hours_per_week": record.hours_per_week,
                "supervision_hours_per_year": record.supervision_hours_per_year,
            },
        ),
        save=lambda form: services.work_pattern_update(
            actor=actor,
            staff=staff,
            expected_version=form.cleaned_data["version"] or 0,
            hours_per_week=form.cleaned_data["hours_per_week"],
            supervision_hours_per_year=form.cleaned_data["supervision_hours_per_year"],
        ),
        render=show,
        success=lambda _: success_redirect(request, "Saved.", _profile_url(staff.pk)),
        reload=lambda: services.work_pattern_for(staff),
        current=lambda fresh, form: changed_rows(
            form,
            {
                "hours_per_week": fresh.hours_per_week,
                "supervision_hours_per_year": fresh.supervision_hours_per_year,
            },
        ),
    )


def advisor(request: HttpRequest, staff_id: int) -> HttpResponse:
    """The career path advisor for a staff member (their own, a supervisee's, or a director's
    view of anyone)."""
    actor = request_actor(request)
    staff = selectors.staff_get(actor=actor, staff_id=staff_id)
    if response := get_only(request):
        return response
    plan = selectors.advice_get(actor=actor, staff=staff)
    context = {
        "plan": plan,
        "staff": staff,
        "own": staff.pk == actor.pk,
        "nav": "career" if staff.pk == actor.pk else "",
        "ask_enabled": ask.enabled(),
        "ask_form": AskForm(),
    }
    return render(request, "workforce/advisor.html", context)


def advisor_pdf(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = request_actor(request)
    staff = selectors.staff_get(actor=actor, staff_id=staff_id)
    if response := get_only(request):
        return response
    plan = selectors.advice_get(actor=actor, staff=staff)
    response = HttpResponse(career_plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="career-plan-{staff.username}.pdf"'
    return response


# ---------------------------------------------------------------------------------------------
# The ladder and competency reviews


def ladder_page(request: HttpRequest) -> HttpResponse:
    """The organisation's career ladder: levels, what each asks, caseload caps, salary bands."""
    actor = request_actor(request)
    if not policies.is_clinical(actor):
        raise NotFound("Not found.")
    if response := get_only(request):
        return response
    fw = organisation_frameworks()
    context = {
        "fw": fw,
        "current": fw.level_of(actor.career_level),
        "may_manage": policies.can_manage_workforce(actor),
        "nav": "career",
    }
    return render(request, "workforce/ladder.html", context)


@require_http_methods(["GET", "POST"])
def ladder_salaries(request: HttpRequest) -> HttpResponse:
    """A director sets the organisation's own salary band for each level (or keeps the
    typical US figures)."""
    actor = request_actor(request)
    policies.require_workforce_manager(actor)
    levels = ladder.frameworks().levels
    bands = {band.level: band for band in SalaryBand.objects.all()}
    initial: dict[str, Any] = {}
    for level_id, band in bands.items():
        initial.update(
            {
                f"{level_id}_low": band.low,
                f"{level_id}_high": band.high,
                f"{level_id}_open": band.open_ended,
            }
        )

    def save(form: SalaryBandsForm) -> None:
        data = form.cleaned_data
        with transaction.atomic():
            for level in levels:
                services.salary_band_set(
                    actor=actor,
                    level=level.id,
                    low=data.get(f"{level.id}_low"),
                    high=data.get(f"{level.id}_high"),
                    open_ended=bool(data.get(f"{level.id}_open")),
                )

    return form_view(
        request,
        None,
        form=lambda record, data: SalaryBandsForm(data, levels=levels, initial=initial),
        save=save,
        render=lambda page: render(
            request, "workforce/salaries.html", page.context(), status=page.status
        ),
        success=lambda _: success_redirect(
            request, "Salary bands saved.", reverse("workforce:ladder")
        ),
    )


def reviews(request: HttpRequest, staff_id: int) -> HttpResponse:
    """A staff member's competency reviews: the latest self-review and supervisor's review side
    by side, and the history."""
    actor = request_actor(request)
    staff = selectors.staff_get(actor=actor, staff_id=staff_id)
    if response := get_only(request):
        return response
    history = selectors.reviews_list(actor=actor, staff=staff)
    fw = ladder.frameworks()
    latest_self = next((r for r in history if r.kind == ReviewKind.SELF), None)
    latest_supervisor = next((r for r in history if r.kind == ReviewKind.SUPERVISOR), None)
    rows: list[dict[str, Any]] = [
        {
            "competency": c,
            "self": latest_self.ratings.get(c.id) if latest_self else None,
            "self_comment": latest_self.comments.get(c.id, "") if latest_self else "",
            "supervisor": latest_supervisor.ratings.get(c.id) if latest_supervisor else None,
            "supervisor_comment": latest_supervisor.comments.get(c.id, "")
            if latest_supervisor
            else "",
        }
        for c in fw.competencies
    ]
    for row in rows:
        a, b = row["self"], row["supervisor"]
        row["differs"] = a is not None and b is not None and abs(a - b) >= 2
    context = {
        "staff": staff,
        "rows": rows,
        "latest_self": latest_self,
        "latest_supervisor": latest_supervisor,
        "history": [
            (review, [(c.name, review.ratings.get(c.id, "—")) for c in fw.competencies])
            for review in history
        ],
        "scale": fw.scale,
        "may_review": policies.can_edit_workforce_profile(actor, staff)
        or policies.can_verify_workforce_entry(actor, staff),
        "own": staff.pk == actor.pk,
    }
    return render(request, "workforce/reviews.html", context)


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = request_actor(request)
    staff = selectors.staff_get(actor=actor, staff_id=staff_id)
    own = staff.pk == actor.pk
    if not (
        policies.can_edit_workforce_profile(actor, staff)
        or policies.can_verify_workforce_entry(actor, staff)
    ):
        raise PermissionDenied("Only the staff member, their supervisor or a director reviews.")
    fw = ladder.frameworks()

    def show(page: FormPage[Any, CompetencyReviewForm]) -> HttpResponse:
        context = {**page.context(), "staff": staff, "own": own}
        return render(request, "workforce/review_form.html", context, status=page.status)

    return form_view(
        request,
        staff,
        form=lambda record, data: CompetencyReviewForm(
            data,
            competencies=fw.competencies,
            scale=fw.scale,
            initial={"reviewed_on": clock.today()},
        ),
        save=lambda form: services.competency_review_create(
            actor=actor,
            staff=staff,
            reviewed_on=form.cleaned_data["reviewed_on"],
            ratings=form.ratings(),
            comments=form.comments(),
            summary=form.cleaned_data["summary"],
        ),
        render=show,
        success=lambda _: success_redirect(
            request, "Review saved.", reverse("workforce:reviews", args=[staff.pk])
        ),
    )


# ---------------------------------------------------------------------------------------------
# Compliance (directors)


def credentials_page(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Whose licence or certification expires in the next 90 days, what has lapsed, and CE
    progress per person and period; ``?format=csv`` downloads it."""
    actor = request_actor(request)
    policies.require_workforce_manager(actor)
    if response := get_only(request):
        return response
    overview = compliance.compliance_overview(actor=actor)
    if request.GET.get("format") == "csv":
        stream = StreamingHttpResponse(
            stream_rows(compliance.CSV_COLUMNS, compliance.compliance_rows(overview)),
            content_type="text/csv; charset=utf-8",
        )
        stream["Content-Disposition"] = (
            f'attachment; filename="credentials-{overview.today.isoformat()}.csv"'
        )
        return stream
    context = {"overview": overview, "nav": "credentials"}
    return render(request, "workforce/credentials.html", context)


@require_http_methods(["GET", "POST"])
def requirements(request: HttpRequest) -> HttpResponse:
    """The credentials each program requires, and whether a missing one warns or refuses."""
    actor = request_actor(request)
    found = compliance.program_requirements(actor=actor)
    current = compliance.settings_get()

    def show(page: FormPage[Any, ProgramCredentialForm]) -> HttpResponse:
        context = {
            **page.context(),
            "requirements": found,
            "settings_form": WorkforceSettingsForm(
                initial={
                    "version": current.version,
                    "refuse": current.refuse_assignment_without_credential,
                }
            ),
            "refuse": current.refuse_assignment_without_credential,
        }
        return render(request, "workforce/requirements.html", context, status=page.status)

    return form_view(
        request,
        None,
        form=lambda record, data: ProgramCredentialForm(data),
        save=lambda form: compliance.program_credential_add(
            actor=actor, program=form.cleaned_data["program"], code=form.cleaned_data["code"]
        ),
        render=show,
        success=lambda added: success_redirect(
            request,
            f"{added.program.name} now requires a current {added.code}.",
            reverse("workforce:requirements"),
        ),
    )


def requirement_remove(request: HttpRequest, requirement_id: str) -> HttpResponse:
    actor = request_actor(request)
    policies.require_workforce_manager(actor)
    requirement = selectors.program_credential_get(requirement_id=requirement_id)
    if response := post_only(request):
        return response
    compliance.program_credential_remove(actor=actor, requirement=requirement)
    messages.success(
        request, f"{requirement.program.name} no longer requires the {requirement.code}."
    )
    return redirect("workforce:requirements")


def settings_save(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    policies.require_workforce_manager(actor)
    if response := post_only(request):
        return response
    form = WorkforceSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The setting was not saved: reload the page and try again.")
        return redirect("workforce:requirements")
    try:
        compliance.settings_update(
            actor=actor,
            expected_version=form.cleaned_data["version"] or 0,
            refuse=form.cleaned_data["refuse"],
        )
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Setting saved.")
    return redirect("workforce:requirements")


def advisor_ask(request: HttpRequest, staff_id: int) -> HttpResponse:
    """'Ask the advisor': the rule-based plan with a generated answer beside it (not stored)."""
    actor = request_actor(request)
    staff = selectors.staff_get(actor=actor, staff_id=staff_id)
    if response := post_only(request):
        return response
    if not ask.enabled():
        messages.error(request, "Ask the advisor is not set up in this organisation.")
        return redirect("workforce:advisor", staff_id=staff.pk)
    plan = selectors.advice_get(actor=actor, staff=staff)
    form = AskForm(request.POST)
    context: dict[str, Any] = {
        "plan": plan,
        "staff": staff,
        "own": staff.pk == actor.pk,
        "ask_form": form,
        "ask_enabled": True,
    }
    status = 200
    if not form.is_valid():
        status = 400
    else:
        try:
            answer = ask.ask(plan, form.cleaned_data["question"])
        except ask.AdvisorUnavailable as error:
            context["ask_error"] = str(error)
            status = 502
        else:
            context["answer"] = answer
            audit_record(
                actor=actor,
                action="workforce.advisor_asked",
                target=staff,
                detail={"endpoint": answer.endpoint_host, "model": answer.model},
            )
    return render(request, "workforce/advisor.html", context, status=status)
