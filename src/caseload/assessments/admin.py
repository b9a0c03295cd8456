"""Administration: reassessment schedules per program and instrument (settings, not records)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from caseload.access import policies
from caseload.assessments import catalogue
from caseload.assessments.models import ReassessmentSchedule
from caseload.audit.admin import AuditedAdminMixin


class ReassessmentScheduleForm(forms.ModelForm):  # type: ignore[type-arg]
    instrument_code = forms.ChoiceField(label="Instrument", choices=())

    class Meta:
        model = ReassessmentSchedule
        fields = ("program", "instrument_code", "interval_days", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument_code"].choices = catalogue.choices()  # type: ignore[attr-defined]


@admin.register(ReassessmentSchedule)
class ReassessmentScheduleAdmin(AuditedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    form = ReassessmentScheduleForm
    list_display = ("program", "instrument", "interval_days", "every", "is_active")
    list_filter = ("program", "is_active")
    list_editable = ("interval_days", "is_active")
    ordering = ("program__name", "instrument_code")

    # Administrators maintain schedules without per-model Django permissions. Schedules are
    # switched off (is_active), never deleted; every change is audited (AuditedAdminMixin).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def audit_values(self, obj: Any) -> dict[str, Any]:
        """The schedule as saved, on the one audit event of each admin change."""
        return {
            "program": str(obj.program_id),
            "instrument": obj.instrument_code,
            "interval_days": obj.interval_days,
            "is_active": obj.is_active,
        }

    @admin.display(description="Instrument", ordering="instrument_code")
    def instrument(self, obj: ReassessmentSchedule) -> str:
        return catalogue.short_name(obj.instrument_code)

    @admin.display(description="Every")
    def every(self, obj: ReassessmentSchedule) -> str:
        days = obj.interval_days
        if days % 365 == 0:
            return f"{days // 365} year(s)"
        if days % 7 == 0:
            return f"{days // 7} week(s)"
        return f"{days} day(s)"
