"""Account security: lockout after failed logins, password rules, idle sessions, password reset."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from tests.conftest import client_for
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN = reverse("accounts:login")


@pytest.fixture
def person() -> User:
    return UserFactory.create(username="li.na", email="li.na@hospital.example", password=PASSWORD)


def _login(client: Client, password: str) -> Any:
    return client.post(LOGIN, {"username": "li.na", "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- django-axes lockout ----------------------------------------------------------------------------


def test_failure_limit_is_five() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5


def test_right_password_after_fewer_failures_than_the_limit_logs_in(person: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "wrong-password")
        assert response.status_code == 200
        assert not _logged_in(client)

    response = _login(client, PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


def test_account_is_locked_after_five_failed_logins(person: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password")

    response = _login(client, PASSWORD)

    assert response.status_code == 429  # django-axes answers "Too Many Requests"
    assert "Too many failed logins" in response.content.decode()
    assert not _logged_in(client)
    # The lock holds for that person from that address, whatever the password.
    assert authenticate(request=RequestFactory().post(LOGIN), username="li.na", password=PASSWORD) is None


def test_lockout_of_one_person_leaves_others_alone(person: User) -> None:
    UserFactory.create(username="wang.fang", password=PASSWORD)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password")

    response = client.post(LOGIN, {"username": "wang.fang", "password": PASSWORD})

    assert response.status_code == 302
    assert _logged_in(client)


# --- Password validators ----------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["12345678", "password123", "li.na.hospital"])
def test_weak_passwords_are_rejected(weak: str, person: User) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak, user=person)


def test_numeric_short_password_reports_every_rule_it_breaks(person: User) -> None:
    with pytest.raises(ValidationError) as error:
        validate_password("12345678", user=person)

    codes = {item.code for item in error.value.error_list}
    assert {"password_too_short", "password_too_common", "password_entirely_numeric"} <= codes


def test_strong_password_is_accepted(person: User) -> None:
    validate_password("imaging-tandem-Quartz-47", user=person)


def test_password_change_form_refuses_weak_password(person: User) -> None:
    client = client_for(person)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


# --- Idle timeout -----------------------------------------------------------------------------------


def _age_session(client: Client, seconds: float) -> None:
    session = client.session
    session["tandem_last_seen"] = time.time() - seconds
    session.save()


def test_idle_session_is_logged_out(person: User) -> None:
    client = client_for(person)
    assert client.get(reverse("core:start")).status_code == 200
    _age_session(client, settings.SESSION_IDLE_MINUTES * 60 + 5)

    response = client.get(reverse("core:start"))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not _logged_in(client)
    assert client.get(reverse("partners:list")).status_code == 302


def test_recently_active_session_stays_logged_in(person: User) -> None:
    client = client_for(person)
    client.get(reverse("core:start"))
    _age_session(client, settings.SESSION_IDLE_MINUTES * 60 - 60)

    assert client.get(reverse("core:start")).status_code == 200
    assert _logged_in(client)
    assert time.time() - client.session["tandem_last_seen"] < 60


def test_last_seen_is_written_at_most_once_a_minute(person: User) -> None:
    """A click within a minute of the last written one leaves the session as it was (no write per request)."""
    client = client_for(person)
    client.get(reverse("core:start"))
    _age_session(client, 10)
    written = client.session["tandem_last_seen"]

    assert client.get(reverse("core:start")).status_code == 200

    assert client.session["tandem_last_seen"] == written


# --- Password reset ---------------------------------------------------------------------------------


def test_password_reset_email_link_sets_a_new_password(person: User) -> None:
    client = Client()

    response = client.post(reverse("accounts:password_reset"), {"email": "li.na@hospital.example"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li.na@hospital.example"]
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", str(message.body))
    assert match, message.body
    link = match.group(1)

    confirm = client.get(link, follow=True)
    assert confirm.status_code == 200
    assert confirm.context["validlink"] is True
    set_password_url = confirm.redirect_chain[-1][0]

    done = client.post(
        set_password_url, {"new_password1": "Quartz-imaging-2026!", "new_password2": "Quartz-imaging-2026!"}
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    person.refresh_from_db()
    assert person.check_password("Quartz-imaging-2026!")
    assert client.get(link, follow=True).context["validlink"] is False  # a link works once


def test_password_reset_for_unknown_email_sends_nothing_and_looks_the_same() -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
