"""coordination's models moved to directory, referrals, appointments and transitions: removed
from coordination's migration state only. Their tables and rows are left where they are; each
new app's first migration takes its models into its own state and renames their tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("coordination", "0004_holiday_moved_to_core")]

    operations = [
        migrations.SeparateDatabaseAndState(
            # Models that point at others go first, so the state stays consistent at each step.
            state_operations=[
                migrations.DeleteModel(name="TransitionalClock"),
                migrations.DeleteModel(name="TransitionalCareEpisode"),
                migrations.DeleteModel(name="CalendarFeed"),
                migrations.DeleteModel(name="Appointment"),
                migrations.DeleteModel(name="ReferralEvent"),
                migrations.DeleteModel(name="Referral"),
                migrations.DeleteModel(name="DirectoryImport"),
                migrations.DeleteModel(name="Service"),
                migrations.DeleteModel(name="ServiceOrganisation"),
            ],
            database_operations=[],
        )
    ]
