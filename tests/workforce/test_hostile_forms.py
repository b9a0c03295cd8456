"""The profile's forms, posted by their owner with hostile input: a clear 4xx, never a 500.
(The site-wide suite walks every page as a supervisor, who cannot edit someone's profile.)"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from caseload.workforce import services
from tests.security.test_hostile_input import HOSTILE, _pages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("variant", ["nul", "1 MB", "malformed uuid", "year 9999"])
def test_hostile_input_on_every_profile_form(org, variant):
    http = HttpClient(raise_request_exception=False)
    http.force_login(org.junior)
    urls = [reverse("workforce:entry_new", args=[org.junior.pk, key]) for key in services.SECTIONS]
    urls.append(reverse("workforce:work_pattern", args=[org.junior.pk]))
    posted, failures = 0, []
    for _name, url, page in _pages(http, [(url, url) for url in urls]):
        for form in page.forms:
            action = form["action"] or url
            if form["method"] != "post" or action == reverse("logout"):
                continue
            data = {
                field: HOSTILE[variant]
                for field in form["fields"]
                if field != "csrfmiddlewaretoken"
            }
            status = http.post(action, data).status_code
            posted += 1
            if not 400 <= status < 500:
                failures.append(f"POST {action} with <{variant}> -> {status}")
    assert posted >= len(urls)
    assert not failures, "\n".join(failures)
