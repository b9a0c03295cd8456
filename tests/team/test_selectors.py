"""The distribution's inputs read from the database: households by address, languages, caps."""

from __future__ import annotations

from typing import Any

import pytest

from caseload.team import selectors
from caseload.team.distribution import distribute
from caseload.team.selectors import Filters, household_key
from tests.team.conftest import Departure

pytestmark = pytest.mark.django_db


def test_household_key_is_the_address_loosely_spelled() -> None:
    assert household_key("12  Elm St,", "02134") == household_key("12 elm st", "021 34")
    assert household_key("", "02134") is None


def test_proposal_from_the_database_keeps_households_and_languages(
    org: Any, departure: Departure
) -> None:
    enrolments = selectors.enrolments_to_offer(
        actor=org.senior, filters=Filters(care_manager=departure.leaving)
    )
    assert len(enrolments) == 5
    receivers = selectors.receivers_for([org.supervisor, departure.lena])
    assert {r.current for r in receivers} == {1, 0}
    result = distribute(selectors.clients_for(enrolments), receivers)
    by_name = {e.client.given_name: result.placements[e.pk] for e in enrolments}
    # The two Tagalog speakers at 12 Elm Street go together, to Lena, who speaks Tagalog;
    # so does the Spanish speaker.
    assert by_name["Client0"] == by_name["Client1"] == by_name["Client2"] == departure.lena.pk
    assert not result.unmet


def test_filters_narrow_the_clients_offered(org: Any, departure: Departure) -> None:
    offered = selectors.enrolments_to_offer(actor=org.senior, filters=Filters(language="tagalog"))
    assert {e.client.preferred_language for e in offered} == {"Tagalog"}
    assert selectors.enrolments_to_offer(actor=org.senior_other, filters=Filters()) == [
        *selectors.enrolments_to_offer(actor=org.senior_other, filters=Filters())
    ]
    assert not any(
        e.program_id == org.geriatric.pk
        for e in selectors.enrolments_to_offer(actor=org.senior_other, filters=Filters())
    )
    assert selectors.enrolments_to_offer(actor=org.supervisor, filters=Filters()) == []
