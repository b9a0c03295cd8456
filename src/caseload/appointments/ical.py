"""The private calendar feed as iCalendar (RFC 5545), built with the ``icalendar`` library.

By default an event says no more than the client's initials and the time: a phone's calendar
is not a safe place for health information. A user who opts in gets names, purpose, place and
who the appointment is with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from icalendar import Calendar, Event

from caseload.appointments.models import Appointment, AppointmentStatus
from caseload.core import clock

PRODID = "-//Caseload//Appointments//EN"


def initials(given_name: str, family_name: str) -> str:
    """'A.B.' from 'Amara', 'Baptiste'; letters only, never more."""
    letters = [name.strip()[0].upper() for name in (given_name, family_name) if name.strip()]
    return "".join(f"{letter}." for letter in letters)


def _summary(appointment: Appointment, full: bool) -> str:
    client = appointment.client
    if not full:
        return f"Appointment: {initials(client.given_name, client.family_name)}"
    return f"{client.full_name}: {appointment.purpose}"


def _description(appointment: Appointment, url: str) -> str:
    lines = [f"With: {appointment.with_whom}"] if appointment.with_whom else []
    lines.append(f"How: {appointment.get_location_kind_display()}")
    if appointment.transport_needed:
        note = appointment.transport_note
        lines.append("Transport needed" + (f": {note}" if note else ""))
    if appointment.interpreter_needed:
        lines.append(
            "Interpreter needed"
            + (f": {appointment.interpreter_language}" if appointment.interpreter_language else "")
        )
    lines.append(f"Open in Caseload: {url}")
    return "\n".join(lines)


def build_calendar(
    appointments: Iterable[Appointment],
    *,
    show_client_names: bool,
    url_for: Callable[[Appointment], str],
    name: str = "Caseload appointments",
) -> bytes:
    """The feed's bytes: one VEVENT per appointment (cancelled ones marked CANCELLED)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = clock.now()
    for appointment in appointments:
        event = Event()
        event.add("uid", f"{appointment.pk}@caseload")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        event.add("last-modified", appointment.updated_at)
        event.add("sequence", appointment.version)
        event.add("summary", _summary(appointment, show_client_names))
        event.add("class", "PRIVATE")
        event.add("transp", "OPAQUE")
        event.add(
            "status",
            "CANCELLED" if appointment.status == AppointmentStatus.CANCELLED else "CONFIRMED",
        )
        url = url_for(appointment)
        event.add("url", url)
        if show_client_names:
            event.add("description", _description(appointment, url))
            if appointment.location:
                event.add("location", appointment.location)
        else:
            event.add("description", f"Details in Caseload (sign-in needed): {url}")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
