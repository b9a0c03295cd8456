"""The profile's forms, posted by their owner with hostile input: a clear 4xx, never a 500.
(The site-wide suite walks every page as a supervisor, who cannot edit someone's profile.)"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from caseload.workforce import services
from tests.security.test_hostile_input import post_hostile_forms

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("variant", ["nul", "huge", "malformed"])
def test_hostile_input_on_every_profile_form(org, variant):
    http = HttpClient(raise_request_exception=False)
    http.force_login(org.junior)
    urls = [reverse("workforce:entry_new", args=[org.junior.pk, key]) for key in services.SECTIONS]
    urls.append(reverse("workforce:work_pattern", args=[org.junior.pk]))
    posted, answers = post_hostile_forms(http, [(url, url) for url in urls], variant)
    failures = [answer for answer, status in answers if status >= 500 or status < 400]
    assert posted >= len(urls)
    assert not failures, "\n".join(failures)
