"""The three steps of bulk reassignment: whose clients (filters), which clients and receivers
(checkboxes), and the preview (a receiver per client, changeable, and the reason)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from caseload.core.forms import CaseloadForm
from caseload.enrolments.models import Acuity, Enrolment
from caseload.staff.models import User
from caseload.team.services import Move

KEEP = ""


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class ReassignFilterForm(CaseloadForm):
    """GET: which of the clients you may move to list."""

    care_manager = forms.TypedChoiceField(
        label="Care manager", required=False, coerce=int, empty_value=None
    )
    program = forms.ChoiceField(label="Program", required=False)
    acuity = forms.TypedChoiceField(
        label="Acuity",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any acuity"), *Acuity.choices],
    )
    language = forms.ChoiceField(label="Preferred language", required=False)
    area = forms.ChoiceField(label="Area (city)", required=False)

    def __init__(
        self,
        data: Any,
        *,
        managers: Sequence[tuple[User, int]],
        choices: dict[str, list[Any]],
    ) -> None:
        super().__init__(data)
        _choice_field(self, "care_manager").choices = [
            ("", "Anyone's clients"),
            *((m.pk, f"{m} ({n} open)") for m, n in managers),
        ]
        _choice_field(self, "program").choices = [
            ("", "All programs"),
            *((str(p.pk), p.name) for p in choices["programs"]),
        ]
        _choice_field(self, "language").choices = [
            ("", "Any language"),
            *((x, x) for x in choices["languages"]),
        ]
        _choice_field(self, "area").choices = [
            ("", "Any area"),
            *((x, x) for x in choices["areas"]),
        ]

    @property
    def chosen(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def enrolment_label(enrolment: Enrolment) -> str:
    client = enrolment.client
    parts = [
        enrolment.program.name,
        f"acuity {enrolment.get_acuity_display().lower()}",
        client.preferred_language or "English",
    ]
    if client.city:
        parts.append(client.city)
    return f"{client.sortable_name} — {' · '.join(parts)} (with {enrolment.care_manager})"


def receiver_label(person: User, current: int) -> str:
    languages = person.languages.strip()
    spoken = f", speaks {languages}" if languages else ""
    return f"{person} — {current} of {person.caseload_cap}{spoken}"


class ReassignSelectForm(CaseloadForm):
    """POST to the preview: the clients to move and the care managers who may take them."""

    enrolments = forms.MultipleChoiceField(
        label="Clients to reassign",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one client to reassign."},
    )
    receivers = forms.TypedMultipleChoiceField(
        label="Care managers to receive them",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Caseload proposes who takes whom; you can change any row on the preview.",
        error_messages={"required": "Choose at least one care manager to receive the clients."},
    )

    def __init__(
        self,
        data: Any,
        *,
        enrolments: Sequence[Enrolment],
        receivers: Sequence[User],
        counts: dict[int, int],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        _choice_field(self, "enrolments").choices = [
            (str(e.pk), enrolment_label(e)) for e in enrolments
        ]
        _choice_field(self, "receivers").choices = [
            (p.pk, receiver_label(p, counts.get(p.pk, 0))) for p in receivers
        ]


class PreviewForm(CaseloadForm):
    """The preview: for each client a receiver (or "leave with …") and the version it was shown
    at; the reason kept with every change."""

    enrolments = forms.MultipleChoiceField(widget=forms.MultipleHiddenInput)
    receivers = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)
    reason = forms.CharField(
        label="Reason for the reassignment",
        max_length=500,
        help_text="Kept with each client's change and in the audit trail.",
        widget=forms.TextInput(attrs={"size": 60}),
        error_messages={"required": "Say why these clients are being reassigned."},
    )

    def __init__(
        self,
        data: Any,
        *,
        enrolments: Sequence[Enrolment],
        receivers: Sequence[User],
        proposed: dict[Any, Any] | None = None,
    ) -> None:
        super().__init__(data)
        self.rows = list(enrolments)
        ids = [str(e.pk) for e in enrolments]
        _choice_field(self, "enrolments").choices = [(i, i) for i in ids]
        _choice_field(self, "receivers").choices = [(p.pk, str(p)) for p in receivers]
        self.initial = {"enrolments": ids, "receivers": [p.pk for p in receivers]}
        self.valid: dict[str, set[str]] = {}
        for enrolment in enrolments:
            name = f"to_{enrolment.pk}"
            choices = [
                (KEEP, f"Leave with {enrolment.care_manager}"),
                *((str(p.pk), str(p)) for p in receivers if p.pk != enrolment.care_manager_id),
            ]
            self.valid[name] = {value for value, _ in choices}
            self.fields[name] = forms.ChoiceField(
                label=f"New care manager for {enrolment.client.full_name}",
                required=False,
                choices=choices,
            )
            self.initial[name] = str((proposed or {}).get(enrolment.pk) or KEEP)
            self.fields[f"version_{enrolment.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )
            # The version the preview shows: always the current one, so "Update totals" after a
            # refusal confirms against what is there now.
            self.initial[f"version_{enrolment.pk}"] = enrolment.version
        if self.is_bound:
            data = cast(Any, self.data).copy()
            for enrolment in enrolments:
                data[f"version_{enrolment.pk}"] = str(enrolment.version)
            self.data = data

    def chosen(self) -> dict[Any, int | None]:
        """Enrolment id → the receiver chosen on the page (None: stays), from the bound data or
        the proposal."""
        result: dict[Any, int | None] = {}
        for enrolment in self.rows:
            name = f"to_{enrolment.pk}"
            raw = self.data.get(name) if self.is_bound else self.initial.get(name)
            value = raw if raw in self.valid[name] else KEEP
            result[enrolment.pk] = int(value) if value else None
        return result

    def moves(self) -> list[Move]:
        return [
            Move(str(e.pk), e.version, to)
            for e in self.rows
            if (to := self.chosen()[e.pk]) is not None
        ]

    def rows_with_fields(self) -> list[tuple[Enrolment, Any]]:
        return [(e, self[f"to_{e.pk}"]) for e in self.rows]


def loads_of(
    receivers: Sequence[User],
    counts: dict[int, int],
    chosen: dict[Any, int | None],
    enrolments: Sequence[Enrolment],
) -> list[dict[str, Any]]:
    """Each receiver's open enrolments before and after the rows as chosen, against their cap."""
    gained: dict[int, int] = {}
    for to in chosen.values():
        if to is not None:
            gained[to] = gained.get(to, 0) + 1
    lost: dict[int, int] = {}
    for e in enrolments:
        if chosen.get(e.pk) is not None:
            lost[e.care_manager_id] = lost.get(e.care_manager_id, 0) + 1
    rows = []
    for person in receivers:
        before = counts.get(person.pk, 0)
        after = before + gained.get(person.pk, 0) - lost.get(person.pk, 0)
        rows.append(
            {
                "person": person,
                "before": before,
                "after": after,
                "cap": person.caseload_cap,
                "over": after > person.caseload_cap,
            }
        )
    return rows
