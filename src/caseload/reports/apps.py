from django.apps import AppConfig

from caseload.core.jobs import register_periodic


class ReportsConfig(AppConfig):
    name = "caseload.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register_periodic(
            "month marks",
            "caseload.reports.jobs.month_marks_fold",
            minutes=24 * 60,
            description=(
                "Fold the marks the database writes for late changes to closed months into one "
                "row per table and month (the month report's kept totals stay valid)."
            ),
        )
        register_periodic(
            "month totals",
            "caseload.reports.jobs.month_totals_keep",
            minutes=24 * 60,
            description=(
                "Compute and keep the latest closed month's report figures for the organisation, "
                "each program and each senior's programs, so the first report of the month "
                "after it closes reads them."
            ),
        )
