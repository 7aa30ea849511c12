"""API authentication by ``Authorization: Token <key>``, with tokens that expire and can be revoked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts import services


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token header, read against ``accounts.ApiToken`` (see ``accounts.services``).

    An unknown, revoked or superseded key is "Invalid token."; an expired one says so. Both are a 401.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            token = services.token_authenticate(key=key)
        except services.TokenRefused as refused:
            if refused.expired:
                raise exceptions.AuthenticationFailed(_("The token has expired: log in again for a new one.")) from None
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
