"""API authentication: exchange a username and password for a token."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from core.api.errors import ERROR_RESPONSE


class TokenThrottle(AnonRateThrottle):
    """Slows password guessing through the API, as django-axes does for the login page."""

    rate = "20/min"


class ObtainTokenApi(ObtainAuthToken):
    """``POST /api/v1/auth/token/`` with ``username`` and ``password`` returns ``{"token": "..."}``."""

    throttle_classes = [TokenThrottle]

    @extend_schema(
        operation_id="auth_token_create",
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: ERROR_RESPONSE,
        },
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().post(request, *args, **kwargs)
