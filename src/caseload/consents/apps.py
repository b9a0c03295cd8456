from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "caseload.consents"
    label = "consents"
    default_auto_field = "django.db.models.BigAutoField"
