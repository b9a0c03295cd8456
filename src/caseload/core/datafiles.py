"""Definitions kept as data files (instruments, credential rules): the shipped folder, then the
organisation's own folder, each file validated as it is read.

A file in the organisation's folder with the code of a shipped one replaces it (and a note says
so); two files with one code in the same folder are an error; a file that does not validate is
reported with every problem and left out, so one broken file never hides the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")
E = TypeVar("E", bound=Exception)


@dataclass
class Loaded(Generic[T, E]):
    """What loading found: the definitions by code, each refused file's error, and notes."""

    found: dict[str, T] = field(default_factory=dict)
    errors: list[E] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_definitions(
    shipped: Path,
    organisation: Path | None,
    *,
    load: Callable[[Path], T],
    code_of: Callable[[T], str],
    source_of: Callable[[T], str],
    error: Callable[[str, list[str]], E],
    error_type: type[E],
    setting: str,
    noun: str,
) -> Loaded[T, E]:
    """Every ``*.json`` file of ``shipped``, then of ``organisation`` (named by ``setting``)."""
    result: Loaded[T, E] = Loaded()

    def read(directory: Path, *, is_shipped: bool) -> None:
        for path in sorted(directory.glob("*.json")):
            try:
                definition = load(path)
            except error_type as refused:
                result.errors.append(refused)
                continue
            code = code_of(definition)
            existing = result.found.get(code)
            if existing is not None:
                if is_shipped or source_of(existing).startswith(str(directory)):
                    result.errors.append(error(str(path), [f"the code '{code}' is already used"]))
                    continue
                result.notes.append(f"{path.name} replaces the shipped '{code}' {noun}")
            result.found[code] = definition

    read(shipped, is_shipped=True)
    if organisation is not None:
        if organisation.is_dir():
            read(organisation, is_shipped=False)
        else:
            result.errors.append(error(str(organisation), [f"{setting} is not a directory"]))
    return result
