from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "caseload.assessments"
    label = "assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from caseload.assessments.registry_exports import REGISTRY
        from caseload.exports.kinds import register

        register(REGISTRY)
