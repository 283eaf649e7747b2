"""The client's IP address, one answer for the API throttles and the login lockout.

DRF's throttles identify an anonymous client by ``BaseThrottle.get_ident``, which reads
REST_FRAMEWORK["NUM_PROXIES"] (the TRUSTED_PROXY_COUNT setting): REMOTE_ADDR when it is 0,
otherwise the address that many hops from the right of X-Forwarded-For. django-axes is
given the same function (AXES_CLIENT_IP_CALLABLE), so an address that is locked out is the
address that is throttled.
"""

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str | None:
    return BaseThrottle().get_ident(request) or None
