"""Administration of the service directory and the business-day calendar (administrators only).

core's Holiday is registered here, with the directory: core imports no other app, and these
are the reference data administrators keep, each change audited. Client records (referrals,
appointments, episodes) are deliberately not registered anywhere in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from caseload.access.policies import is_administrator
from caseload.audit.services import audit_record
from caseload.core.http import request_actor
from caseload.core.models import Holiday
from caseload.directory.models import Service, ServiceOrganisation


def _audit(request: HttpRequest, obj: Any, action: str) -> None:
    audit_record(actor=request_actor(request), action=action, target=obj)


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Administrators maintain these without per-model Django permissions; every change is
    audited."""

    audit_name = ""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit(request, obj, f"{self.audit_name}.{'updated' if change else 'created'}")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _audit(request, obj, f"{self.audit_name}.deleted")
        super().delete_model(request, obj)


class ServiceInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Service
    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    fields = (
        "name",
        "service_type",
        "description",
        "eligibility",
        "languages",
        ("address_line", "city", "state", "postal_code"),
        ("phone", "email"),
        "hours",
        ("accepting_referrals", "is_active"),
    )


@admin.register(ServiceOrganisation)
class ServiceOrganisationAdmin(AuditedAdmin):
    audit_name = "directory.organisation"
    list_display = ("name", "phone", "website", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "description")
    inlines = (ServiceInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _audit(request, obj, "directory.service.created")
        for obj, _fields in formset.changed_objects:
            _audit(request, obj, "directory.service.updated")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # referrals point at services: make them inactive instead


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    audit_name = "directory.service"
    list_display = (
        "name",
        "organisation",
        "service_type",
        "languages",
        "accepting_referrals",
        "is_active",
    )
    list_filter = ("service_type", "accepting_referrals", "is_active")
    search_fields = (
        "name",
        "organisation__name",
        "description",
        "eligibility",
        "city",
        "postal_code",
        "languages",
    )
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # referrals point at services: make them inactive instead


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    audit_name = "calendar.holiday"
    list_display = ("date", "name")
    date_hierarchy = "date"
    search_fields = ("name",)
