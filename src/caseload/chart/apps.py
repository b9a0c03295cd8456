from django.apps import AppConfig


class ChartConfig(AppConfig):
    name = "caseload.chart"
    label = "chart"
    default_auto_field = "django.db.models.BigAutoField"
