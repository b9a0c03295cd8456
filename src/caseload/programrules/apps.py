from django.apps import AppConfig


class ProgramrulesConfig(AppConfig):
    name = "caseload.programrules"
    label = "programrules"
    verbose_name = "Program rules and time"
