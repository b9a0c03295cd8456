"""Form base classes: every text field refuses NUL characters; service errors map onto fields."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.core.errors import AppError
from caseload.core.validators import no_nul


def _guard_text_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and no_nul not in field.validators:
            field.validators.append(no_nul)


class CaseloadForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _guard_text_fields(self)


class CaseloadModelForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _guard_text_fields(self)


def add_service_errors(form: forms.BaseForm, error: AppError) -> None:
    """Copy a service's field errors onto the form; anything else becomes a form-wide error."""
    if not error.field_errors:
        form.add_error(None, error.message)
        return
    for field, messages in error.field_errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
