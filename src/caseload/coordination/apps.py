"""coordination: split in 2026 into directory, referrals, appointments and transitions (and the
holiday calendar into core). It keeps only its migrations: every existing database's history
names them, and the new apps' first migrations take their models over from them (state only,
then a table rename). Keep it installed; a future squash can retire it."""

from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "caseload.coordination"
    label = "coordination"
    default_auto_field = "django.db.models.BigAutoField"
