"""Django's admin app with Caseload's site as the default one (in INSTALLED_APPS)."""

from django.contrib.admin.apps import AdminConfig


class CaseloadAdminConfig(AdminConfig):
    default_site = "caseload.access.admin_site.CaseloadAdminSite"
