"""Every write about API tokens: issue one at login, check one on each request, revoke them.

How a token lives and dies (README, "Security"): a login through the API issues a new token that expires
``API_TOKEN_TTL_HOURS`` later; it is revoked by the API logout (``DELETE /api/v1/auth/token/``), by the
office in the admin, and when its owner's password changes. The password check does not depend on every
password page remembering to call ``tokens_revoke_all``: each token keeps a fingerprint of the password it
was issued under, so a password changed anywhere (a page, the admin, ``manage.py changepassword``) ends it.
The pages that change passwords still call ``tokens_revoke_all``, so the admin lists no dead token.
"""

from __future__ import annotations

import datetime
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import ApiToken, User

logger = logging.getLogger(__name__)

#: Live tokens a person may hold at once (one per client); a login beyond it ends the oldest.
MAX_TOKENS_PER_USER = 10
#: How often ``last_used_at`` is written for a token in use (not on every request).
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
_FINGERPRINT_SALT = "accounts.ApiToken.password_fingerprint"


def password_fingerprint(user: User, secret: str | None = None) -> str:
    """A keyed hash of the user's password hash: it changes whenever the password does."""
    return salted_hmac(_FINGERPRINT_SALT, user.password, secret=secret, algorithm="sha256").hexdigest()


def _fingerprint_matches(token: ApiToken, user: User) -> bool:
    secrets_in_force = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(token.password_fingerprint, password_fingerprint(user, secret))
        for secret in secrets_in_force
    )


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


@transaction.atomic
def token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is never stored and shown only now.

    Expired tokens of the user are deleted, and beyond ``MAX_TOKENS_PER_USER`` the oldest ones.
    """
    now = timezone.now()
    ApiToken.objects.filter(user=user).expired(now).delete()
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash_key(key),
        prefix=key[:8],
        password_fingerprint=password_fingerprint(user),
        created_at=now,
        expires_at=now + token_lifetime(),
    )
    surplus = (
        ApiToken.objects.filter(user=user)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[MAX_TOKENS_PER_USER:]
    )
    ApiToken.objects.filter(pk__in=list(surplus)).delete()
    return token, key


class TokenRefused(Exception):
    """A key that authenticates nobody; ``expired`` says whether it was a token that has expired."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def token_authenticate(*, key: str) -> ApiToken:
    """The live token for ``key``, with its user; raises ``TokenRefused`` otherwise.

    An expired token, or one issued under a password that has since changed, is deleted as it is refused.
    """
    now = timezone.now()
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None:
        raise TokenRefused()
    if token.is_expired(now):
        token.delete()
        raise TokenRefused(expired=True)
    if not _fingerprint_matches(token, token.user):
        logger.info("API token %s… of user %s refused: the password changed", token.prefix, token.user_id)
        token.delete()
        raise TokenRefused()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: ApiToken) -> None:
    """End one token (the API logout, or the office in the admin)."""
    ApiToken.objects.filter(pk=token.pk).delete()


def tokens_revoke_all(*, user: User) -> int:
    """End every token of ``user`` (a password change, or a logout from everywhere); returns how many."""
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted
