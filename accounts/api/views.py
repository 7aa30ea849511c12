"""API authentication: exchange a username and password for a token, and give a token back."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.models import ApiToken
from core.api.errors import ERROR_RESPONSE
from core.throttling import ResilientAnonRateThrottle


class TokenThrottle(ResilientAnonRateThrottle):
    """Slows password guessing through the API, as django-axes does for the login page."""

    rate = "20/min"


class TokenApi(APIView):
    """``POST`` logs in: a new token for every login. ``DELETE`` logs out: the token used is revoked."""

    def _logging_in(self) -> bool:
        request = getattr(self, "request", None)  # the schema generator asks without a request
        return request is not None and request.method == "POST"

    def get_authenticators(self) -> list[BaseAuthentication]:
        # A login reads only the body: a stale token or a session sent along must neither refuse it nor
        # exempt it from the throttle, which counts anonymous requests.
        return [] if self._logging_in() else super().get_authenticators()

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self._logging_in() else [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        return [TokenThrottle()] if self._logging_in() else []

    @extend_schema(
        operation_id="auth_token_create",
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
            ),
            400: ERROR_RESPONSE,
            429: ERROR_RESPONSE,
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A new token for the user named, valid for ``API_TOKEN_TTL_HOURS``; send it as ``Token <key>``."""
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, key = services.token_issue(user=serializer.validated_data["user"])
        return Response({"token": key, "expires": token.expires_at})

    @extend_schema(
        operation_id="auth_token_destroy",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), 401: ERROR_RESPONSE},
        tags=["auth"],
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Log out of the API: the token sent is revoked. Signed in by a browser session instead, every
        token of the user is revoked (log out of the API everywhere)."""
        if isinstance(request.auth, ApiToken):
            services.token_revoke(token=request.auth)
        else:
            services.tokens_revoke_all(user=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
