"""Template helpers for assessment pages."""

from __future__ import annotations

from django import template

from caseload.assessments import catalogue

register = template.Library()

_BAND_CLASSES = {
    "none": "tag-ok",
    "low": "tag-muted",
    "moderate": "tag-warn",
    "high": "tag-danger",
    "severe": "tag-danger",
}
_FLAG_CLASSES = {"info": "tag-muted", "warning": "tag-warn", "urgent": "tag-danger"}


@register.filter
def band_class(level: str) -> str:
    """The tag style for a band level (the band's words always say what it means)."""
    return _BAND_CLASSES.get(level or "", "tag-muted")


@register.filter
def flag_class(level: str) -> str:
    return _FLAG_CLASSES.get(level or "", "tag-muted")


@register.filter
def instrument_name(code: str) -> str:
    return catalogue.short_name(code)


@register.filter
def signed(value: int | None) -> str:
    """+3 / −2 / 0 (a real minus sign, so screen readers say 'minus')."""
    if value is None:
        return ""
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"\u2212{abs(value)}"
    return "0"
