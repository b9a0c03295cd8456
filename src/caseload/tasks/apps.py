from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "caseload.tasks"
    label = "tasks"
    default_auto_field = "django.db.models.BigAutoField"
