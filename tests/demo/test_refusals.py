"""When `caseload seed_demo` refuses, and that it then creates nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseload.clients.models import Client
from caseload.staff.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())

    assert not User.objects.exists()
    assert not Client.objects.exists()


def test_refused_when_demo_usernames_belong_to_other_staff(settings):
    settings.DEBUG = True
    factories.UserFactory(username="grace")

    with pytest.raises(CommandError, match="grace"):
        call_command("seed_demo", stdout=StringIO())

    assert list(User.objects.values_list("username", flat=True)) == ["grace"]
    assert not Client.objects.exists()
