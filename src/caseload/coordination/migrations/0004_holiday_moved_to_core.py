"""Holiday moved to core (core.0001_holiday takes it over and renames its table): removed from
coordination's migration state only; the table and its rows are left to core."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("coordination", "0003_referral_consent_record")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Holiday")],
            database_operations=[],
        )
    ]
