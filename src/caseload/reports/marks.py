"""Which closed months a write changed: PostgreSQL triggers on the tables the month report reads.

The report keeps the figures of closed months (``monthcache.py``). They stay right only if every
write that can change a closed month's figures says so, in the same transaction, whoever makes
it: a service, a bulk ``update()``, an import, a ``psql`` session. So the database says it: an
``AFTER … FOR EACH STATEMENT`` trigger on each table below inserts, for the rows the statement
changed, one ``reports_monthmark`` row per month their dates start in (``weight``: how many
rows). A change dated ``lo`` can change the figures of its month and of every later month (a
goal achieved now leaves "in progress" for every month since it was set), so a month's figures
depend on the marks of their sources up to and including that month (a cumulative sum).

What a row's ``lo`` is, per table (``Source``):

* inserted or deleted: the earliest of its dates;
* updated: the earliest old or new value of the dates that changed; if an *anchored* column
  changed (an enrolment's status counts as "discharged" in the month of its end), the earliest
  old or new value of its anchors; if any other column the figures may read changed, the
  earliest of every old and new date. Columns in ``ignored`` are never read by a figure of
  ``figures.py`` (a note's narrative), so changing them marks nothing. An enrolment's care
  manager is read only by the per-care-manager rows: a reassignment marks the source
  ``enrolment_managers`` (the same table), which only those rows depend on, so it leaves the
  trend's kept totals valid;
* a table with no dates (programs, reassessment schedules): every month.

Marks are written only for months that may be cached: a row whose ``lo`` lies in the current
month (most writes: today's notes, today's discharge) marks nothing. Months are UTC months of
``lo`` less a day, which is never later than the organisation's month of ``lo`` for any time
zone; the cache keeps a month only two days after it ended (``monthcache.GRACE``), which leaves
a writing transaction that long to commit (the trigger judges "current" by ``clock_timestamp()``
when it runs, so a write late on the last day of a month does mark it).

SQLite has no such triggers here and the report computes every month live there (the demo and
the tests of the figures themselves); the cache is PostgreSQL's, the production database.

A change to ``SOURCES`` (or to a figure's columns) needs a migration that calls ``install``
again: the triggers are code in the database, rendered from this table when migrating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

#: A table with no dates: any change may change any month.
EVERY_MONTH = "'1900-01-01'::timestamptz"


@dataclass(frozen=True)
class Source:
    name: str
    app: str
    model: str
    dates: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    #: column -> the dates whose months a change of it changes (instead of every date's)
    anchors: dict[str, tuple[str, ...]] = field(default_factory=dict)


_BOOKKEEPING = ("id", "created_at", "updated_at", "version")

SOURCES: tuple[Source, ...] = (
    Source(
        "enrolments",
        "enrolments",
        "Enrolment",
        dates=("referred_on", "started_on", "ended_on"),
        ignored=(
            "care_manager_id",
            "acuity",
            "referral_source",
            "discharge_reason",
            "discharge_note",
        ),
        anchors={"status": ("ended_on",)},
    ),
    # The same rows, for the month's per-care-manager rows only: a reassignment marks these.
    Source(
        "enrolment_managers",
        "enrolments",
        "Enrolment",
        dates=("referred_on", "started_on", "ended_on"),
        ignored=(
            "client_id",
            "program_id",
            "status",
            "acuity",
            "referral_source",
            "discharge_reason",
            "discharge_note",
        ),
    ),
    Source("programs", "enrolments", "Program", dates=(), ignored=("name", "description", "code")),
    Source(
        "notes",
        "notes",
        "ProgressNote",
        dates=("contact_at",),
        ignored=(
            "entered_in_error_by_id",
            "entered_in_error_reason",
            "cosign_status",
            "cosigner_id",
            "cosigned_at",
            "return_comment",
            "author_id",
            "related_person_id",
            "provider_name",
            "gave_update",
            "minutes",
            "narrative",
            "significant_event",
            "signed_at",
        ),
    ),
    Source(
        "careplans",
        "careplans",
        "CarePlan",
        dates=("review_due",),
        ignored=(
            "title",
            "participants",
            "agreed_by",
            "agreed_on",
            "published_number",
            "has_unpublished_changes",
            "author_id",
        ),
    ),
    Source(
        "goals",
        "careplans",
        "Goal",
        # created_at and updated_at date the goal figures (set, achieved, not achieved).
        dates=("created_at", "updated_at"),
        ignored=(
            "problem_id",
            "description",
            "measure",
            "target_value",
            "target_date",
            "expressed_by",
            "outcome_note",
        ),
    ),
    Source(
        "referrals",
        "referrals",
        "Referral",
        dates=("sent_on", "response_due_on", "closed_at"),
        ignored=(
            "service_id",
            "provider_name",
            "provider_contact",
            "reason",
            "problem_id",
            "goal_id",
            "intervention_id",
            "urgency",
            "shared_fields",
            "consent_id",
            "status_changed_at",
            "scheduled_for",
            "followup_task_id",
            "outcome_note",
            "closed_by_id",
            "writeback_note",
            "created_by_id",
        ),
        anchors={"status": ("closed_at",)},
    ),
    Source(
        "referral_events",
        "referrals",
        "ReferralEvent",
        dates=("occurred_at",),
        ignored=("note", "actor_id", "kind"),
    ),
    Source(
        "assessments",
        "assessments",
        "AssessmentResponse",
        dates=("assessed_on",),
        ignored=(
            "instrument_version",
            "definition_id",
            "answers",
            "started_by_id",
            "completed_by_id",
            "completed_at",
            "subscales",
            "domains",
            "band_code",
            "band_label",
            "band_level",
            "flags",
            "actions",
        ),
    ),
    Source("schedules", "assessments", "ReassessmentSchedule", dates=()),
    Source(
        "episodes",
        "transitions",
        "TransitionalCareEpisode",
        dates=("discharged_on", "ends_on", "closed_at"),
        ignored=(
            "discharged_from",
            "facility_name",
            "complexity",
            "notes",
            "close_reason",
            "close_note",
            "recorded_by_id",
        ),
    ),
    Source(
        "clocks",
        "transitions",
        "TransitionalClock",
        dates=("due_on", "met_on"),
        ignored=("met_note", "recorded_by_id", "task_id"),
    ),
)
BY_NAME = {source.name: source for source in SOURCES}


def _least(values: list[str]) -> str:
    if not values:
        return "NULL"
    return values[0] if len(values) == 1 else f"LEAST({', '.join(values)})"


def _ts(alias: str, column: str) -> str:
    return f'{alias}."{column}"::timestamptz'


def _lo_changed(source: Source, columns: list[str]) -> str:
    """``lo`` of an updated row (``o`` old, ``n`` new), per the module's rules."""
    if not source.dates:
        other = [c for c in columns if c not in source.ignored and c not in _BOOKKEEPING]
        changed = " OR ".join(f'o."{c}" IS DISTINCT FROM n."{c}"' for c in other) or "FALSE"
        return f"CASE WHEN {changed} THEN {EVERY_MONTH} END"
    every = _least([_ts(a, d) for d in source.dates for a in ("o", "n")])
    parts = [
        f'CASE WHEN o."{d}" IS DISTINCT FROM n."{d}" THEN {_least([_ts("o", d), _ts("n", d)])} END'
        for d in source.dates
        if d not in ("updated_at",)
    ]
    if "updated_at" in source.dates:
        # Bumped by every save: the old value dates where the row stood until now.
        parts.append(
            f'CASE WHEN o."updated_at" IS DISTINCT FROM n."updated_at" '
            f"THEN {_ts('o', 'updated_at')} END"
        )
    for column, anchored in source.anchors.items():
        dates = _least([_ts(a, d) for d in anchored for a in ("o", "n")])
        parts.append(f'CASE WHEN o."{column}" IS DISTINCT FROM n."{column}" THEN {dates} END')
    skip = set(source.dates) | set(source.ignored) | set(source.anchors) | set(_BOOKKEEPING)
    other = [c for c in columns if c not in skip]
    if other:
        changed = " OR ".join(f'o."{c}" IS DISTINCT FROM n."{c}"' for c in other)
        parts.append(f"CASE WHEN {changed} THEN {every} END")
    return _least(parts)


def _lo_row(source: Source, alias: str) -> str:
    if not source.dates:
        return EVERY_MONTH
    return _least([_ts(alias, d) for d in source.dates])


def _function(name: str, source: Source, lo_sql: str, rows_sql: str) -> str:
    # Rendered from SOURCES and the model's columns when migrating: no outside input.
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    INSERT INTO reports_monthmark (source, month, weight)
    SELECT '{source.name}', date_trunc('month', lo - interval '1 day')::date, count(*)
    FROM (SELECT {lo_sql} AS lo FROM {rows_sql}) changed
    WHERE lo IS NOT NULL
      AND lo - interval '1 day' < date_trunc('month', clock_timestamp() + interval '1 day')
    GROUP BY 2;
    RETURN NULL;
END
$body$;
"""  # noqa: S608


def statements(source: Source, table: str, columns: list[str]) -> list[str]:
    """The SQL that (re)creates the three triggers of one source's table."""
    prefix = f"reports_mark_{source.name}"
    sql = [
        _function(f"{prefix}_ins", source, _lo_row(source, "n"), "new_rows n"),
        _function(f"{prefix}_del", source, _lo_row(source, "o"), "old_rows o"),
        _function(
            f"{prefix}_upd",
            source,
            _lo_changed(source, columns),
            "old_rows o JOIN new_rows n ON o.id = n.id",
        ),
    ]
    for suffix, event, referencing in (
        ("ins", "INSERT", "NEW TABLE AS new_rows"),
        ("del", "DELETE", "OLD TABLE AS old_rows"),
        ("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ):
        trigger = f"{prefix}_{suffix}"
        sql.append(f'DROP TRIGGER IF EXISTS {trigger} ON "{table}"')
        sql.append(
            f'CREATE TRIGGER {trigger} AFTER {event} ON "{table}" REFERENCING {referencing} '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {trigger}()"
        )
    return sql


def install(apps: Any, schema_editor: Any) -> None:
    """Create or replace every source's triggers (a migration's RunPython; PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for source in SOURCES:
        model = apps.get_model(source.app, source.model)
        columns = [f.column for f in model._meta.concrete_fields]
        unknown = set(source.dates + source.ignored + tuple(source.anchors)) - set(columns)
        if unknown:
            raise ValueError(f"{source.name}: no such columns {sorted(unknown)}")
        for sql in statements(source, model._meta.db_table, columns):
            schema_editor.execute(sql)


def uninstall(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for source in SOURCES:
        table = apps.get_model(source.app, source.model)._meta.db_table
        for suffix in ("ins", "del", "upd"):
            name = f"reports_mark_{source.name}_{suffix}"
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def marks_compact() -> int:
    """Fold each (source, month)'s marks into one row of the same total weight (a periodic job):
    the sums the cache compares stay what they were, in one transaction. Returns rows removed."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_monthmark")
        (before,) = cursor.fetchone()
        cursor.execute(
            "WITH gone AS (DELETE FROM reports_monthmark RETURNING source, month, weight) "
            "INSERT INTO reports_monthmark (source, month, weight) "
            "SELECT source, month, sum(weight) FROM gone GROUP BY source, month"
        )
        kept = int(cursor.rowcount)
    return max(0, int(before) - kept)
