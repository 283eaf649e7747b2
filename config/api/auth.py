"""/api/v1/auth/token/: POST exchanges a username and password for a token, DELETE revokes it.

A password check here is as much a target as the admin login, so it goes through
django-axes too: after AXES_FAILURE_LIMIT failures for one (username, IP) that pair is
locked out for the cool-off. Axes alone would make a locked-out login look like a wrong
password (a 400), so a client would never learn why its correct password stopped
working; this view answers 429 ``locked_out`` with Retry-After instead. POST is also
throttled per IP (the ``token`` rate), which bounds an address trying many usernames.

Revoking deletes the caller's token: any request still carrying it gets 401 afterwards,
and the next POST issues a new one. Staff revoke other people's tokens in the admin
(Auth Token > Tokens, from rest_framework.authtoken).
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status, throttling
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.api.throttling import AnonRateThrottle, UserRateThrottle


class TokenObtainRateThrottle(throttling.SimpleRateThrottle):
    """Password attempts per client IP, whoever is asking; GET/DELETE are not counted."""

    scope = "token"

    def get_rate(self) -> str | None:
        # Read on every request, like config.api.throttling, so overrides reach it.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LockedOut(exceptions.Throttled):
    default_detail = "Too many failed logins for this username from this address."
    default_code = "locked_out"
    extra_detail_plural = "Try again in {wait} seconds."


class _RevokeNeedsAuthentication(permissions.BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.method != "DELETE" or bool(request.user and request.user.is_authenticated)


class TokenView(ObtainAuthToken):
    permission_classes = [_RevokeNeedsAuthentication]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, TokenObtainRateThrottle]

    @extend_schema(
        summary="Obtain a token",
        description=(
            "Exchanges a username and password for the user's token (the same one until "
            "revoked). Throttled per IP; after repeated wrong passwords for a username "
            "from one address, answers 429 locked_out until the cool-off ends."
        ),
        responses={200: inline_serializer("AuthToken", fields={"token": serializers.CharField()})},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # The axes backend flags the request it was given (this DRF Request) when the
            # (username, IP) pair is locked out; the password was not even checked.
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(wait=settings.AXES_COOLOFF_TIME.total_seconds())
            raise exceptions.ValidationError(serializer.errors)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(
        summary="Revoke your token",
        description=(
            "Deletes the caller's token; requests carrying it get 401 afterwards. "
            "A new POST issues a new token."
        ),
        request=None,
        responses={204: OpenApiResponse(description="Revoked.")},
    )
    def delete(self, request: Request, *args, **kwargs) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


token_view = TokenView.as_view()
