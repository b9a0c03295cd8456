"""The Django admin site: who may enter is decided in ``access.policies``, and every ModelAdmin
registered on it (ours and third-party ones) gets ``audit.admin.AuditedAdminMixin``.

It is Django's default site (``config/admin.py``), so ``@admin.register`` uses it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from caseload.access import policies
from caseload.audit.admin import AuditedAdminMixin


class CaseloadAdminSite(admin.AdminSite):
    site_header = "Caseload administration"
    site_title = "Caseload administration"

    def has_permission(self, request: HttpRequest) -> bool:
        """Administrators (accounts, directory, settings) and directors (staff privileges)."""
        return policies.can_use_admin(request.user)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
