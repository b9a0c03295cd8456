"""Rosa hands Tomás's caseload on across four care managers with the preview; Daniel opens his
team; Grace opens the month report, follows a figure to its clients and downloads the CSV and
the PDF. Every page is axe-checked and photographed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from caseload.core import clock
from caseload.enrolments.models import Enrolment
from caseload.staff.models import CareerLevel
from caseload.tasks.models import Task
from caseload.team.services import INTRO_TITLE
from tests import factories
from tests.browser_support import sign_in, snap

pytestmark = pytest.mark.django_db(transaction=True)


def _organisation() -> dict[str, Any]:
    chronic = factories.ProgramFactory(
        code="chronic", name="Chronic disease management", kind="chronic_disease"
    )
    grace = factories.UserFactory(
        username="grace", first_name="Grace", last_name="Adeyemi", career_level="director"
    )
    rosa = factories.UserFactory(
        username="rosa", first_name="Rosa", last_name="Delgado", career_level="senior"
    )
    rosa.programs.add(chronic)
    people = {"grace": grace, "rosa": rosa}
    for username, first, last, level, languages, cap in (
        ("daniel", "Daniel", "Mensah", CareerLevel.CARE_MANAGER, "Twi", 8),
        ("tomas", "Tomás", "Herrera", CareerLevel.JUNIOR, "Spanish", None),
        ("ana", "Ana", "Lopez", CareerLevel.CARE_MANAGER, "Spanish, Tagalog", 10),
        ("ben", "Ben", "Okoro", CareerLevel.CARE_MANAGER, "", 10),
        ("chloe", "Chloe", "Tran", CareerLevel.JUNIOR, "Vietnamese", 6),
    ):
        person = factories.UserFactory(
            username=username,
            first_name=first,
            last_name=last,
            career_level=level,
            languages=languages,
            caseload_cap_override=cap,
            supervisor=rosa,
        )
        person.programs.add(chronic)
        people[username] = person
    people["tomas"].supervisor = people["daniel"]
    people["tomas"].save()
    last_month = clock.today().replace(day=1) - dt.timedelta(days=20)
    languages = (
        ["Spanish"] * 5 + ["Tagalog"] * 3 + ["Vietnamese", "Haitian Creole"] + ["English"] * 6
    )
    for n, language in enumerate(languages):
        household = "12 Elm Street" if n in (0, 1) else ""
        client = factories.ClientFactory(
            given_name=f"Client{n}",
            family_name=f"Family{n:02d}",
            preferred_language=language,
            address_line=household,
            postal_code="02124" if household else "",
            city="Dorchester",
        )
        enrolment = factories.EnrolmentFactory(
            client=client,
            program=chronic,
            care_manager=people["tomas"],
            started_on=last_month - dt.timedelta(days=30 * (n % 3)),
        )
        factories.TaskFactory(client=client, enrolment=enrolment, owner=people["tomas"])
        factories.ProgressNoteFactory(
            client=client,
            enrolment=enrolment,
            author=people["tomas"],
            status="signed",
            contact_at=timezone.make_aware(dt.datetime.combine(last_month, dt.time(10))),
        )
    for username, count in (("daniel", 5), ("ana", 4), ("ben", 6), ("chloe", 2)):
        for _ in range(count):
            factories.EnrolmentFactory(program=chronic, care_manager=people[username])
    return people


def test_rosa_reassigns_tomass_caseload_and_grace_reads_the_month(page: Any, tmp_path: Any) -> None:
    people = _organisation()

    sign_in(page, "rosa", factories.PASSWORD)
    page.wait_for_url(re.compile(r"/reports/month/"))  # a senior lands on her program's month
    snap(page, "team-01-rosa-home-month-report")

    page.get_by_role("link", name="Reassign clients").first.click()
    page.get_by_label("Care manager").select_option(label="Tomás Herrera (16 open)")
    page.get_by_role("button", name="Show clients").click()
    snap(page, "team-02-choose-clients")
    for name in ("Daniel Mensah", "Ana Lopez", "Ben Okoro", "Chloe Tran"):
        page.get_by_label(re.compile(f"^{name} —")).check()
    page.get_by_role("button", name="Preview the proposal").click()
    page.wait_for_url(re.compile(r"/team/reassign/preview/"))
    assert page.get_by_text("No receiver speaks Haitian Creole: Client9 Family09.").is_visible()
    snap(page, "team-03-preview")

    # Rosa changes one row and updates the totals; then confirms with a reason.
    page.get_by_label("New care manager for Client9 Family09").select_option(label="Ben Okoro")
    page.get_by_role("button", name="Update totals").click()
    page.get_by_label("Reason for the reassignment").fill("Tomás leaves the organisation on Friday")
    snap(page, "team-04-preview-changed")
    page.get_by_role("button", name=re.compile("^Confirm: move")).click()
    page.wait_for_url(re.compile(r"/team/reassign/batches/"))
    assert page.get_by_text(re.compile("Done: 16 clients")).is_visible()
    snap(page, "team-05-done")
    assert not Enrolment.objects.filter(care_manager=people["tomas"]).exists()
    assert Task.objects.filter(title=INTRO_TITLE).count() == 16
    assert not Task.objects.filter(owner=people["tomas"], status="open").exists()
    moved = Enrolment.objects.get(client__given_name="Client9")
    assert moved.care_manager == people["ben"]

    page.get_by_role("link", name="Team", exact=True).click()
    page.wait_for_url(re.compile(r"/team/$"))
    assert page.get_by_role("row", name=re.compile("^Ben Okoro")).is_visible()
    snap(page, "team-06-team-view")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "grace", factories.PASSWORD)
    page.wait_for_url(re.compile(r"/reports/month/"))
    snap(page, "team-07-grace-month-report")
    page.get_by_role("link", name="16").first.click()  # the month's active clients
    page.wait_for_url(re.compile(r"/reports/month/clients/"))
    assert page.get_by_role("link", name="Family00, Client0").is_visible()
    snap(page, "team-08-figure-clients")
    page.go_back()
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    csv_path = tmp_path / "report.csv"
    csv_download.value.save_as(csv_path)
    assert "Active clients" in csv_path.read_text(encoding="utf-8")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    pdf_path = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
