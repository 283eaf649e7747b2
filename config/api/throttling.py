"""Rate limits per anonymous IP and per token/user, read from settings on every request.

DRF's own throttles copy DEFAULT_THROTTLE_RATES when their module is imported, so an
environment change or a test's settings override would never reach them. A rate of
None turns the limit off (the test settings do that).
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _RatesFromSettings:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    pass
