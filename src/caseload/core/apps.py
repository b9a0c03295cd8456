from django.apps import AppConfig
from django.core import checks
from django.core.signals import got_request_exception
from django.db.models.signals import post_migrate

from caseload.core.checks import data_dir_check, holidays_check
from caseload.core.jobs import sync_schedules
from caseload.core.logs import remember_exception


class CoreConfig(AppConfig):
    name = "caseload.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register(data_dir_check, "caseload", deploy=True)
        checks.register(holidays_check, "caseload")
        got_request_exception.connect(remember_exception, dispatch_uid="caseload.core.logs")
        # After every migrate: the scheduler's rows follow the periodic jobs apps register.
        post_migrate.connect(sync_schedules, sender=self, dispatch_uid="caseload.core.jobs")
