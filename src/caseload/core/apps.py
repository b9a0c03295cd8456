from django.apps import AppConfig
from django.core import checks
from django.core.signals import got_request_exception

from caseload.core.checks import data_dir_check
from caseload.core.logs import remember_exception


class CoreConfig(AppConfig):
    name = "caseload.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register(data_dir_check, "caseload", deploy=True)
        got_request_exception.connect(remember_exception, dispatch_uid="caseload.core.logs")
