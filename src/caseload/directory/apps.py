from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "caseload.directory"
    label = "directory"
    default_auto_field = "django.db.models.BigAutoField"
