"""The instruments this installation offers: the shipped files plus an organisation's own.

Shipped definitions live in ``caseload/assessments/instruments/``. An organisation that holds a
licence for an instrument Caseload may not ship (the Zarit Burden Interview, say) puts its file in
the directory named by the ``CASELOAD_INSTRUMENTS_DIR`` setting; a file there with the same
``code`` as a shipped one replaces it. Plain FHIR Questionnaires (``"resourceType":
"Questionnaire"``) placed there are converted with ``fhir.instrument_from_questionnaire``.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from caseload.assessments.definitions import Instrument, InstrumentError, parse_instrument
from caseload.assessments.fhir import instrument_from_questionnaire
from caseload.core.datafiles import load_definitions

SHIPPED_DIR = Path(__file__).resolve().parent / "instruments"


def organisation_dir() -> Path | None:
    """The organisation's own instruments directory, if configured."""
    configured = getattr(settings, "CASELOAD_INSTRUMENTS_DIR", "") or os.environ.get(
        "CASELOAD_INSTRUMENTS_DIR", ""
    )
    return Path(configured) if configured else None


@dataclass
class LoadReport:
    """What loading found: the instruments, and each file that was refused with its reasons."""

    instruments: dict[str, Instrument] = field(default_factory=dict)
    errors: list[InstrumentError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_file(path: Path) -> Instrument:
    """One definition file, validated; InstrumentError if it is unreadable or invalid."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InstrumentError(str(path), [f"cannot read the file as JSON ({exc})"]) from exc
    if isinstance(raw, dict) and raw.get("resourceType") == "Questionnaire":
        return instrument_from_questionnaire(raw, source=str(path))
    return parse_instrument(raw, source=str(path))


def load_all() -> LoadReport:
    """Read and validate every definition (shipped, then the organisation's)."""
    loaded = load_definitions(
        SHIPPED_DIR,
        organisation_dir(),
        load=load_file,
        code_of=lambda instrument: instrument.code,
        source_of=lambda instrument: instrument.source,
        error=InstrumentError,
        error_type=InstrumentError,
        setting="CASELOAD_INSTRUMENTS_DIR",
        noun="instrument",
    )
    return LoadReport(instruments=loaded.found, errors=loaded.errors, notes=loaded.notes)


_lock = threading.Lock()
_cache: dict[str, Instrument] | None = None


def instruments() -> dict[str, Instrument]:
    """Every valid instrument by code (loaded once per process; invalid files are skipped and
    reported by ``caseload instruments check``)."""
    global _cache
    if _cache is None:
        with _lock:
            if _cache is None:
                _cache = load_all().instruments
    return _cache


def reload() -> None:
    global _cache
    with _lock:
        _cache = None


@receiver(setting_changed)
def _reload_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting == "CASELOAD_INSTRUMENTS_DIR":
        reload()


def get(code: str) -> Instrument | None:
    return instruments().get(code)


def ordered() -> list[Instrument]:
    """Instruments in the order a person picks them: by short name."""
    return sorted(instruments().values(), key=lambda i: i.short_name.lower())


def short_name(code: str) -> str:
    """The instrument's short name ('PHQ-9'), or the code itself if no longer defined."""
    instrument = get(code)
    return instrument.short_name if instrument else code


def choices() -> list[tuple[str, str]]:
    return [(i.code, f"{i.short_name} — {i.title}") for i in ordered()]
