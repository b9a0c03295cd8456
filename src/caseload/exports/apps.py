from django.apps import AppConfig

from caseload.core.jobs import register_periodic


class ExportsConfig(AppConfig):
    name = "caseload.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        register_periodic(
            "expired exports",
            "caseload.exports.jobs.exports_expire",
            minutes=60,
            description=(
                "Delete export files past their expiry (CASELOAD_EXPORT_TTL_HOURS after they "
                "were written)."
            ),
        )
