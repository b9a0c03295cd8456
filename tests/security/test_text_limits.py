"""Free text has a maximum length in the model and in the form (docs/security.md, V5): a
megabyte of text is refused with a message next to the field, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from caseload.core import clock
from caseload.core.forms import CaseloadForm
from caseload.core.validators import NARRATIVE_TEXT, SHORT_TEXT
from caseload.notes.models import ProgressNote
from caseload.tasks.models import Task

MEGABYTE = "x" * 1_000_000


def test_every_text_field_of_every_model_has_a_maximum_length_the_model_checks() -> None:
    unlimited = []
    for model in apps.get_models():
        if not model.__module__.startswith("caseload."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.TextField, models.CharField)) and not any(
                isinstance(v, MaxLengthValidator) for v in field.validators
            ):
                unlimited.append(f"{model._meta.label}.{field.name}")
    assert not unlimited, f"text without a maximum length: {unlimited}"


def test_a_form_text_field_without_its_own_limit_gets_the_short_limit() -> None:
    from django import forms

    class Plain(CaseloadForm):
        comment = forms.CharField()

    form = Plain({"comment": "x" * (SHORT_TEXT + 1)})
    assert not form.is_valid()
    assert form.errors["comment"] == [f"Use {SHORT_TEXT} characters or fewer."]
    assert f'maxlength="{SHORT_TEXT}"' in str(form["comment"])


@pytest.mark.django_db
def test_a_megabyte_narrative_is_refused_with_a_message_and_nothing_is_saved(org, login) -> None:
    when = timezone.localtime(clock.now() - dt.timedelta(minutes=20))
    response = login(org.junior).post(
        reverse("notes:create", kwargs={"client_id": org.junior_client.pk}),
        {
            "contact_at": when.strftime("%Y-%m-%dT%H:%M"),
            "contact_type": "phone",
            "contact_with": "client",
            "reached": "yes",
            "minutes": "12",
            "narrative": MEGABYTE,
            "action": "draft",
        },
    )
    assert response.status_code == 400
    assert f"Use {NARRATIVE_TEXT} characters or fewer." in response.content.decode()
    assert not ProgressNote.objects.exists()


@pytest.mark.django_db
def test_a_megabyte_task_description_is_refused(org, login) -> None:
    response = login(org.junior).post(
        reverse("tasks:create", kwargs={"client_id": org.junior_client.pk}),
        {"title": "Call the pharmacy", "description": MEGABYTE, "owner": str(org.junior.pk)},
    )
    assert response.status_code == 400
    assert "characters or fewer" in response.content.decode()
    assert not Task.objects.filter(title="Call the pharmacy").exists()
