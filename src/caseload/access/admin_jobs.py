"""Background jobs in the admin, for administrators: the periodic schedules, the queue, the
jobs that ran and the jobs that failed (with their traceback), read-only.

django-q2's own admin lets anyone with the admin add a schedule naming *any* Python function
with any arguments, which is running code on the server; here nothing is added or edited. The
one action is "Run again" on failed jobs, for Caseload's jobs only, and it is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import truncatechars
from django_q.models import Failure, OrmQ, Schedule, Success

from caseload.access import policies
from caseload.audit.admin import AuditedAdminMixin, record_admin_action
from caseload.core import jobs

for _model in (Failure, OrmQ, Schedule, Success):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class _ReadOnlyJobsAdmin(AuditedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Failure)
class FailedJobAdmin(_ReadOnlyJobsAdmin):
    """Jobs whose attempt failed: which job, when, and the error with its traceback."""

    list_display = ("name", "started", "stopped", "error")
    search_fields = ("name", "group", "result")
    list_filter = ("group",)
    ordering = ("-stopped",)
    readonly_fields = ("name", "group", "func", "args", "started", "stopped", "result")
    fields = readonly_fields
    actions = ["run_again"]

    @admin.display(description="Error")
    def error(self, obj: Failure) -> str:
        lines = str(obj.result or "").splitlines()
        return truncatechars(lines[0] if lines else "", 160)

    @admin.action(description="Run the selected jobs again")
    def run_again(self, request: HttpRequest, queryset: QuerySet[Failure]) -> None:
        again = 0
        for failure in queryset:
            args = list(failure.args or ())
            if failure.func != "caseload.core.jobs.run" or not args:
                continue  # not one of Caseload's jobs: never run from here
            func_path, _attempt, job_args, job_kwargs = [*args, None, None, None][:4]
            jobs.enqueue(func_path, *(job_args or []), **(job_kwargs or {}))
            record_admin_action(request, "admin.job_run_again", failure, {"job": func_path})
            again += 1
        self.message_user(
            request,
            f"{again} job{'s' if again != 1 else ''} queued to run again.",
            messages.SUCCESS,
        )


@admin.register(Success)
class FinishedJobAdmin(_ReadOnlyJobsAdmin):
    list_display = ("name", "started", "stopped", "outcome")
    search_fields = ("name", "group")
    list_filter = ("group",)
    ordering = ("-stopped",)
    readonly_fields = ("name", "group", "func", "args", "started", "stopped", "result")
    fields = readonly_fields

    @admin.display(description="Outcome")
    def outcome(self, obj: Success) -> str:
        return truncatechars(str(obj.result), 160)


@admin.register(Schedule)
class ScheduleAdmin(_ReadOnlyJobsAdmin):
    """The periodic jobs (written by ``caseload migrate`` from the code) and pending retries."""

    list_display = ("name", "schedule_type", "minutes", "next_run")
    ordering = ("next_run",)
    readonly_fields = ("name", "func", "args", "schedule_type", "minutes", "repeats", "next_run")
    fields = readonly_fields


@admin.register(OrmQ)
class QueuedJobAdmin(_ReadOnlyJobsAdmin):
    """Jobs waiting for a worker (a large number that does not shrink: no worker is running)."""

    list_display = ("name", "func", "lock")
    fields = ("name", "func", "lock")
    readonly_fields = fields
