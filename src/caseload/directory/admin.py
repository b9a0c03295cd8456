"""Administration of the service directory and the business-day calendar (administrators only).

core's Holiday is registered here, with the directory: core imports no other app, and these
are the reference data administrators keep. Each change is audited once, by the admin site
(``audit.admin.AuditedAdminMixin``: ``admin.added`` / ``admin.changed`` with the fields changed,
inline services included). Client records (referrals, appointments, episodes) are deliberately
not registered anywhere in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from caseload.access.policies import is_administrator
from caseload.core.models import Holiday
from caseload.directory.models import Service, ServiceOrganisation


class CheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete, which looks the submitted value up to draw the form again: a
    malformed id (not a UUID) is dropped rather than raising in the template (a 500); the
    form's own validation says "Select a valid choice"."""

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        target = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)

        def readable(item: Any) -> bool:
            try:
                target.to_python(item)
            except ValidationError:
                return False
            return True

        return super().optgroups(name, [v for v in value if readable(v)], attr)


class AdministratorsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Administrators maintain these without per-model Django permissions. Autocomplete fields
    survive a malformed id (``CheckedAutocompleteSelect``)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
class ServiceOrganisationAdmin(AdministratorsAdmin):
    list_display = ("name", "phone", "website", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "description")
    inlines = (ServiceInline,)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # referrals point at services: make them inactive instead


@admin.register(Service)
class ServiceAdmin(AdministratorsAdmin):
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
class HolidayAdmin(AdministratorsAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"
    search_fields = ("name",)
