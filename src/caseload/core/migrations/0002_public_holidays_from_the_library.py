"""The US federal holidays of 2026 and 2027 that coordination's migration 0002 wrote into the
Holiday table now come from the holidays library (CASELOAD_HOLIDAYS_COUNTRY, for every year), so
the rows are removed: the table keeps the organisation's own closure days. Only rows still
exactly as seeded (date and name) go; a row an administrator renamed or added stays.

This also lets a backup restore into a freshly migrated database: the seeded rows (new ids at
every migrate) no longer collide with the backup's own rows on the unique date."""

import importlib

from django.db import migrations


def remove_seeded(apps, schema_editor):
    seeded = importlib.import_module(
        "caseload.coordination.migrations.0002_us_federal_holidays"
    ).US_FEDERAL_HOLIDAYS
    Holiday = apps.get_model("core", "Holiday")
    for day, name in seeded:
        Holiday.objects.filter(date=day, name=name).delete()


def restore_seeded(apps, schema_editor):
    seeded = importlib.import_module(
        "caseload.coordination.migrations.0002_us_federal_holidays"
    ).US_FEDERAL_HOLIDAYS
    Holiday = apps.get_model("core", "Holiday")
    for day, name in seeded:
        Holiday.objects.get_or_create(date=day, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_holiday")]

    operations = [migrations.RunPython(remove_seeded, restore_seeded)]
