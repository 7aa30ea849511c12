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
    _assert_nothing_starts_before_it_is_planned()


def _assert_nothing_starts_before_it_is_planned() -> None:
    """The demo's dates are consistent: every inspection was planned (recorded) no later than its planned
    date and started no earlier; findings come after the start; a plan is approved before its first
    placement begins; and the draw history has an entry."""
    from django.utils import timezone

    from students.models import Placement, PlanEvent
    from supervision.models import Finding, Inspection, SpotDraw

    for inspection in Inspection.objects.all():
        assert timezone.localdate(inspection.created_at) <= inspection.planned_date, inspection
        if inspection.started_at is not None:
            assert timezone.localdate(inspection.started_at) >= inspection.planned_date, inspection
            assert inspection.started_at >= inspection.created_at
            for finding in Finding.objects.filter(inspection=inspection):
                assert finding.created_at >= inspection.started_at, finding
        if inspection.closed_at is not None:
            assert inspection.started_at is not None and inspection.closed_at >= inspection.started_at
    for event in PlanEvent.objects.filter(action="approved"):
        first = Placement.objects.filter(student=event.plan.student).order_by("start_date").first()
        assert first is None or timezone.localdate(event.at) < first.start_date, event
    assert SpotDraw.objects.count() == 1


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
