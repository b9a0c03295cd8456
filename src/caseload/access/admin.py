"""Staff accounts in the Django admin: every change goes through ``access.services`` under the
rules of ``access.policies`` (who may grant what), and is audited; a refusal is shown as a
message on the page. Administrators and directors see this page; nobody deletes an account
(deactivate it instead: its audit trail stays attached)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.access import policies, services
from caseload.audit.admin import AuditedAdminMixin
from caseload.core.errors import AppError
from caseload.staff.models import User

# Caseload does not use Django's groups and model permissions: access is access.policies.
admin.site.unregister(Group)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


class StaffChangeForm(UserChangeForm):  # type: ignore[type-arg]
    reason = forms.CharField(
        label="Reason for a change of access",
        required=False,
        max_length=300,
        help_text="Recorded in the audit trail with the change.",
        widget=forms.TextInput(attrs={"size": 80}),
    )

    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined,misc]
        model = User
        fields = "__all__"


@admin.register(User)
class StaffAdmin(AuditedAdminMixin, UserAdmin):  # type: ignore[type-arg]
    form = StaffChangeForm
    list_display = (
        "username",
        "first_name",
        "last_name",
        "career_level",
        "supervisor",
        "is_administrator",
        "is_privacy_officer",
        "is_active",
    )
    list_filter = (
        "career_level",
        "is_administrator",
        "is_privacy_officer",
        "is_active",
        "programs",
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Profile",
            {"fields": ("first_name", "last_name", "email", "job_title", "phone", "languages")},
        ),
        (
            "Access",
            {
                "description": (
                    "Who may change what is set out in docs/security.md: nobody changes their "
                    "own access, and only a director grants director or privacy-officer rights "
                    "or widens whose client records someone sees. Every change is audited."
                ),
                "fields": (
                    "career_level",
                    "supervisor",
                    "programs",
                    "caseload_cap_override",
                    "is_privacy_officer",
                    "is_administrator",
                    "is_active",
                    "reason",
                ),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("programs",)
    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.can_view_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_view_staff(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_view_staff(request.user)  # each change is then judged on its own

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.can_create_staff(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.staff_create(
                actor=_actor(request),
                username=data["username"],
                password=data.get("password1") if data.get("set_usable_password") else None,
            )
            obj.pk, obj.password, obj._state = created.pk, created.password, created._state
            return
        changes = {name: data[name] for name in form.changed_data if name != "reason"}
        services.staff_update(
            actor=_actor(request),
            user=User.objects.get(pk=obj.pk),
            changes=changes,
            reason=data.get("reason", ""),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Programs were set by staff_update with the other privileges; nothing else is saved
        # through the form's many-to-many fields.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's page, with the password set through staff_set_password (its rule, its audit
        event) instead of the form's own save."""
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            return super().user_change_password(request, id, form_url)
        try:
            policies.require_may_set_password(_actor(request), user)
        except AppError as error:
            return self.refused(request, error, id)
        if request.method == "POST":
            form = self.change_password_form(user, request.POST)
            if form.is_valid() and (
                form.cleaned_data["set_usable_password"] or "unset-password" in request.POST
            ):
                usable = form.cleaned_data["set_usable_password"]
                services.staff_set_password(
                    actor=_actor(request),
                    user=user,
                    password=form.cleaned_data["password1"] if usable else None,
                )
                self.log_change(request, user, self.construct_change_message(request, form, []))
                self.message_user(
                    request,
                    "Password changed." if usable else "Password-based sign-in was disabled.",
                    messages.SUCCESS,
                )
                update_session_auth_hash(request, user)
                return HttpResponseRedirect(reverse("admin:staff_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoFactorDeviceAdmin(TOTPDeviceAdmin):  # type: ignore[misc]
    """Devices are seen and removed (a lost phone), never added or edited here: each person sets
    up their own, and a secret set by someone else is a second factor they also hold."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.can_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_use_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_use_admin(request.user)  # the service judges each device

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.staff_remove_two_factor_device(actor=_actor(request), device=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for device in queryset.select_related("user"):
            services.staff_remove_two_factor_device(actor=_actor(request), device=device)


# The background jobs' pages (after django_q's own admin module, which they replace).
from caseload.access import admin_jobs  # noqa: E402, F401
