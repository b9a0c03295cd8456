"""Form base classes: text fields refuse NUL characters, inputs are linked to their hints and
errors (aria-describedby, as GOV.UK does), and service errors map onto fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from caseload.core.errors import AppError
from caseload.core.validators import no_nul

DATETIME_HINT = "Date and time, for example 2026-03-06 14:30."


class _Accessible:
    """Shared behaviour of CaseloadForm and CaseloadModelForm."""

    fields: dict[str, forms.Field]
    fieldsets: list[tuple[str, list[str]]] = []

    def _guard_and_describe(self) -> None:
        for field in self.fields.values():
            # no_nul says what to do; Django's own NUL validator would repeat it, vaguer.
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
            if isinstance(field, forms.CharField):
                field.validators.append(no_nul)
        self._describe()

    def _describe(self) -> None:
        # Computed without creating bound fields: those cache labels and hints, which
        # subclasses may still change after this runs.
        form: Any = self
        if not form.auto_id:
            return
        auto_id = str(form.auto_id)
        errors = getattr(form, "_errors", None)
        for name, field in self.fields.items():
            html_name = form.add_prefix(name)
            widget_id = auto_id % html_name if "%s" in auto_id else html_name
            # Radio and checkbox groups have no single input to describe (their fieldset is).
            field_id = field.widget.id_for_label(widget_id)
            if not field_id:
                continue
            ids = []
            if field.help_text:
                ids.append(f"{field_id}_helptext")
            if form.is_bound and errors is not None and name in errors:
                ids.append(f"{field_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        form: Any = self
        return [(legend, [form[name] for name in names]) for legend, names in self.fieldsets]


class CaseloadForm(_Accessible, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard_and_describe()

    def full_clean(self) -> None:
        super().full_clean()
        self._describe()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._describe()


class CaseloadModelForm(_Accessible, forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard_and_describe()

    def full_clean(self) -> None:
        super().full_clean()
        self._describe()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._describe()


def add_service_errors(form: forms.BaseForm, error: AppError) -> None:
    """Copy a service's field errors onto the form; anything else becomes a form-wide error."""
    if not error.field_errors:
        form.add_error(None, error.message)
        return
    for field, messages in error.field_errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class VersionField(forms.IntegerField):
    """The version of the record the form was filled from (hidden; optimistic locking)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


def datetime_field(label: str, *, required: bool = True) -> forms.DateTimeField:
    """A date-and-time input (the browser's picker) with the messages GOV.UK would give."""
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=DATETIME_HINT,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date and time, for example 2026-03-06 14:30.",
        },
    )
