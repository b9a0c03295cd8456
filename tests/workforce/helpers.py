"""Profiles for the credential engine's tests, in the documented JSON shape."""

from __future__ import annotations

from typing import Any

from caseload.workforce import engine, rules

SHIPPED = {
    rule.code: rule for rule in (rules.load_file(p) for p in rules.SHIPPED_DIR.glob("*.json"))
}


def degree(level: str, completed: str, *, related: bool = True, field: str = "") -> dict[str, Any]:
    return {
        "level": level,
        "field": field or ("social work" if related else "history"),
        "related_to_care_management": related,
        "completed": completed,
    }


RN = {"kind": "RN", "independent_assessment": True, "active": True, "unrestricted": True}
LPN = {"kind": "LPN", "independent_assessment": False, "active": True, "unrestricted": True}


def job(
    start: str,
    end: str | None = None,
    *,
    kind: str = "case_management",
    hours: float = 40,
    paid: bool = True,
    volunteer: bool = False,
    ccm: bool = False,
    supervision: float = 52,
    title: str = "Care manager",
) -> dict[str, Any]:
    return {
        "title": title,
        "kind": kind,
        "start": start,
        "end": end,
        "hours_per_week": hours,
        "paid": paid,
        "internship_or_volunteer": volunteer,
        "supervised_by_ccm": ccm,
        "supervision_hours_per_year": supervision,
    }


def advise(as_of: str, codes: tuple[str, ...] = ("CCM", "CMC"), **parts: Any) -> dict[str, Any]:
    """The engine's advice as JSON; ``codes``: the credentials whose eligibility is worked out
    (each walks years of days: a test asks only for the ones it reads)."""
    raw = {"as_of": as_of, **parts}
    return engine.advise(engine.profile_from_json(raw), SHIPPED, codes).as_json()
