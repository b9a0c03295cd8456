from django.apps import AppConfig


class ProgramrulesConfig(AppConfig):
    name = "caseload.programrules"
    label = "programrules"
    verbose_name = "Program rules and time"

    def ready(self) -> None:
        from caseload.exports.kinds import register
        from caseload.programrules.billing_exports import BILLING

        register(BILLING)
