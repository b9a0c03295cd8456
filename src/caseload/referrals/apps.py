from django.apps import AppConfig

from caseload.core.jobs import register_periodic


class ReferralsConfig(AppConfig):
    name = "caseload.referrals"
    label = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register_periodic(
            "referral follow-ups",
            "caseload.referrals.jobs.referral_followups",
            minutes=15,
            description="A follow-up task for each referral whose response deadline passed.",
        )
