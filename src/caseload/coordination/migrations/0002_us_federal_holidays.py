"""Seed the business-day calendar with US federal holidays (observed dates) for 2026 and 2027.

Administrators add, change or remove holidays afterwards (Django admin → Holidays).
"""

import datetime as dt
import uuid

from django.db import migrations

US_FEDERAL_HOLIDAYS = [
    ("2026-01-01", "New Year's Day"),
    ("2026-01-19", "Birthday of Martin Luther King, Jr."),
    ("2026-02-16", "Washington's Birthday"),
    ("2026-05-25", "Memorial Day"),
    ("2026-06-19", "Juneteenth National Independence Day"),
    ("2026-07-03", "Independence Day (observed)"),
    ("2026-09-07", "Labor Day"),
    ("2026-10-12", "Columbus Day"),
    ("2026-11-11", "Veterans Day"),
    ("2026-11-26", "Thanksgiving Day"),
    ("2026-12-25", "Christmas Day"),
    ("2027-01-01", "New Year's Day"),
    ("2027-01-18", "Birthday of Martin Luther King, Jr."),
    ("2027-02-15", "Washington's Birthday"),
    ("2027-05-31", "Memorial Day"),
    ("2027-06-18", "Juneteenth National Independence Day (observed)"),
    ("2027-07-05", "Independence Day (observed)"),
    ("2027-09-06", "Labor Day"),
    ("2027-10-11", "Columbus Day"),
    ("2027-11-11", "Veterans Day"),
    ("2027-11-25", "Thanksgiving Day"),
    ("2027-12-24", "Christmas Day (observed)"),
    ("2027-12-31", "New Year's Day 2028 (observed)"),
]


def seed(apps, schema_editor):
    Holiday = apps.get_model("coordination", "Holiday")
    for day, name in US_FEDERAL_HOLIDAYS:
        Holiday.objects.get_or_create(
            date=dt.date.fromisoformat(day), defaults={"id": uuid.uuid4(), "name": name}
        )


def unseed(apps, schema_editor):
    Holiday = apps.get_model("coordination", "Holiday")
    Holiday.objects.filter(
        date__in=[dt.date.fromisoformat(day) for day, _ in US_FEDERAL_HOLIDAYS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
