from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "caseload.access"
    label = "access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from caseload.access.audit_exports import AUDIT_SEARCH
        from caseload.exports.kinds import register

        register(AUDIT_SEARCH)
