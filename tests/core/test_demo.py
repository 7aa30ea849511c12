"""``manage.py seed_demo``: idempotent, every demo login works, and never in production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings

from accounts.models import User
from core.demo import DEMO_PASSWORD, all_logins

pytestmark = pytest.mark.django_db

FOUNDATION_USERNAMES = {
    "office",
    "coord-hospital",
    "coord-enterprise",
    "sup-hospital",
    "sup-enterprise",
    "sup-institute",
    "coord-institute",
    "tutor",
    "student",
    "student2",
    "inspector",
    "counsellor",
}
#: The foundation's logins and those the apps' demos add (``<app>/demo.py`` ``DEMO_LOGINS``).
DEMO_USERNAMES = FOUNDATION_USERNAMES | {login.username for login in all_logins()}


def _row_counts() -> dict[str, int]:
    """Rows in every table the project has, history tables included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


# Seeding takes a while, so each test below checks several things about one seeded database.


def test_seed_demo_twice_leaves_the_same_rows() -> None:
    output = _seed()
    first = _row_counts()

    _seed()
    second = _row_counts()

    changed = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
    assert not changed, f"seed_demo is not idempotent: {changed}"
    assert first["accounts.User"] == len(DEMO_USERNAMES)
    assert first["partners.Partner"] >= 7
    assert DEMO_PASSWORD in output
    for username in DEMO_USERNAMES:
        assert username in output


def test_every_demo_login_authenticates_with_the_demo_password() -> None:
    _seed()

    assert len(all_logins()) == len(DEMO_USERNAMES)  # no login twice, every foundation login kept
    for username in sorted(DEMO_USERNAMES):
        # django-axes needs the request a login comes with.
        user = authenticate(
            request=RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD
        )
        assert isinstance(user, User), username
        assert user.username == username
    assert authenticate(request=RequestFactory().post("/accounts/login/"), username="office", password="wrong") is None
    assert User.objects.get(username="office").is_staff
    assert not User.objects.get(username="student").is_staff


@override_settings(ENVIRONMENT="production")
def test_seed_demo_refuses_to_run_in_production() -> None:
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())

    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
