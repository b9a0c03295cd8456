"""Reports read from the replica when one is configured, and only reports do."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from caseload.enrolments.models import Enrolment
from caseload.reports.months import Month
from caseload.reports.routers import REPLICA, ReportReplicaRouter, reading_reports
from caseload.reports.selectors import month_report


def test_the_router_sends_report_reads_to_the_replica_only_when_there_is_one(
    settings: Any,
) -> None:
    router = ReportReplicaRouter()
    with reading_reports():
        assert router.db_for_read(Enrolment) is None  # no replica configured
        settings.REPORT_DATABASE = REPLICA
        assert router.db_for_read(Enrolment) == REPLICA
        assert router.db_for_write(Enrolment) is None
    assert router.db_for_read(Enrolment) is None  # outside a report
    assert router.allow_migrate(REPLICA, "enrolments") is False


@pytest.mark.django_db(databases=["default", REPLICA], transaction=True)
def test_the_month_report_runs_its_queries_on_the_second_alias(org: Any, settings: Any) -> None:
    """With a second database alias (the test database's mirror, as a replica is a copy of the
    primary) every figure is read there, and none from the primary."""
    settings.REPORT_DATABASE = REPLICA
    with (
        CaptureQueriesContext(connections[REPLICA]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        report = month_report(actor=org.director, month=Month(2026, 11))
    assert report.row("active").by_program  # the org's clients, read from the replica
    # every family of figures: its trend, per program, per care manager (three queries each)
    assert len([q for q in replica.captured_queries if "COUNT" in q["sql"]]) >= 15
    assert not [q for q in primary.captured_queries if "COUNT" in q["sql"]]
