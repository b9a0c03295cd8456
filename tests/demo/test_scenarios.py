"""The demo is true to SCENARIOS.md (issue 10, item 8): each situation's records are there and
came from where the scenario says — Daniela Ortiz's safety flag from her PHQ-9, Mrs. Baptiste's
meals referral from her HRSN screen, and Kim's 2 a.m. break-the-glass access at 2 a.m., with
what she looked at under it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.access.models import BreakGlassGrant
from caseload.access.selectors import break_glass_queue
from caseload.assessments.models import AssessmentResponse
from caseload.audit import chain
from caseload.audit.models import AuditEvent
from caseload.clients.models import Flag, FlagKind
from caseload.core import business_days, clock
from caseload.referrals.models import Referral
from caseload.staff.models import User
from caseload.tasks.models import Priority, Task, TaskStatus
from tests.demo.test_seed_demo import client_named

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("seeded"),
    pytest.mark.xdist_group("demo"),
]


# --- Tuesday 9:00: Aisha, Daniela Ortiz's PHQ-9 --------------------------------------------------


def test_ortizs_safety_flag_and_urgent_task_come_from_todays_phq9():
    ortiz = client_named("Ortiz")
    phq9 = AssessmentResponse.objects.get(
        client=ortiz, instrument_code="phq9", assessed_on=clock.today()
    )
    assert phq9.is_completed
    assert phq9.total == 17
    assert phq9.answers["q9"] == "LA6569-3"  # item 9: "several days" (1)
    assert phq9.completed_by.username == "aisha"
    made = {action["kind"]: action for action in phq9.actions}
    flag = Flag.objects.get(client=ortiz, kind=FlagKind.SAFETY, is_active=True)
    task = Task.objects.get(client=ortiz, priority=Priority.URGENT)
    assert made["flag"]["id"] == str(flag.pk)
    assert made["task"]["id"] == str(task.pk)
    assert flag.description.startswith("PHQ-9 on ")
    assert flag.raised_by.username == "aisha"
    assert (task.owner.username, task.due_on, task.status) == ("aisha", clock.today(), "open")
    assert task.title.startswith("Safety follow-up today: PHQ-9")
    # One flag and one same-day task: nothing written beside the rule's.
    assert Flag.objects.filter(client=ortiz, kind=FlagKind.SAFETY, is_active=True).count() == 1
    assert Task.objects.filter(client=ortiz, priority=Priority.URGENT).count() == 1


# --- any day: Kim, Mrs. Baptiste's meals referral ------------------------------------------------


def test_baptistes_meals_referral_comes_from_her_hrsn_screen():
    baptiste = client_named("Baptiste")
    referral = Referral.objects.get(client=baptiste, service__name="Home-delivered meals")
    screen = AssessmentResponse.objects.get(client=baptiste, instrument_code="hrsn")
    assert screen.is_completed
    assert screen.completed_by.username == "kim"
    assert screen.domains["food"] is True  # food insecurity, and no other need
    assert not any(positive for domain, positive in screen.domains.items() if domain != "food")
    assert screen.assessed_on < referral.sent_on
    assert referral.created_by.username == "kim"
    assert referral.status == "sent"
    assert "HRSN screen" in referral.reason
    assert (
        referral.goal is not None and referral.goal.description == "Eats two balanced meals a day"
    )
    sent_on = clock.today()
    for _ in range(5):
        sent_on = business_days.business_day_before(sent_on)
    assert referral.sent_on == sent_on
    suggestion = Task.objects.get(client=baptiste, title__startswith="Suggested referral: Food")
    assert suggestion.status == TaskStatus.DONE
    assert referral.service.organisation.name in suggestion.outcome_note
    assert referral.followup_task is not None and referral.followup_task.status == TaskStatus.OPEN


def test_every_referral_that_names_an_hrsn_screen_has_the_screen_before_it():
    named = list(Referral.objects.filter(reason__icontains="HRSN screen"))
    assert named
    for referral in named:
        screen = AssessmentResponse.objects.filter(
            client=referral.client, instrument_code="hrsn", status="completed"
        ).first()
        assert screen is not None, referral.client
        assert screen.assessed_on <= (referral.sent_on or clock.today())


# --- quarterly: Li, Kim's 2 a.m. break-the-glass access ------------------------------------------


def test_kims_break_the_glass_access_happened_at_2_am_and_its_views_are_shown():
    grant = BreakGlassGrant.objects.select_related("user", "client").get(user__username="kim")
    opened = timezone.localtime(grant.created_at)
    assert opened.hour == 2
    assert opened.date() == clock.today() - dt.timedelta(days=3)
    assert grant.expires_at == grant.created_at + dt.timedelta(hours=4)
    event = AuditEvent.objects.get(action="client.break_glass", actor=grant.user)
    assert event.occurred_at == grant.created_at
    assert event.detail["reason"] == grant.reason
    li = User.objects.get(username="li")
    (review,) = [item for item in break_glass_queue(actor=li) if item.grant.pk == grant.pk]
    seen = [(e.action, timezone.localtime(e.occurred_at).hour) for e in review.events]
    assert ("client.viewed", 2) in seen
    assert ("careplan.viewed", 2) in seen


def test_the_access_report_shows_the_2_am_access_and_the_chain_verifies(client):
    grant = BreakGlassGrant.objects.select_related("client").get(user__username="kim")
    client.force_login(User.objects.get(username="li"))
    session = client.session
    session["signed_in_at"] = session["last_seen"] = clock.now().timestamp()
    session.save()
    page = client.get(reverse("audit:client_report", kwargs={"client_id": grant.client_id}))
    assert page.status_code == 200
    html = page.content.decode()
    assert escape(grant.reason) in html
    assert f"{timezone.localtime(grant.created_at):%H:%M}" in html
    assert chain.verify().ok
