"""Every action in the Django admin lands in Caseload's audit trail, and a refusal is a message.

``AuditedAdminMixin`` records each addition, change and deletion the admin logs (its own
LogEntry stays, but ``caseload backup`` leaves that table out and it is not hash-chained) as
``admin.added``, ``admin.changed`` or ``admin.deleted``, with the model, the object and Django's
description of the change. An application error raised while saving (a service refusing a
change, ``core.errors.AppError``) rolls the whole save back, is recorded as ``admin.refused`` and
shown as an error message on the page, never a server error.

The admin site (``access.admin_site.CaseloadAdminSite``) mixes this into every ModelAdmin it
registers, ours and third-party ones alike; a ModelAdmin may also inherit it explicitly.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.db import models, router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from caseload.audit.services import audit_record
from caseload.core.errors import AppError

if TYPE_CHECKING:
    from caseload.staff.models import User


def _plain(message: Any) -> Any:
    """Django's change message (lists of dicts, lazy strings) as plain JSON values."""
    return json.loads(json.dumps(message, default=str))


def record_admin_action(
    request: HttpRequest, action: str, obj: models.Model, detail: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=cast("User", request.user),
        action=action,
        target=obj,
        detail={"model": obj._meta.label_lower, "object": str(obj)[:200], **(detail or {})},
    )


class AuditedAdminMixin:
    """Mix into a ModelAdmin (before it): its actions are audited and refusals are messages.

    A ModelAdmin that inherits it explicitly may override :meth:`audit_values` to record the
    values it keeps, not only the names of the fields that changed."""

    def audit_values(self, obj: Any) -> dict[str, Any]:
        """What the audit event records of ``obj`` besides Django's change message."""
        return {}

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        detail = {"change": _plain(message), **self.audit_values(obj)}
        record_admin_action(request, "admin.added", obj, detail)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        detail = {"change": _plain(message), **self.audit_values(obj)}
        record_admin_action(request, "admin.changed", obj, detail)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        objects = list(queryset)  # called before the deletion, as Django documents
        for obj in objects:
            record_admin_action(request, "admin.deleted", obj, self.audit_values(obj))
        return super().log_deletions(request, objects)  # type: ignore[misc]

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        try:
            return cast(HttpResponse, super().changeform_view(request, object_id, *args, **kwargs))  # type: ignore[misc]
        except AppError as error:
            return self.refused(request, error, object_id)

    def delete_view(
        self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        try:
            return cast(HttpResponse, super().delete_view(request, object_id, *args, **kwargs))  # type: ignore[misc]
        except AppError as error:
            return self.refused(request, error, object_id)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Bulk actions and list edits, in one transaction so a refusal undoes all of them."""
        try:
            if request.method != "POST":
                return cast(HttpResponse, super().changelist_view(request, *args, **kwargs))  # type: ignore[misc]
            model = cast(Any, self).model
            with transaction.atomic(using=router.db_for_write(model)):
                return cast(HttpResponse, super().changelist_view(request, *args, **kwargs))  # type: ignore[misc]
        except AppError as error:
            return self.refused(request, error, None)

    def refused(self, request: HttpRequest, error: AppError, object_id: str | None) -> HttpResponse:
        """Record the refusal (after the refused change was rolled back), say why, go back."""
        admin = cast(Any, self)
        target = admin.get_object(request, unquote(object_id)) if object_id else None
        audit_record(
            actor=cast("User", request.user),
            action="admin.refused",
            target=target if target is not None else cast(models.Model, request.user),
            detail={
                "model": admin.model._meta.label_lower,
                "object_id": object_id,
                "code": error.code,
                "message": error.message,
                "path": request.path,
            },
        )
        admin.message_user(request, error.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())
