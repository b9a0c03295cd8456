"""An account with open enrolments is not deactivated until its clients are reassigned; the
refusal links to the reassignment page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseload.access import services as access_services
from caseload.core.errors import Conflict
from caseload.enrolments.models import Enrolment
from tests.access.test_staff_admin import _form as staff_form
from tests.team.conftest import Departure

pytestmark = pytest.mark.django_db


def test_the_service_refuses_while_enrolments_are_open(org: Any, departure: Departure) -> None:
    with pytest.raises(Conflict) as refused:
        access_services.staff_set_active(actor=org.director, user=departure.leaving, active=False)
    assert "still manages 5 open enrolments" in refused.value.message
    departure.leaving.refresh_from_db()
    assert departure.leaving.is_active
    Enrolment.objects.filter(care_manager=departure.leaving).update(care_manager=departure.lena)
    access_services.staff_set_active(actor=org.director, user=departure.leaving, active=False)
    departure.leaving.refresh_from_db()
    assert not departure.leaving.is_active


def test_the_admin_refusal_links_to_reassigning_their_clients(
    org: Any, departure: Departure, login: Any
) -> None:
    http = login(org.director)
    url = reverse("admin:staff_user_change", args=[departure.leaving.pk])
    response = http.post(url, staff_form(departure.leaving, is_active=False), follow=True)
    html = response.content.decode()
    assert "still manages 5 open enrolments" in html
    assert f'href="/team/reassign/?care_manager={departure.leaving.pk}"' in html
    departure.leaving.refresh_from_db()
    assert departure.leaving.is_active
