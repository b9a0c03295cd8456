"""Database expressions the assessment queries need and Django does not ship."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateField, Func
from django.db.models.sql.compiler import SQLCompiler


class AddDays(Func):
    """``date + n days`` for a date expression and an integer expression (both non-null)."""

    arity = 2
    output_field = DateField()

    def as_sql(  # type: ignore[override]
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        # PostgreSQL: date + integer is a date.
        sql, params = super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" + "
        )
        return sql, list(params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        sql, params = super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
        )
        return sql, list(params)
