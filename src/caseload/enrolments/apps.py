from django.apps import AppConfig


class EnrolmentsConfig(AppConfig):
    name = "caseload.enrolments"
    label = "enrolments"
    default_auto_field = "django.db.models.BigAutoField"
