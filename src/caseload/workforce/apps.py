from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "caseload.workforce"
    verbose_name = "Workforce: credentials, continuing education and the career ladder"

    def ready(self) -> None:
        from caseload.access import policies
        from caseload.workforce.compliance import credential_concerns

        if credential_concerns not in policies.ASSIGNMENT_CHECKS:
            policies.ASSIGNMENT_CHECKS.append(credential_concerns)
