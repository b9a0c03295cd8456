"""Administration of programs (administrators only; every change is audited by the site)."""

from __future__ import annotations

from django.contrib import admin

from caseload.enrolments.models import Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "kind", "is_active")
    prepopulated_fields = {"code": ("name",)}
