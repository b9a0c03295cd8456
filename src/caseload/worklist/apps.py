from django.apps import AppConfig


class WorklistConfig(AppConfig):
    name = "caseload.worklist"
    label = "worklist"
    default_auto_field = "django.db.models.BigAutoField"
