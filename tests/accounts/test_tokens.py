"""API tokens live and die: a new one per login, expiry, API logout, password changes, the office's admin."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, User
from accounts.roles import PlatformRole, grant_platform_role
from tests.conftest import client_for
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PARTNERS = "/api/v1/partners/"
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "Quartz-imaging-2026!"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person() -> User:
    return UserFactory.create(username="li.na", email="li.na@hospital.example", password=PASSWORD)


def _login(username: str = "li.na", password: str = PASSWORD) -> Any:
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json")


def _token(username: str = "li.na", password: str = PASSWORD) -> str:
    response = _login(username, password)
    assert response.status_code == 200, response.content
    key: str = response.json()["token"]
    return key


def _with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _works(key: str) -> bool:
    status: int = _with(key).get(PARTNERS).status_code
    assert status in (200, 401)
    return status == 200


# --- Issue --------------------------------------------------------------------------------------------


def test_login_answers_a_token_and_when_it_expires(person: User) -> None:
    before = timezone.now()
    response = _login()

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires"}
    expires = datetime.datetime.fromisoformat(body["expires"])
    assert before + datetime.timedelta(hours=720) <= expires <= timezone.now() + datetime.timedelta(hours=720)
    assert _works(body["token"])


def test_every_login_answers_a_new_token_and_the_earlier_ones_still_work(person: User) -> None:
    first, second = _token(), _token()

    assert first != second
    assert _works(first) and _works(second)


def test_keys_are_stored_only_as_hashes(person: User) -> None:
    key = _token()

    token = ApiToken.objects.get(user=person)
    assert key not in {token.key_hash, token.prefix, token.password_fingerprint}
    assert token.key_hash == ApiToken.hash_key(key)
    assert token.prefix == key[:8]


def test_a_person_holds_at_most_ten_tokens_and_a_new_login_ends_the_oldest(person: User) -> None:
    keys = [_token() for _ in range(services.MAX_TOKENS_PER_USER + 1)]

    assert ApiToken.objects.filter(user=person).count() == services.MAX_TOKENS_PER_USER
    assert not _works(keys[0])
    assert _works(keys[1]) and _works(keys[-1])


def test_a_stale_token_sent_along_does_not_stop_a_login(person: User) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token revoked-long-ago")

    response = client.post(TOKEN, {"username": "li.na", "password": PASSWORD}, format="json")

    assert response.status_code == 200


# --- Expiry -------------------------------------------------------------------------------------------


def test_lifetime_follows_the_setting(person: User, settings: Any) -> None:
    settings.API_TOKEN_TTL_HOURS = 2
    _token()

    token = ApiToken.objects.get(user=person)
    assert token.expires_at - token.created_at == datetime.timedelta(hours=2)


def test_an_expired_token_is_refused_with_401_and_deleted_and_a_new_login_gives_a_new_one(person: User) -> None:
    key = _token()
    ApiToken.objects.filter(user=person).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = _with(key).get(PARTNERS)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert "expired" in response.json()["error"]["message"]
    assert not ApiToken.objects.filter(user=person).exists()
    fresh = _token()
    assert fresh != key
    assert _works(fresh)


def test_last_use_is_recorded(person: User) -> None:
    key = _token()
    assert ApiToken.objects.get(user=person).last_used_at is None

    assert _works(key)

    last_used = ApiToken.objects.get(user=person).last_used_at
    assert last_used is not None and timezone.now() - last_used < datetime.timedelta(minutes=1)


def test_a_deactivated_persons_token_is_refused(person: User) -> None:
    key = _token()
    User.objects.filter(pk=person.pk).update(is_active=False)

    assert not _works(key)


# --- API logout ---------------------------------------------------------------------------------------


def test_delete_revokes_the_token_it_is_sent_with_and_no_other(person: User) -> None:
    laptop, server = _token(), _token()

    response = _with(laptop).delete(TOKEN)

    assert response.status_code == 204
    assert not _works(laptop)
    assert _works(server)
    assert _with(laptop).delete(TOKEN).status_code == 401


def test_delete_from_a_browser_session_revokes_every_token_of_the_person(person: User) -> None:
    keys = [_token(), _token()]
    other = UserFactory.create(username="wang.fang", password=PASSWORD)
    others = _token("wang.fang")
    browser = APIClient(enforce_csrf_checks=False)
    browser.force_login(person)

    assert browser.delete(TOKEN).status_code == 204

    assert not any(_works(key) for key in keys)
    assert _works(others)
    assert ApiToken.objects.filter(user=other).count() == 1


def test_delete_without_credentials_is_401() -> None:
    response = APIClient().delete(TOKEN)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_browser_logout_leaves_api_tokens_alone(person: User) -> None:
    # Tokens belong to clients (a partner's system), not to a browser session: see README, Security.
    key = _token()
    browser = client_for(person)

    assert browser.post(reverse("accounts:logout")).status_code == 302

    assert _works(key)


# --- Password changes ---------------------------------------------------------------------------------


def _assert_rotated(person: User, old: str) -> None:
    assert not _works(old)
    assert not ApiToken.objects.filter(user=person).exists()
    assert _login(password=PASSWORD).status_code == 400
    fresh = _token(password=NEW_PASSWORD)
    assert fresh != old
    assert _works(fresh)


def test_changing_the_password_on_its_page_revokes_every_token(person: User) -> None:
    keys = [_token(), _token()]

    response = client_for(person).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not _works(keys[1])
    _assert_rotated(person, keys[0])


def test_a_password_reset_revokes_every_token(person: User) -> None:
    key = _token()
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "li.na@hospital.example"})
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", str(mail.outbox[0].body))
    assert match
    confirm = client.get(match.group(1), follow=True)
    set_password_url = confirm.redirect_chain[-1][0]

    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    _assert_rotated(person, key)


def test_the_admin_setting_a_password_revokes_every_token(person: User) -> None:
    key = _token()
    admin_user = UserFactory.create(username="root", is_staff=True, is_superuser=True)

    response = client_for(admin_user).post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    _assert_rotated(person, key)


def test_a_password_changed_anywhere_else_ends_the_tokens_too(person: User) -> None:
    # manage.py changepassword, a shell, a future page that forgets to call the service: the token was
    # issued under the old password, so it no longer authenticates.
    key = _token()
    person.set_password(NEW_PASSWORD)
    person.save()

    assert not _works(key)
    assert not ApiToken.objects.filter(user=person).exists()


def test_an_unusable_password_ends_the_tokens(person: User) -> None:
    key = _token()
    person.set_unusable_password()
    person.save()

    assert not _works(key)


def test_changepassword_command_ends_the_tokens(person: User, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _token()
    monkeypatch.setattr("getpass.getpass", lambda *args, **kwargs: NEW_PASSWORD)

    call_command("changepassword", "li.na", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert not _works(key)


# --- The office's admin -------------------------------------------------------------------------------


@pytest.fixture
def office_staff() -> User:
    user = UserFactory.create(username="office-staff", is_staff=True)
    grant_platform_role(user, PlatformRole.OFFICE)
    return user


def test_the_office_lists_tokens_with_holder_and_dates(person: User, office_staff: User) -> None:
    _token()
    token = ApiToken.objects.get(user=person)

    response = client_for(office_staff).get(reverse("admin:accounts_apitoken_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert token.prefix in html
    assert person.display_name in html
    assert token.key_hash not in html


def test_the_office_revokes_tokens_in_the_admin(person: User, office_staff: User) -> None:
    key, kept = _token(), _token()
    revoked = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))

    response = client_for(office_staff).post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [revoked.pk]},
    )

    assert response.status_code == 302
    assert not _works(key)
    assert _works(kept)


def test_staff_outside_the_office_do_not_see_tokens(person: User) -> None:
    _token()
    staff = UserFactory.create(username="it-staff", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_apitoken"))

    client = client_for(staff)

    assert client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 403
    assert "apitoken" not in client.get(reverse("admin:index")).content.decode()


def test_tokens_are_not_added_or_edited_in_the_admin(office_staff: User) -> None:
    client = client_for(office_staff)

    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
