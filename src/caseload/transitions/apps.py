from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "caseload.transitions"
    label = "transitions"
    default_auto_field = "django.db.models.BigAutoField"
