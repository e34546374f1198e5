"""Rate limits: per address for anonymous clients, per person for token holders.

The rates are read from the settings on every request (``API_ANON_RATE``, ``API_TOKEN_RATE``),
not once at import as DRF's own classes do, so that a test or a deployment can change them.
The counts live in Django's cache.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self):
        return settings.API_ANON_RATE


class TokenThrottle(UserRateThrottle):
    scope = "token"

    def get_rate(self):
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # anonymous clients are AnonymousThrottle's
        return super().get_cache_key(request, view)
