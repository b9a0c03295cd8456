from django.apps import AppConfig

from caseload.core.jobs import register_periodic


class StaffConfig(AppConfig):
    name = "caseload.staff"
    label = "staff"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register_periodic(
            "expired sessions",
            "caseload.staff.jobs.clear_expired_sessions",
            minutes=24 * 60,
            description="Delete sessions past their expiry (Django's clearsessions).",
        )
