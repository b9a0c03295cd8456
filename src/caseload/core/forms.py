"""Forms: one way to render a field (the renderer below), text fields that refuse NUL
characters, and service errors mapped onto fields.

Every field is drawn by ``core/forms/field.html`` (``{{ field.as_field_group }}``, or
``{{ form }}`` for the whole form) with GOV.UK's wiring: a label, or a fieldset and legend for a
radio or checkbox group; the hint and the error message linked by aria-describedby; the error
summary linking to the input itself, or to a group's first input."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.forms.renderers import DjangoTemplates

from caseload.core.dates import PLANNED, DateWindow, within
from caseload.core.errors import AppError, ValidationFailed
from caseload.core.validators import SHORT_TEXT, is_ascii_integer, no_nul, too_long_message

DATETIME_HINT = "Date and time, for example 2026-03-06 14:30."


class CaseloadBoundField(forms.BoundField):
    """A field as the templates draw it: ids for its hint, error message and summary link."""

    @property
    def error_id(self) -> str:
        """The id of the field's error message (GOV.UK's ``<id>-error``)."""
        return f"{self.auto_id}-error"

    @property
    def aria_describedby(self) -> str | None:
        # Django's own, with the error message's id spelled as GOV.UK does. On the input, or on
        # the fieldset of a radio or checkbox group (the template puts it there).
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(self.error_id)
        return " ".join(ids)

    @property
    def optional(self) -> bool:
        """Whether the label says "(optional)"."""
        return not self.field.required

    @property
    def summary_link_id(self) -> str:
        """What the error summary links to: the input, or a group's first input (a group
        itself has no element with the field's id)."""
        if self.use_fieldset:
            for choice in self.subwidgets:
                return choice.id_for_label
        return self.id_for_label or self.auto_id


class CaseloadFormRenderer(DjangoTemplates):
    """Django's template renderer with Caseload's form and field templates. The templates need
    CaseloadBoundField, which CaseloadForm names; the admin's forms keep Django's own (its
    templates link errors by Django's ids)."""

    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


def _limit_length(field: forms.CharField) -> None:
    """Every text field has a maximum length: the one it names (the model's, from
    ``core.validators``), or SHORT_TEXT. Too long is said plainly."""
    if field.max_length is None:
        field.max_length = SHORT_TEXT
        field.validators.append(MaxLengthValidator(SHORT_TEXT))
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("maxlength", str(SHORT_TEXT))
    field.error_messages.setdefault("max_length", too_long_message(int(field.max_length)))


class _StrictInteger(forms.IntegerField):
    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip() and not is_ascii_integer(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class _AsciiOnly(forms.Field):
    """Dates, times and decimals are read from ASCII only (strptime takes other scripts' digits)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and not value.isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class _StrictModelChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def to_python(self, value: Any) -> Any:
        if (
            isinstance(value, str)
            and value not in self.empty_values
            and not is_ascii_integer(value)
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class _StrictModelMultipleChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def clean(self, value: Any) -> Any:
        for item in value or []:
            if isinstance(item, str) and not is_ascii_integer(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super().clean(value)


_STRICT_CLASSES: dict[type, type] = {}


def _strict_parsing(field: forms.Field) -> None:
    """Integer fields, and choices of records with integer keys (staff), read integers strictly
    (ASCII digits), and dates and times only ASCII: the field keeps its class, with a strict
    parse mixed in."""
    strict: type | None = None
    if isinstance(field, (forms.DecimalField, forms.FloatField)):  # IntegerField's subclasses
        strict = _AsciiOnly
    elif isinstance(field, forms.IntegerField):
        strict = _StrictInteger
    elif isinstance(field, (forms.DateField, forms.DateTimeField, forms.TimeField)):
        strict = _AsciiOnly
    elif (
        isinstance(field, forms.ModelChoiceField)
        and field.queryset is not None
        and isinstance(field.queryset.model._meta.pk, models.IntegerField)
    ):
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        strict = _StrictModelMultipleChoice if multiple else _StrictModelChoice
    if strict is None or isinstance(field, strict):
        return
    base = type(field)
    if base not in _STRICT_CLASSES:
        _STRICT_CLASSES[base] = type(f"Strict{base.__name__}", (strict, base), {})
    field.__class__ = _STRICT_CLASSES[base]


class CaseloadForm(forms.Form):
    """A form whose text fields refuse NUL characters and have a maximum length.
    ``fieldsets`` (legend, field names) groups the fields when the form renders itself
    (``{{ form }}``)."""

    fieldsets: list[tuple[str, list[str]]] = []
    bound_field_class = CaseloadBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # no_nul says what to do; Django's own NUL validator would repeat it, vaguer.
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
            _strict_parsing(field)
            if isinstance(field, forms.CharField):
                field.validators.append(no_nul)
                if not isinstance(field, (forms.UUIDField, forms.JSONField)):
                    _limit_length(field)

    def __getitem__(self, name: str) -> CaseloadBoundField:
        return cast("CaseloadBoundField", super().__getitem__(name))

    def grouped(self) -> list[tuple[str, list[CaseloadBoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]


def add_service_errors(form: forms.BaseForm, error: AppError) -> None:
    """Copy a service's field errors onto the form; anything else becomes a form-wide error.
    Each keeps the service's ``code`` (``form.has_error(field, code=...)``)."""
    if not error.field_errors:
        form.add_error(None, ValidationError(error.message, code=error.code))
        return
    for field, messages in error.field_errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, ValidationError(message, code=error.code))


#: The message of a state-changing form sent without a well-formed ``version``.
VERSION_REQUIRED = (
    "This page is out of date or incomplete, so nothing was saved. Reload the page, check it, "
    "then try again."
)


class VersionField(forms.IntegerField):
    """The version of the record the form was filled from (hidden; optimistic locking).

    Required: a change sent without it, or with anything but ASCII digits (``1_0`` and ``٣``
    are not versions, though ``int()`` reads them), is refused with the form shown again, never
    saved unchecked over whatever is there now."""

    default_error_messages = {
        "required": VERSION_REQUIRED,
        "invalid": VERSION_REQUIRED,
        "min_value": VERSION_REQUIRED,
        "max_value": VERSION_REQUIRED,
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 10:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


def datetime_field(
    label: str, *, window: DateWindow = PLANNED, required: bool = True
) -> forms.DateTimeField:
    """A date-and-time input (the browser's picker) with the messages GOV.UK would give, held to
    ``window`` (``core.dates``)."""
    return forms.DateTimeField(
        label=label,
        required=required,
        validators=[within(window, label)],
        help_text=DATETIME_HINT,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date and time, for example 2026-03-06 14:30.",
        },
    )


F = TypeVar("F", bound=forms.Form)


def query_form(data: Any, form_class: type[F], **kwargs: Any) -> F:
    """A page's query parameters (``request.GET``) read by ``form_class``; a value it refuses is
    a 400 that names the parameter and says what is wrong (``ValidationFailed``), never a guess
    or a server error. Parameters the form does not name are ignored."""
    form = form_class(data, **kwargs)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in form.errors.items()
        )
        raise ValidationFailed(
            f"This page's address has a value that cannot be used ({problems}).",
            field_errors={
                name: [str(m) for m in messages] for name, messages in form.errors.items()
            },
        )
    return form
