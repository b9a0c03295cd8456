"""The access matrix, generated from the URL configuration.

Every named URL pattern × every role × a client record on the role's side of the scope line
(``own``) and one beyond it (``other``). A new page is in the matrix the moment it is routed: if
this file cannot fill one of its URL parameters, the test for that page fails and says so.

Expectations (SPEC §1): a record outside the actor's scope is *not found* (404) for GET and POST
alike; inside the scope the page answers without a 404 or a server error; anonymous visitors are
sent to sign in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from caseload.access.models import BreakGlassGrant
from caseload.appointments import services as appointment_services
from caseload.assessments.models import AssessmentResponse
from caseload.careplans.models import CarePlanVersion
from caseload.consents.models import Consent
from caseload.directory.models import DirectoryImport, Service, ServiceOrganisation
from caseload.exports.models import Export
from caseload.programrules.models import ChronicCondition, TimeEntry
from caseload.referrals import services as referral_services
from caseload.team.models import ReassignmentBatch
from caseload.transitions import services as transition_services
from tests import factories
from tests.referrals.conftest import give_provider_consent

PUBLIC = {"healthz", "login", "appointments:calendar_feed", "career"}
# Pages that a role can reach only with a further right than seeing the client: answered 404
# (the record's existence is not hidden, the page is) — listed so each is a decision, not a gap.
VISIBLE_BUT_NOT_FOR = {
    # The access history is for supervisors, seniors and directors, not the care manager.
    "clients:access_history": {"junior", "other_cm"},
}
ROLES = (
    "junior",
    "supervisor",
    "senior",
    "senior_other",
    "director",
    "other_cm",
    "admin",
    "privacy",
)
# Who sees the junior's client (geriatric program) and who sees the other care manager's client.
SEES = {
    "own": {"junior", "supervisor", "senior", "director"},
    "other": {"other_cm", "senior_other", "director"},
}
# Pages whose audience is set by role rather than by caseload scope.
AUDIENCE = {
    "audit:client_report": {"own": {"director", "privacy"}, "other": {"director", "privacy"}},
    # A break-the-glass access by the junior (own) or by the other care manager (other), reviewed
    # by the user's supervisor, directors and the privacy officer.
    # An uploaded directory file's import page: administrators' (to anyone else, not found).
    "directory:directory_import_status": {"own": {"admin"}, "other": {"admin"}},
    "access:review": {
        "own": {"supervisor", "director", "privacy"},
        "other": {"director", "privacy"},
    },
    # A bulk reassignment's progress page: the senior who confirmed it (own: the junior's
    # program's senior; other: the other program's) and directors.
    "team:batch": {"own": {"senior", "director"}, "other": {"senior_other", "director"}},
}
# An export: the member of staff who asked for it (the junior, or the other care manager).
AUDIENCE["exports:detail"] = AUDIENCE["exports:download"] = {
    "own": {"junior"},
    "other": {"other_cm"},
}
# A program's credential requirements are the directors' to change.
AUDIENCE["workforce:requirement_remove"] = {"own": {"director"}, "other": {"director"}}
# A staff member's professional profile (the junior's, or the other care manager's): their own,
# their direct supervisor's and the directors'; never the privacy officer's or administrator's.
WORKFORCE_AUDIENCE = {
    "own": {"junior", "supervisor", "director"},
    "other": {"other_cm", "director"},
}
AUDIENCE.update(
    dict.fromkeys(
        (
            "workforce:profile",
            "workforce:advisor",
            "workforce:advisor_ask",
            "workforce:reviews",
            "workforce:review_new",
            "workforce:advisor_pdf",
            "workforce:work_pattern",
            "workforce:entry_new",
            "workforce:entry_edit",
            "workforce:entry_verify",
            "workforce:entry_remove",
            "workforce:ce_certificate",
        ),
        WORKFORCE_AUDIENCE,
    )
)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            found += _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append((name, prefix + str(entry.pattern)))
    return found


ALL_ROUTES = sorted(set(_walk(get_resolver().url_patterns)))
# The JSON API answers 405 before any lookup (django-ninja routes by method); its own tests
# (tests/assessments/test_api.py) check scope and audit for every endpoint.
APP_ROUTES = [(n, p) for n, p in ALL_ROUTES if not n.startswith(("admin:", "api:"))]


@dataclass
class Graph:
    """Every kind of record a URL can name, all about one client."""

    ids: dict[str, Any]


def _coordination_ids(client: Any, owner: Any) -> dict[str, Any]:
    """A referral, an appointment and a transitional-care episode for ``client`` (on ``owner``'s
    caseload) and a calendar feed for ``owner``: the URL parameters of their pages."""
    organisation, _ = ServiceOrganisation.objects.get_or_create(name="Matrix Community Services")
    service, _ = Service.objects.get_or_create(
        organisation=organisation, name="Matrix meals", defaults={"service_type": "meals"}
    )
    enrolment = client.enrolments.first()
    give_provider_consent(client, owner, organisation.name)
    referral = referral_services.referral_create(
        actor=owner,
        client=client,
        enrolment=enrolment,
        service=service,
        reason="Needs meals",
        urgency="routine",
        shared_fields=["name", "reason"],
    )
    start = timezone.now() + dt.timedelta(days=2)
    appointment = appointment_services.appointment_create(
        actor=owner,
        client=client,
        purpose="Home visit",
        with_kind="staff",
        staff=owner,
        location_kind="in_person",
        location="At home",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        allow_double_booking=True,
    )
    episode = transition_services.discharge_record(
        actor=owner,
        client=client,
        enrolment=enrolment,
        discharged_on=timezone.localdate(),
        discharged_from="hospital",
        facility_name="General Hospital",
        complexity="high",
    )
    _, token = appointment_services.calendar_feed_create(actor=owner)
    return {
        "referral_id": referral.pk,
        "appointment_id": appointment.pk,
        "episode_id": episode.pk,
        "token": token,
    }


def _workforce_ids(owner: Any) -> dict[str, Any]:
    """A CE activity with its certificate on ``owner``'s professional profile."""
    from django.core.files.base import ContentFile

    from caseload.workforce.models import CERecord, ProgramCredential

    entry = CERecord(
        staff=owner,
        activity="Ethics in care management",
        completed_on=timezone.localdate(),
        hours=2,
        ethics_hours=2,
        certificate_name="ethics.pdf",
        certificate_type="application/pdf",
    )
    entry.certificate.save("certificate", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    entry.save()
    program = owner.managed_enrolments.first().program
    requirement, _ = ProgramCredential.objects.get_or_create(
        program=program, code="CCM", defaults={"added_by": owner}
    )
    return {
        "staff_id": owner.pk,
        "section": "ce",
        "entry_id": entry.pk,
        "requirement_id": requirement.pk,
    }


def _graph(org: Any, side: str) -> Graph:
    client = org.junior_client if side == "own" else org.other_client
    owner = org.junior if side == "own" else org.other_cm
    enrolment = client.enrolments.get()
    plan = factories.CarePlanFactory(enrolment=enrolment, author=owner)
    problem = factories.ProblemFactory(careplan=plan)
    goal = factories.GoalFactory(problem=problem, careplan=plan)
    intervention = factories.InterventionFactory(goal=goal, careplan=plan)
    CarePlanVersion.objects.create(
        careplan=plan, number=1, snapshot={"title": plan.title}, reason="First plan", author=owner
    )
    plan.published_number = 1
    plan.save(update_fields=["published_number"])
    person = factories.RelatedPersonFactory(client=client)
    flag = factories.FlagFactory(client=client, raised_by=owner)
    member = factories.CareTeamMemberFactory(enrolment=enrolment, added_by=owner)
    note = factories.ProgressNoteFactory(
        client=client, author=owner, contact_at=timezone.now() - dt.timedelta(hours=1)
    )
    task = factories.TaskFactory(client=client, owner=owner, created_by=owner)
    consent = Consent.objects.create(
        client=client,
        kind="program",
        program=enrolment.program,
        method="verbal",
        given_on=timezone.localdate(),
        recorded_by=owner,
    )
    grant = BreakGlassGrant.objects.create(
        user=owner,
        client=client,
        reason="On call: client in crisis at night",
        expires_at=timezone.now() - dt.timedelta(hours=1),
    )
    ids = _coordination_ids(client, owner) | _workforce_ids(owner)
    ids["response_id"] = AssessmentResponse.objects.create(
        client=client,
        enrolment=enrolment,
        instrument_code="katz",
        started_by=owner,
        answers={},
    ).pk
    ids["program_id"] = enrolment.program_id
    ids["time_entry_id"] = TimeEntry.objects.create(
        client=client,
        source="timer",
        program="CCM",
        activity="coordination",
        performed_by=owner,
        staff_type="clinical_staff",
        performed_at=timezone.now() - dt.timedelta(hours=2),
        month=timezone.localdate().replace(day=1),
        minutes=12,
    ).pk
    ids["condition_id"] = ChronicCondition.objects.create(
        client=client, name="Heart failure", noted_on=timezone.localdate(), recorded_by=owner
    ).pk
    ids["import_id"] = DirectoryImport.objects.create(
        uploaded_by=org.admin, filename="services.csv", content="organisation,service,type\n"
    ).pk
    # An export the client's care manager asked for (their program's registry): theirs alone.
    ids["export_id"] = Export.objects.create(
        requested_by=owner,
        kind="assessments.registry",
        filters={"program": str(enrolment.program_id), "sort": "attention"},
        expires_at=timezone.now() + dt.timedelta(hours=1),
        download_name="registry.csv",
    ).pk
    ids["batch_id"] = ReassignmentBatch.objects.create(
        actor=org.senior if side == "own" else org.senior_other,
        reason="Leaving",
        moves=[{"enrolment": str(enrolment.pk), "version": enrolment.version, "to": owner.pk}],
        total=1,
    ).pk
    return Graph(
        ids=ids
        | {
            "client_id": client.pk,
            "enrolment_id": enrolment.pk,
            "plan_id": plan.pk,
            "problem_id": problem.pk,
            "goal_id": goal.pk,
            "intervention_id": intervention.pk,
            "number": 1,
            "person_id": person.pk,
            "flag_id": flag.pk,
            "member_id": member.pk,
            "note_id": note.pk,
            "task_id": task.pk,
            "grant_id": grant.pk,
            "consent_id": consent.pk,
        }
    )


def _kwargs_of(pattern: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", pattern)


def _request(http: HttpClient, method: str, url: str) -> int:
    response = http.get(url) if method == "GET" else http.post(url, {})
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), APP_ROUTES, ids=[n for n, _ in APP_ROUTES])
def test_every_url_answers_each_role_by_scope(org: Any, name: str, pattern: str) -> None:
    names = _kwargs_of(pattern)
    graphs = {"own": _graph(org, "own"), "other": _graph(org, "other")} if names else {}
    unknown = [n for n in names if n not in (graphs["own"].ids if graphs else {})]
    assert not unknown, f"{name}: teach the access matrix the URL parameter(s) {unknown}"

    failures: list[str] = []
    users = org.users()
    sides = list(graphs.items()) if names else [("none", None)]
    for side, graph in sides:
        sees = AUDIENCE.get(name, SEES).get(side, set())
        url = reverse(name, kwargs={n: graph.ids[n] for n in names} if graph else None)
        anonymous = HttpClient()
        for method in ("GET", "POST"):
            status = _request(anonymous, method, url)
            if name in PUBLIC:
                if status >= 500:
                    failures.append(f"anonymous {method} {url}: {status}")
            elif status != 302:
                failures.append(f"anonymous {method} {url}: {status}, expected 302 to sign in")
        if name in PUBLIC:
            continue  # reached by its secret token, not by role or scope
        for role in ROLES:
            http = HttpClient()
            http.force_login(users[role])
            for method in ("GET", "POST"):
                status = _request(http, method, url)
                if status >= 500:
                    failures.append(f"{role} {method} {url} ({side}): server error {status}")
                # 405 for a method the route never takes reveals nothing about the record.
                elif graph is not None and role not in sees and status not in (404, 405):
                    failures.append(f"{role} {method} {url} ({side}): {status}, expected 404")
                elif (
                    graph is not None
                    and role in sees
                    and status == 404
                    and role not in VISIBLE_BUT_NOT_FOR.get(name, set())
                ):
                    failures.append(f"{role} {method} {url} ({side}): 404 inside scope")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_site_is_for_administrators_and_directors_only(org: Any) -> None:
    url = reverse("admin:index")
    for role in ROLES:
        http = HttpClient()
        http.force_login(org.users()[role])
        status = http.get(url).status_code
        assert status == (200 if role in ("admin", "director") else 302), role


@pytest.mark.django_db
def test_admin_site_offers_no_client_records() -> None:
    from django.contrib import admin

    labels = {model._meta.app_label for model in admin.site._registry}
    assert labels.isdisjoint({"clients", "careplans", "notes", "tasks", "audit"})


@pytest.mark.django_db
def test_every_client_record_page_writes_an_audit_event(org: Any) -> None:
    """GET of any page about a client's records leaves an audit event naming that client."""
    from caseload.audit.models import AuditEvent

    graph = _graph(org, "own")
    http = HttpClient()
    http.force_login(org.supervisor)
    checked, missing = [], []
    for name, pattern in APP_ROUTES:
        names = _kwargs_of(pattern)
        if not names or name.startswith("workforce:"):  # staff members' records, not clients'
            continue
        url = reverse(name, kwargs={n: graph.ids[n] for n in names})
        before = AuditEvent.objects.count()
        response = http.get(url)
        if response.status_code != 200:
            continue
        checked.append(name)
        new = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
        if not any(e.client_id == graph.ids["client_id"] for e in new):
            missing.append(name)
    assert checked, "no client-record page answered 200"
    assert not missing, f"pages that showed a client record without an audit event: {missing}"
