from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "caseload.workforce"
    verbose_name = "Workforce: credentials, continuing education and the career ladder"
