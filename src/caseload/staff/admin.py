"""Administration for IT/operations: staff accounts and programs only, never client records."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from caseload.enrolments.models import Program
from caseload.staff.models import User


def _administrators_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "is_administrator", False))


admin.site.has_permission = _administrators_only  # type: ignore[method-assign]
admin.site.site_header = "Caseload administration"
admin.site.site_title = "Caseload administration"


@admin.register(User)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = (
        "username",
        "first_name",
        "last_name",
        "career_level",
        "supervisor",
        "is_active",
    )
    list_filter = ("career_level", "is_administrator", "is_active", "programs")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (
            "Care management",
            {
                "fields": (
                    "career_level",
                    "is_administrator",
                    "supervisor",
                    "programs",
                    "caseload_cap_override",
                    "job_title",
                    "phone",
                    "languages",
                )
            },
        ),
    )
    filter_horizontal = ("programs", "groups", "user_permissions")


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "kind", "is_active")
    prepopulated_fields = {"code": ("name",)}
