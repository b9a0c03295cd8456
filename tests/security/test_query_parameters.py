"""Query parameters are read by forms with explicit ranges (issue 10): a value that is not an
integer or a date in the window is a 400 that says what is wrong, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["appointments:appointment_day", "appointments:appointment_week"])
@pytest.mark.parametrize("staff", ["abc", "1_0", "\u0663", "0", "9" * 30])
def test_a_calendar_for_a_staff_id_that_is_not_one_is_a_400(org, login, page, staff) -> None:
    response = login(org.supervisor).get(reverse(page), {"staff": staff})
    assert response.status_code in (400, 404)
    if staff != "9" * 30:
        assert response.status_code == 400
        assert "staff" in response.content.decode()


@pytest.mark.parametrize(
    ("page", "param"),
    [("appointments:appointment_day", "date"), ("appointments:appointment_week", "start")],
)
@pytest.mark.parametrize(
    "day", ["0001-01-01", "9999-12-31", "2026-02-30", "\u0662\u0660\u0662\u0666-01-01"]
)
def test_a_calendar_for_a_day_outside_the_calendar_is_a_400(org, login, page, param, day) -> None:
    response = login(org.supervisor).get(reverse(page), {param: day})
    assert response.status_code == 400
    assert "cannot be used" in response.content.decode()


def test_a_calendar_for_a_supervisees_id_and_a_plain_date_still_works(org, login) -> None:
    response = login(org.supervisor).get(
        reverse("appointments:appointment_week"),
        {"staff": str(org.junior.pk), "start": "2026-03-02"},
    )
    assert response.status_code == 200
    assert org.junior.display_name in response.content.decode()


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_audit_search_refuses_dates_outside_the_window(org, login, field, day) -> None:
    response = login(org.director).get(reverse("audit:search"), {field: day})
    assert response.status_code == 400
    html = response.content.decode()
    assert "must be on or" in html


def test_a_worklist_view_named_with_other_scripts_digits_is_not_read(org, login) -> None:
    """'staff:٣' is not staff 3: \\d matched any script's digits and int() read them."""
    arabic = "".join(chr(0x0660 + int(d)) for d in str(org.junior.pk))
    http = login(org.supervisor)
    assert http.get("/", {"view": f"staff:{org.junior.pk}"}).status_code == 200
    assert http.get("/", {"view": f"staff:{arabic}"}).status_code == 404


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(org, login, settings) -> None:
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    http = login(org.junior)
    url = reverse("notes:create", kwargs={"client_id": org.junior_client.pk})
    response = http.post(url, {"narrative": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    api = http.post(
        "/api/assessments/responses",
        data=b"{}" + b" " * (1024 * 1024),
        content_type="application/json",
    )
    assert api.status_code == 413
    assert api["Content-Type"].startswith("application/problem+json")
